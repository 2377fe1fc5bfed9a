//! The seed's diagram, live: z ~ N(0, 1) → G → G(z) → D ← real x, D's two verdicts and the
//! two losses, with the values of the current step, beside the toy picture. During a
//! slow-motion step it follows that step's first sample, lights the stage's boxes, draws the
//! gradients flowing back, and writes the stage's caption; on the picture it rings the step's
//! samples, labels D's verdicts, draws their pull and, after the update, where they went.

use bevy::prelude::Vec2;
use bevy_egui::egui::{self, Align2, Color32, FontId, Painter, Pos2, Stroke, StrokeKind};

use crate::app::toy::slow_step::{SlowStep, Stage};
use crate::gan::LossKind;
use crate::gan::config::TrainConfig;
use crate::gan::training::stats::StepValues;
use crate::judge::detect::Lang;
use crate::toy::picture;
use crate::toy::step_apart::{SHOWN, StepApart};
use crate::toy::view::ToyView;

const BOX: Color32 = Color32::from_rgb(38, 40, 46);
const EDGE: Color32 = Color32::from_gray(110);
const LIT: Color32 = Color32::from_rgb(250, 210, 90);
const GRADIENT: Color32 = Color32::from_rgb(255, 150, 60);
const REAL: Color32 = Color32::from_rgb(115, 240, 140);
const FAKE: Color32 = Color32::from_rgb(255, 128, 240);
/// One step moves a fake by a pixel or two: its arrow is drawn this many times longer.
const MOVE_GAIN: f32 = 10.0;
const ROW: f32 = 20.0;
const GAP: f32 = 13.0;

/// The values the diagram writes in its boxes.
pub(super) struct Values {
    z: String,
    real: String,
    fake: String,
    d_real: f32,
    d_fake: f32,
    d_loss: f32,
    g_loss: f32,
    /// After a slow-motion update: G(z), D(G(z)), D(x) and the losses on the same samples.
    after: Option<(String, f32, f32, f32, f32)>,
    /// What the values are of.
    source: String,
}

impl Values {
    /// The view's first fake and real point, and the latest step's losses on its batch.
    pub(super) fn live(view: &ToyView, latest: &StepValues, batch: usize, lang: Lang) -> Self {
        Self {
            z: point(&view.noise[..view.latent_dim]),
            real: point(&view.real[..view.dim]),
            fake: point(&view.fake[..view.dim]),
            d_real: view.real_scores.first().copied().unwrap_or(f32::NAN),
            d_fake: view.fake_scores.first().copied().unwrap_or(f32::NAN),
            d_loss: latest.d_loss,
            g_loss: latest.g_loss,
            after: None,
            source: match lang {
                Lang::En => format!(
                    "one sample, as of step {}; losses of its batch of {batch}",
                    latest.step
                ),
                Lang::Fr => format!(
                    "un échantillon, au pas {} ; pertes de son lot de {batch}",
                    latest.step
                ),
            },
        }
    }

    /// The slow-motion step's first sample, and the losses on the samples it follows.
    pub(super) fn of_step(apart: &StepApart, lang: Lang) -> Self {
        let (before, dim) = (&apart.before, apart.dim);
        Self {
            z: point(&apart.noise[..apart.latent_dim]),
            real: point(&apart.real[..dim]),
            fake: point(&before.fake[..dim]),
            d_real: before.real_scores[0],
            d_fake: before.fake_scores[0],
            d_loss: before.d_loss,
            g_loss: before.g_loss,
            after: apart.after.as_ref().map(|after| {
                (
                    point(&after.fake[..dim]),
                    after.fake_scores[0],
                    after.real_scores[0],
                    after.d_loss,
                    after.g_loss,
                )
            }),
            source: match lang {
                Lang::En => format!("sample 1 of the {SHOWN} followed; losses on the {SHOWN}"),
                Lang::Fr => format!("échantillon 1 des {SHOWN} suivis ; pertes sur les {SHOWN}"),
            },
        }
    }
}

/// A point or a z: its first two values, and an ellipsis for the rest.
fn point(values: &[f32]) -> String {
    let shown: Vec<String> = values.iter().take(2).map(|v| format!("{v:+.2}")).collect();
    let more = if values.len() > 2 { ", …" } else { "" };
    match values.len() {
        1 => shown[0].clone(),
        _ => format!("({}{more})", shown.join(", ")),
    }
}

/// Paints the diagram from `top_left`, `width` wide; returns where it ends.
pub(super) fn paint(
    painter: &Painter,
    top_left: Pos2,
    width: f32,
    values: &Values,
    stage: Option<Stage>,
) -> f32 {
    let column = width * 0.46;
    let (left, right) = (top_left.x, top_left.x + width - column);
    let row = |i: f32| top_left.y + i * (ROW + GAP);
    let wide =
        |x: f32, i: f32| egui::Rect::from_min_size(egui::pos2(x, row(i)), egui::vec2(column, ROW));
    let narrow = |centre: f32, i: f32| {
        egui::Rect::from_center_size(
            egui::pos2(centre, row(i) + ROW / 2.0),
            egui::vec2(34.0, ROW),
        )
    };
    let lit = |stages: &[Stage]| stage.is_some_and(|s| stages.contains(&s));
    let dimmed = stage.is_some();
    let after = values.after.as_ref();
    let fake_text = match after {
        Some((fake, ..)) => format!("G(z) → {fake}"),
        None => format!("G(z) = {}", values.fake),
    };
    let change = |before: f32, after: Option<f32>, digits: usize| match after {
        Some(after) => format!("{before:.digits$} → {after:.digits$}"),
        None => format!("{before:.digits$}"),
    };
    let boxes = [
        (
            wide(left, 0.0),
            format!("z ~ N(0,1) = {}", values.z),
            lit(&[Stage::Draw]),
        ),
        (
            wide(right, 0.0),
            format!("real x = {}", values.real),
            lit(&[Stage::Draw]),
        ),
        (
            narrow(left + column / 2.0, 1.0),
            "G".into(),
            lit(&[Stage::Draw, Stage::Update]),
        ),
        (
            wide(left, 2.0),
            fake_text,
            lit(&[Stage::Draw, Stage::Update]),
        ),
        (
            narrow(top_left.x + width / 2.0, 3.0),
            "D".into(),
            lit(&[Stage::Verdicts, Stage::Update]),
        ),
        (
            wide(left, 4.0),
            format!("D(G(z)) = {}", change(values.d_fake, after.map(|a| a.1), 2)),
            lit(&[Stage::Verdicts, Stage::Update]),
        ),
        (
            wide(right, 4.0),
            format!("D(x) = {}", change(values.d_real, after.map(|a| a.2), 2)),
            lit(&[Stage::Verdicts, Stage::Update]),
        ),
        (
            wide(left, 5.0),
            format!("L_G = {}", change(values.g_loss, after.map(|a| a.4), 3)),
            lit(&[Stage::Losses, Stage::Gradients, Stage::Update]),
        ),
        (
            wide(right, 5.0),
            format!("L_D = {}", change(values.d_loss, after.map(|a| a.3), 3)),
            lit(&[Stage::Losses, Stage::Gradients, Stage::Update]),
        ),
    ];
    let [z, x, g, fake, d, d_fake, d_real, l_g, l_d] = boxes.each_ref().map(|(rect, ..)| *rect);
    let forward = Stroke::new(1.2, EDGE);
    for (from, to) in [
        (z.center_bottom(), g.center_top()),
        (g.center_bottom(), fake.center_top()),
        (fake.center_bottom(), d.left_center()),
        (x.center_bottom(), d.right_center()),
        (d.left_center(), d_fake.center_top()),
        (d.right_center(), d_real.center_top()),
        (d_fake.center_bottom(), l_g.center_top()),
        (d_fake.right_bottom(), l_d.left_top()),
        (d_real.center_bottom(), l_d.center_top()),
    ] {
        arrow(painter, from, to, forward);
    }
    if stage == Some(Stage::Gradients) {
        // Backpropagation, outside the boxes: G's loss back through D into G's weights, D's
        // loss into D's.
        let back = Stroke::new(2.0, GRADIENT);
        let (outer_left, outer_right) = (left - 8.0, top_left.x + width + 8.0);
        let bend =
            |from: Pos2, x: f32, to: Pos2| [from, egui::pos2(x, from.y), egui::pos2(x, to.y), to];
        let into_d = d.right_center() + egui::vec2(0.0, 5.0);
        for (route, label, at, align) in [
            (
                bend(l_g.left_center(), outer_left, g.left_center()),
                "∂L_G/∂θ_G",
                egui::pos2(outer_left + 4.0, d.center().y),
                Align2::LEFT_CENTER,
            ),
            (
                bend(l_d.right_center(), outer_right, into_d),
                "∂L_D/∂θ_D",
                egui::pos2(outer_right - 4.0, d.center().y + 14.0),
                Align2::RIGHT_CENTER,
            ),
        ] {
            painter.line_segment([route[0], route[1]], back);
            painter.line_segment([route[1], route[2]], back);
            arrow(painter, route[2], route[3], back);
            painter.text(at, align, label, FontId::proportional(12.0), GRADIENT);
        }
    }
    for (rect, text, on) in &boxes {
        let (edge, ink) = match (*on, dimmed) {
            (true, _) => (Stroke::new(2.0, LIT), Color32::WHITE),
            (false, true) => (Stroke::new(1.0, EDGE), Color32::GRAY),
            (false, false) => (Stroke::new(1.0, EDGE), Color32::LIGHT_GRAY),
        };
        let galley = painter.layout_no_wrap(text.clone(), FontId::monospace(11.5), ink);
        let rect = rect.union(egui::Rect::from_center_size(
            rect.center(),
            galley.size() + egui::vec2(10.0, 0.0),
        ));
        painter.rect(rect, 4.0, BOX, edge, StrokeKind::Inside);
        painter.galley(rect.center() - galley.size() / 2.0, galley, ink);
    }
    let bottom = row(6.0);
    let galley = painter.layout(
        values.source.clone(),
        FontId::proportional(11.0),
        Color32::GRAY,
        width,
    );
    let height = galley.size().y;
    painter.galley(egui::pos2(left, bottom), galley, Color32::GRAY);
    bottom + height
}

/// An arrow from `from` to `to` with a head of a fixed size.
fn arrow(painter: &Painter, from: Pos2, to: Pos2, stroke: Stroke) {
    let along = to - from;
    if along.length() < 1.0 {
        return;
    }
    let tip = 6.0 * along.normalized();
    let side = egui::vec2(-tip.y, tip.x) * 0.5;
    painter.line_segment([from, to], stroke);
    painter.line_segment([to, to - tip + side], stroke);
    painter.line_segment([to, to - tip - side], stroke);
}

/// Paints the stage's caption in a box from `top_left`, `width` wide.
pub(super) fn paint_caption(
    painter: &Painter,
    top_left: Pos2,
    width: f32,
    slow: &SlowStep,
    (config, latest): (&TrainConfig, Option<&StepValues>),
    lang: Lang,
) {
    let Some(stage) = slow.stage else {
        return;
    };
    let words = match &slow.apart {
        Some(apart) => caption(stage, apart, config, latest, lang),
        None => match lang {
            Lang::En => "drawing the step's samples…".into(),
            Lang::Fr => "on tire les échantillons du pas…".into(),
        },
    };
    let keys = match lang {
        Lang::En => "M: next stage · Esc: leave",
        Lang::Fr => "M : étape suivante · Échap : quitter",
    };
    let title = match lang {
        Lang::En => format!("Slow-motion step · {}/{}", stage.number(), Stage::COUNT),
        Lang::Fr => format!("Pas au ralenti · {}/{}", stage.number(), Stage::COUNT),
    };
    let inner = width - 16.0;
    let title = painter.layout(title, FontId::proportional(13.0), LIT, inner);
    let body = painter.layout(words, FontId::proportional(12.5), Color32::WHITE, inner);
    let keys = painter.layout(
        keys.into(),
        FontId::proportional(11.0),
        Color32::GRAY,
        inner,
    );
    let height = title.size().y + body.size().y + keys.size().y + 24.0;
    let rect = egui::Rect::from_min_size(top_left, egui::vec2(width, height));
    painter.rect(
        rect,
        6.0,
        Color32::from_black_alpha(200),
        Stroke::new(1.5, LIT),
        StrokeKind::Inside,
    );
    let mut y = top_left.y + 8.0;
    for galley in [title, body, keys] {
        let h = galley.size().y;
        painter.galley(egui::pos2(top_left.x + 8.0, y), galley, Color32::WHITE);
        y += h + 4.0;
    }
}

/// What happens at `stage`, with the step's own figures.
fn caption(
    stage: Stage,
    apart: &StepApart,
    config: &TrainConfig,
    latest: Option<&StepValues>,
    lang: Lang,
) -> String {
    let before = &apart.before;
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len().max(1) as f32;
    let (real, fake) = (mean(&before.real_scores), mean(&before.fake_scores));
    let (d_formula, g_formula) = match apart.loss {
        LossKind::Minimax => ("−log D(x) − log(1 − D(G(z)))", "log(1 − D(G(z)))"),
        LossKind::NonSaturating => ("−log D(x) − log(1 − D(G(z)))", "−log D(G(z))"),
        LossKind::Lsgan => ("½(D(x) − 1)² + ½D(G(z))²", "½(D(G(z)) − 1)²"),
    };
    let batch = config.batch_size;
    match (stage, lang) {
        (Stage::Draw, Lang::En) => format!(
            "Draw: noise z ~ N(0, 1) goes through G to make fakes (ringed pink); real points come from the data (ringed green). The step takes {batch} of each; {SHOWN} drawn the same way are followed here."
        ),
        (Stage::Draw, Lang::Fr) => format!(
            "Tirage : le bruit z ~ N(0, 1) passe par G et donne des faux (cerclés de rose) ; les vrais points viennent des données (cerclés de vert). Le pas en prend {batch} de chaque ; on en suit ici {SHOWN} tirés de la même façon."
        ),
        (Stage::Verdicts, Lang::En) => format!(
            "Verdicts: D gives each point the probability that it is real. On these, D(x) is {real:.2} on the real points and D(G(z)) {fake:.2} on the fakes: ½ on both would mean D cannot tell them apart."
        ),
        (Stage::Verdicts, Lang::Fr) => format!(
            "Verdicts : D donne à chaque point la probabilité qu'il soit réel. Ici, D(x) vaut {real:.2} sur les vrais points et D(G(z)) {fake:.2} sur les faux : ½ des deux côtés voudrait dire que D ne les distingue plus."
        ),
        (Stage::Losses, Lang::En) => format!(
            "Losses: D's is {d_formula} = {:.3} on these points; G's is {g_formula} = {:.3}. D wants its loss low by telling real from fake; G wants its own low by fooling D.",
            before.d_loss, before.g_loss
        ),
        (Stage::Losses, Lang::Fr) => format!(
            "Pertes : celle de D est {d_formula} = {:.3} sur ces points ; celle de G, {g_formula} = {:.3}. D baisse la sienne en distinguant le vrai du faux ; G baisse la sienne en trompant D.",
            before.d_loss, before.g_loss
        ),
        (Stage::Gradients, Lang::En) => format!(
            "Gradients: backpropagation carries G's loss back through D to each fake (yellow arrows: −∂L_G/∂x, where G's loss wants it to go), then through G to its weights. D's loss gives D's weights theirs.{}",
            latest.map_or(String::new(), |v| format!(
                " Last step's gradient norms: G {:.3}, D {:.3}.",
                v.g_grad_norm, v.d_grad_norm
            ))
        ),
        (Stage::Gradients, Lang::Fr) => format!(
            "Gradients : la rétropropagation ramène la perte de G à travers D jusqu'à chaque faux (flèches jaunes : −∂L_G/∂x, là où la perte de G veut l'emmener), puis à travers G jusqu'à ses poids. La perte de D donne les leurs aux poids de D.{}",
            latest.map_or(String::new(), |v| format!(
                " Normes des gradients au dernier pas : G {:.3}, D {:.3}.",
                v.g_grad_norm, v.d_grad_norm
            ))
        ),
        (Stage::Update, lang) => update_caption(apart, config, lang),
    }
}

fn update_caption(apart: &StepApart, config: &TrainConfig, lang: Lang) -> String {
    let (k, lr_d, lr_g) = (config.d_steps, config.lr_d, config.lr_g);
    let Some(after) = &apart.after else {
        return match lang {
            Lang::En => "Update: training the step…".into(),
            Lang::Fr => "Mise à jour : le pas s'entraîne…".into(),
        };
    };
    let (g0, g1) = (apart.before.g_loss, after.g_loss);
    match lang {
        Lang::En => format!(
            "Update: Adam moved D's weights ({k} step{} at lr {lr_d}), then G's (lr {lr_g}). The white arrows show how far the same z's moved, drawn {MOVE_GAIN}× longer; G's loss on them went from {g0:.3} to {g1:.3}. M draws the next step.",
            if k == 1 { "" } else { "s" }
        ),
        Lang::Fr => format!(
            "Mise à jour : Adam a déplacé les poids de D ({k} pas à un taux de {lr_d}), puis ceux de G (taux {lr_g}). Les flèches blanches montrent de combien les mêmes z ont bougé, tracées {MOVE_GAIN} fois plus longues ; la perte de G sur eux est passée de {g0:.3} à {g1:.3}. M tire le pas suivant."
        ),
    }
}

/// Rings the step's samples on the picture, with D's verdicts from the verdicts stage on, their
/// pull at the gradients stage, and where the update moved them. `to_screen` places fractions
/// of the picture's side from its top-left corner.
pub(super) fn mark_samples(
    painter: &Painter,
    apart: &StepApart,
    stage: Stage,
    to_screen: impl Fn([f32; 2]) -> Option<Pos2>,
) {
    let (dim, extent) = (apart.dim, apart.extent);
    let place = |p: &[f32]| to_screen(picture::place(dim, extent, p));
    let font = FontId::monospace(11.0);
    let verdicts = stage != Stage::Draw;
    let now = apart.after.as_ref().unwrap_or(&apart.before);
    // In 1D both kinds sit on the x line: the real ones' labels go below it.
    let below = if dim == 1 { 14.0 } else { -12.0 };
    for (i, real) in apart.real.chunks_exact(dim).enumerate() {
        let Some(at) = place(real) else { continue };
        painter.circle_stroke(at, 6.0, Stroke::new(2.0, REAL));
        if verdicts {
            let text = format!("{:.2}", now.real_scores[i]);
            painter.text(
                at + egui::vec2(0.0, -below),
                Align2::CENTER_CENTER,
                text,
                font.clone(),
                REAL,
            );
        }
    }
    let before = apart.before.fake.chunks_exact(dim);
    for (i, fake) in before.enumerate() {
        let Some(from) = place(fake) else { continue };
        if dim == 1
            && let Some(z) = to_screen(picture::place_z(apart.noise[i * apart.latent_dim]))
        {
            painter.line_segment([z, from], Stroke::new(1.0, FAKE.gamma_multiply(0.6)));
        }
        painter.circle_stroke(from, 6.0, Stroke::new(2.0, FAKE));
        painter.text(
            from + egui::vec2(-10.0, -10.0),
            Align2::RIGHT_BOTTOM,
            format!("{}", i + 1),
            font.clone(),
            FAKE,
        );
        if stage == Stage::Gradients {
            let pull = &apart.before.pull[i * dim..(i + 1) * dim];
            let largest = apart
                .before
                .pull
                .chunks_exact(dim)
                .map(length)
                .fold(1e-9, f32::max);
            let direction = if dim == 1 {
                Vec2::new(pull[0], 0.0)
            } else {
                Vec2::new(pull[0], -pull[1])
            };
            let tip = direction / largest * 40.0;
            arrow(
                painter,
                from,
                from + egui::vec2(tip.x, tip.y),
                Stroke::new(2.5, LIT),
            );
        }
        if let Some(after) = &apart.after {
            let to = place(&after.fake[i * dim..(i + 1) * dim]).unwrap_or(from);
            let tip = from + (to - from) * MOVE_GAIN;
            arrow(painter, from, tip, Stroke::new(2.0, Color32::WHITE));
            painter.circle_filled(tip, 3.0, FAKE);
        }
        if verdicts {
            let text = format!("{:.2}", now.fake_scores[i]);
            painter.text(
                from + egui::vec2(10.0, -10.0),
                Align2::LEFT_BOTTOM,
                text,
                font.clone(),
                FAKE,
            );
        }
    }
}

fn length(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_show_two_values_and_say_when_there_are_more() {
        assert_eq!(point(&[0.5]), "+0.50");
        assert_eq!(point(&[0.5, -1.25]), "(+0.50, -1.25)");
        assert_eq!(point(&[0.5, -1.25, 3.0]), "(+0.50, -1.25, …)");
    }
}
