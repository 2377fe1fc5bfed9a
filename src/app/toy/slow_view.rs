//! What the slow-motion step paints besides the diagram: the stage's caption, with the step's
//! own figures, and its marks on the picture (the step's samples ringed, D's verdicts beside
//! them, their pull, and how far the update moved them).

use bevy::prelude::Vec2;
use bevy_egui::egui::{self, Align2, Color32, FontId, Painter, Pos2, Stroke, StrokeKind};

use crate::app::toy::diagram::{FAKE, LIT, MOVE_GAIN, REAL, arrow};
use crate::app::toy::slow_step::{SlowStep, Stage};
use crate::gan::LossKind;
use crate::gan::config::TrainConfig;
use crate::gan::training::stats::StepValues;
use crate::judge::detect::Lang;
use crate::toy::picture;
use crate::toy::step_apart::{SHOWN, StepApart};

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
