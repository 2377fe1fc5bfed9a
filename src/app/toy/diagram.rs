//! The seed's diagram, live: z ~ N(0, 1) → G → G(z) → D ← real x, D's two verdicts and the
//! two losses, with the values of the current step, beside the toy picture. During a
//! slow-motion step it follows that step's first sample, lights the stage's boxes and draws the
//! gradients flowing back; the step's caption and its marks on the picture are
//! [`crate::app::toy::slow_view`]'s.

use bevy_egui::egui::{self, Align2, Color32, FontId, Painter, Pos2, Stroke, StrokeKind};

use crate::app::toy::slow_step::Stage;
use crate::gan::training::stats::StepValues;
use crate::judge::detect::Lang;
use crate::toy::step_apart::{SHOWN, StepApart};
use crate::toy::view::ToyView;

const BOX: Color32 = Color32::from_rgb(38, 40, 46);
const EDGE: Color32 = Color32::from_gray(110);
pub(super) const LIT: Color32 = Color32::from_rgb(250, 210, 90);
const GRADIENT: Color32 = Color32::from_rgb(255, 150, 60);
pub(super) const REAL: Color32 = Color32::from_rgb(115, 240, 140);
pub(super) const FAKE: Color32 = Color32::from_rgb(255, 128, 240);
/// One step moves a fake by a pixel or two: its arrow is drawn this many times longer.
pub(super) const MOVE_GAIN: f32 = 10.0;
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
pub(super) fn arrow(painter: &Painter, from: Pos2, to: Pos2, stroke: Stroke) {
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
