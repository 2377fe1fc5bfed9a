//! The toy picture's words, painted over the scene: what each colour means, the measures with
//! what they say about the game, and the fake under the pointer with its z. English or French,
//! as the lessons panel is set.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::egui::{self, Align2, Color32, FontId, LayerId};
use bevy_egui::input::EguiWantsInput;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::app::lessons::Quality;
use crate::app::options::AppOptions;
use crate::app::scene::digits::{SceneCamera, cursor_world};
use crate::app::scene::overlay::fit_to_panels;
use crate::app::schedule::{SceneOnly, UiSystems};
use crate::app::toy::diagram::{self, Values};
use crate::app::toy::slow_step::SlowStep;
use crate::app::toy::slow_view;
use crate::app::toy::{PICTURE_CENTER, PICTURE_SIZE, ToyLab, picture_world};
use crate::app::training::TrainingState;
use crate::gan::LossKind;
use crate::judge::detect::Lang;
use crate::toy::view::ToyView;

/// Where the measures start, in world units: right of the picture, level with its top.
const MEASURES_AT: Vec2 = Vec2::new(
    PICTURE_CENTER.x + PICTURE_SIZE / 2.0 + 16.0,
    PICTURE_SIZE / 2.0,
);
/// How close, in world units, the pointer must be to a fake to show it.
const HOVER_REACH: f32 = 4.0;
/// Below this distance from ½ on both sides, D can no longer tell real from fake.
const NEAR_HALF: f32 = 0.05;
/// Below this Jensen–Shannon divergence (of ln 2 at most), the fakes lie where the data does.
const MATCHED_JS: f64 = 0.05;

pub(in crate::app) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        paint
            .in_set(UiSystems::Scene)
            .in_set(SceneOnly::Toy)
            .after(fit_to_panels),
    );
}

fn paint(
    mut contexts: EguiContexts,
    lab: Res<ToyLab>,
    quality: Res<Quality>,
    state: Res<TrainingState>,
    slow: Res<SlowStep>,
    options: Res<AppOptions>,
    egui_input: Res<EguiWantsInput>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    camera: Single<(&Camera, &GlobalTransform), With<SceneCamera>>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let (camera, transform) = *camera;
    let Some(viewport) = camera.logical_viewport_rect() else {
        return Ok(());
    };
    let painter =
        ctx.layer_painter(LayerId::background())
            .with_clip_rect(egui::Rect::from_min_max(
                egui::pos2(viewport.min.x, viewport.min.y),
                egui::pos2(viewport.max.x, viewport.max.y),
            ));
    let to_screen = |world: Vec2| {
        camera
            .world_to_viewport(transform, world.extend(0.0))
            .ok()
            .map(|p| egui::pos2(p.x, p.y))
    };
    let lang = quality.lang;
    let Some(view) = lab.view.as_deref() else {
        if let Some(at) = to_screen(PICTURE_CENTER) {
            painter.text(
                at,
                Align2::CENTER_CENTER,
                text(lang, Words::Waiting),
                FontId::proportional(15.0),
                Color32::GRAY,
            );
        }
        return Ok(());
    };
    let top = PICTURE_CENTER + Vec2::new(0.0, PICTURE_SIZE / 2.0 + 4.0);
    let bottom = PICTURE_CENTER - Vec2::new(0.0, PICTURE_SIZE / 2.0 + 4.0);
    let (title, legend) = match view.dim {
        1 => (Words::LineTitle, Words::LineLegend),
        _ => (Words::PlaneTitle, Words::PlaneLegend),
    };
    if let Some(at) = to_screen(top) {
        painter.text(
            at,
            Align2::CENTER_BOTTOM,
            text(lang, title),
            FontId::proportional(13.0),
            Color32::GRAY,
        );
    }
    let width = to_screen(PICTURE_CENTER + Vec2::X * PICTURE_SIZE / 2.0)
        .zip(to_screen(PICTURE_CENTER - Vec2::X * PICTURE_SIZE / 2.0))
        .map_or(400.0, |(right, left)| right.x - left.x);
    if let Some(at) = to_screen(bottom) {
        let galley = painter.layout(
            text(lang, legend).into(),
            FontId::proportional(12.0),
            Color32::GRAY,
            width,
        );
        let left = at.x - galley.size().x / 2.0;
        painter.galley(egui::pos2(left, at.y), galley, Color32::GRAY);
    }
    if let Some(at) = to_screen(MEASURES_AT) {
        let name = lab.data().map(|d| d.name()).unwrap_or_default();
        let mut lines = vec![(format!("{name} · step {}", lab.step), Color32::LIGHT_GRAY)];
        // A slow-motion step needs the room for its diagram and caption.
        if slow.stage.is_none() {
            lines.extend(measure_lines(&lab, view, state.settings.config.loss, lang));
        }
        let mut y = at.y;
        for (line, colour) in lines {
            let galley = painter.layout(line, FontId::proportional(13.0), colour, 250.0);
            let height = galley.size().y;
            painter.galley(egui::pos2(at.x, y), galley, colour);
            y += height + 4.0;
        }
        let width = (viewport.max.x - at.x - 12.0).clamp(220.0, 380.0);
        let latest = state.latest();
        let values = match (&slow.apart, slow.stage) {
            (Some(apart), Some(_)) => Some(Values::of_step(apart, lang)),
            _ => latest.map(|l| Values::live(view, l, state.settings.config.batch_size, lang)),
        };
        if let Some(values) = values {
            let top = egui::pos2(at.x, y + 14.0);
            y = diagram::paint(&painter, top, width, &values, slow.stage) + 10.0;
        }
        let config = (&state.settings.config, latest);
        slow_view::paint_caption(&painter, egui::pos2(at.x, y), width, &slow, config, lang);
    }
    if let (Some(apart), Some(stage)) = (&slow.apart, slow.stage) {
        slow_view::mark_samples(&painter, apart, stage, |f| to_screen(picture_world(f)));
    }
    // A scripted recording must not show wherever the pointer happens to be.
    let pointer = match window {
        Some(window) if options.record.is_none() => {
            cursor_world(&window, camera, transform, &egui_input)
        }
        _ => None,
    };
    if let Some(world) = pointer
        && let Some(line) = hovered_fake(view, world)
        && let Some(at) = to_screen(world)
    {
        painter.text(
            at + egui::vec2(12.0, -12.0),
            Align2::LEFT_BOTTOM,
            line,
            FontId::monospace(12.0),
            Color32::WHITE,
        );
    }
    Ok(())
}

/// The fake nearest `world` (within reach), described: its z, where G put it, D's verdict.
fn hovered_fake(view: &ToyView, world: Vec2) -> Option<String> {
    if view.dim != 2 {
        return None;
    }
    let (index, distance) = view
        .fake
        .chunks_exact(2)
        .map(|p| picture_world(crate::toy::picture::place(2, view.extent, p)))
        .map(|p| p.distance(world))
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    if distance > HOVER_REACH {
        return None;
    }
    let z = &view.noise[index * view.latent_dim..(index + 1) * view.latent_dim];
    let z: Vec<String> = z.iter().map(|v| format!("{v:+.2}")).collect();
    let x = &view.fake[index * 2..index * 2 + 2];
    Some(format!(
        "z = ({})\nG(z) = ({:+.2}, {:+.2})\nD = {:.2}",
        z.join(", "),
        x[0],
        x[1],
        view.fake_scores[index]
    ))
}

/// The measures, each with what it says, coloured when it is a lesson's warning.
fn measure_lines(
    lab: &ToyLab,
    view: &ToyView,
    loss: LossKind,
    lang: Lang,
) -> Vec<(String, Color32)> {
    const WARN: Color32 = Color32::from_rgb(240, 190, 90);
    const GOOD: Color32 = Color32::from_rgb(140, 220, 150);
    let mut lines = Vec::new();
    if let Some(scores) = &lab.scores {
        if let Some(modes) = &scores.modes {
            let collapsed = modes.covered < modes.modes;
            lines.push((
                match lang {
                    Lang::En => format!(
                        "modes covered {}/{} · high quality {:.1} % · reverse KL {:.2}",
                        modes.covered,
                        modes.modes,
                        modes.high_quality * 100.0,
                        modes.reverse_kl
                    ),
                    Lang::Fr => format!(
                        "modes couverts {}/{} · haute qualité {:.1} % · KL inverse {:.2}",
                        modes.covered,
                        modes.modes,
                        modes.high_quality * 100.0,
                        modes.reverse_kl
                    ),
                },
                if collapsed { WARN } else { GOOD },
            ));
            if collapsed {
                lines.push((text(lang, Words::Collapse).to_string(), WARN));
            }
        }
        lines.push((
            format!(
                "KL {:.3} · JS {:.3}",
                scores.divergences.kl, scores.divergences.js
            ),
            Color32::LIGHT_GRAY,
        ));
    }
    let (real, fake) = view.distance_from_half();
    let near = real < NEAR_HALF && fake < NEAR_HALF;
    // D says ½ on a fresh start too, before it has learned anything: the equilibrium also needs
    // the fakes on the data.
    let matched = lab
        .scores
        .as_ref()
        .is_some_and(|s| s.divergences.js < MATCHED_JS);
    lines.push((
        match lang {
            Lang::En => format!("|D − ½|: {real:.3} on real points, {fake:.3} on fakes"),
            Lang::Fr => format!("|D − ½| : {real:.3} sur les vrais points, {fake:.3} sur les faux"),
        },
        if near && matched {
            GOOD
        } else {
            Color32::LIGHT_GRAY
        },
    ));
    let (verdict_words, colour) = match (near, matched) {
        (true, true) => (Words::Equilibrium, GOOD),
        (true, false) => (Words::Undecided, Color32::GRAY),
        (false, _) => (Words::NotYet, Color32::GRAY),
    };
    lines.push((text(lang, verdict_words).to_string(), colour));
    let (verdict, pull) = view.fakes_verdict_and_pull();
    lines.push((
        match lang {
            Lang::En => format!("D on fakes {verdict:.3} · pull on fakes {pull:.4}"),
            Lang::Fr => format!("D sur les faux {verdict:.3} · poussée sur les faux {pull:.4}"),
        },
        Color32::LIGHT_GRAY,
    ));
    if loss == LossKind::Minimax && verdict < 0.1 {
        lines.push((text(lang, Words::Vanishing).to_string(), WARN));
    }
    lines
}

#[derive(Clone, Copy)]
enum Words {
    Waiting,
    PlaneTitle,
    PlaneLegend,
    LineTitle,
    LineLegend,
    Collapse,
    Equilibrium,
    NotYet,
    Undecided,
    Vanishing,
}

fn text(lang: Lang, words: Words) -> &'static str {
    match (lang, words) {
        (Lang::En, Words::Waiting) => "looking at G and D…",
        (Lang::Fr, Words::Waiting) => "on regarde G et D…",
        (Lang::En, Words::PlaneTitle) => {
            "D's verdict: green says real, purple says fake, grey is ½"
        }
        (Lang::Fr, Words::PlaneTitle) => {
            "Le verdict de D : vert dit réel, violet dit faux, gris vaut ½"
        }
        (Lang::En, Words::PlaneLegend) => {
            "green dots: real · pink: G's fakes · arrows: where G's loss pushes each fake · lines: G's map of the latent grid (bright where it squeezes)"
        }
        (Lang::Fr, Words::PlaneLegend) => {
            "points verts : réels · roses : faux de G · flèches : où la perte de G pousse chaque faux · lignes : la grille latente vue par G (claire où elle se resserre)"
        }
        (Lang::En, Words::LineTitle) => {
            "Goodfellow et al. 2014, Figure 1, live: z below, x above, each z sent to G(z)"
        }
        (Lang::Fr, Words::LineTitle) => {
            "Goodfellow et al. 2014, figure 1, en direct : z en bas, x en haut, chaque z envoyé en G(z)"
        }
        (Lang::En, Words::LineLegend) => {
            "green: p_data · pink: p_g · blue: D(x), dashed: ½ · band: D along x · arrows: G's pull"
        }
        (Lang::Fr, Words::LineLegend) => {
            "vert : p_data · rose : p_g · bleu : D(x), pointillés : ½ · bande : D le long de x · flèches : la poussée sur G"
        }
        (Lang::En, Words::Collapse) => {
            "mode collapse: the ringed modes get no fakes. G piled them where D says real; when D catches up, they hop elsewhere."
        }
        (Lang::Fr, Words::Collapse) => {
            "effondrement des modes : les modes cerclés n'ont aucun faux. G les a entassés là où D dit « réel » ; quand D le rattrape, ils sautent ailleurs."
        }
        (Lang::En, Words::Equilibrium) => {
            "near the Nash equilibrium: D says ½ everywhere the data is, and neither player can gain by moving alone"
        }
        (Lang::Fr, Words::Equilibrium) => {
            "près de l'équilibre de Nash : D dit ½ partout où sont les données, et aucun joueur ne gagne à bouger seul"
        }
        (Lang::En, Words::Undecided) => {
            "D says ½, but the fakes are not on the data yet: D has not learned to tell them apart, which is no equilibrium"
        }
        (Lang::Fr, Words::Undecided) => {
            "D dit ½, mais les faux ne sont pas encore sur les données : D n'a pas encore appris à les distinguer, ce n'est pas un équilibre"
        }
        (Lang::En, Words::NotYet) => "not at equilibrium: D still tells real from fake",
        (Lang::Fr, Words::NotYet) => "pas à l'équilibre : D distingue encore le vrai du faux",
        (Lang::En, Words::Vanishing) => {
            "vanishing gradient: D rejects the fakes and the minimax loss barely pulls them. Try non-saturating."
        }
        (Lang::Fr, Words::Vanishing) => {
            "gradient évanescent : D rejette les faux et la perte minimax ne les tire presque plus. Essayez non-saturante."
        }
    }
}
