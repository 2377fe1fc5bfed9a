//! The "What D sees" window ([`crate::app::what_d_sees`]): for the last hovered grid digit, D's verdict
//! and saliency, the change G's loss wants and the change G's steps made; then D's verdicts on
//! real against generated digits.

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32, RichText, Ui};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};
use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::app::scene::canvas::Canvas;
use crate::app::schedule::{SceneOnly, UiSystems};
use crate::app::training::TrainingState;
use crate::app::what_d_sees::{HISTOGRAM_DIGITS, InspectedDigit, WhatDSeesReadings, WhatDSeesView};
use crate::data::IMAGE_SIDE;
use crate::gan::LossKind;
use crate::gan::what_d_sees::{VerdictHistogram, overlay, picture_scale, signed_colours};

/// Side of the three close-ups, in points.
const CLOSE_UP: f32 = 112.0;
const REAL: Color32 = Color32::from_rgb(255, 110, 80);
const FAKE: Color32 = Color32::from_rgb(80, 140, 255);

#[derive(bevy::ecs::system::SystemParam)]
pub struct WhatDSeesWindow<'w> {
    view: ResMut<'w, WhatDSeesView>,
    readings: Res<'w, WhatDSeesReadings>,
    state: Res<'w, TrainingState>,
}

pub(in crate::app) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        window.in_set(UiSystems::Windows).in_set(SceneOnly::Digits),
    );
}

/// The window, when open and the panels are shown.
fn window(
    mut contexts: EguiContexts,
    canvas: Res<Canvas>,
    mut window: WhatDSeesWindow,
    mut textures: Local<CloseUps>,
) -> Result {
    if !canvas.show_panels || !window.view.window_open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let mut open = true;
    egui::Window::new("What D sees")
        .open(&mut open)
        .resizable(false)
        .default_pos(egui::pos2(520.0, 40.0))
        .show(&ctx, |ui| contents(ui, &mut window, &mut textures));
    if !open {
        window.view.window_open = false;
    }
    Ok(())
}

fn contents(ui: &mut Ui, window: &mut WhatDSeesWindow, textures: &mut CloseUps) {
    let readings = &*window.readings;
    let mut outline = window.view.outline;
    if ui
        .checkbox(&mut outline, "frame the grid by D's verdict")
        .on_hover_text(
            "Red: D takes the digit for real. Blue: D sees a fake. No frame: D can't tell.",
        )
        .changed()
    {
        window.view.outline = outline;
    }
    if !window.state.can_train {
        ui.label(
            RichText::new(
                "No training data: D cannot learn here. From a generator-only checkpoint, like \
                 the pretrained one, it has never seen a digit and its verdicts mean nothing.",
            )
            .color(Color32::from_rgb(230, 180, 80)),
        );
    }
    let (Some(inspected), Some(loss)) = (&readings.inspected, readings.loss) else {
        ui.label("reading D…");
        return;
    };
    textures.refresh(ui.ctx(), readings.version, inspected);
    let caption = ui.label(
        RichText::new(format!(
            "grid digit {} at step {} (hover another to look at it)",
            inspected.index + 1,
            readings.step
        ))
        .weak(),
    );
    if window
        .state
        .settings
        .config
        .preset
        .average_decay()
        .is_some()
    {
        caption.on_hover_text(
            "Drawn by the generator being trained, which each G step changes; the grid shows \
             its moving average, which follows it slowly.",
        );
    }
    close_ups(ui, inspected, loss, textures);
    ui.horizontal(|ui| {
        ui.label(RichText::new("■ more real to D").color(REAL));
        ui.label(RichText::new("■ more fake to D").color(FAKE));
    });
    ui.separator();
    match &readings.histogram {
        Some(histogram) => verdicts(ui, histogram),
        None => {
            ui.label("judging real and generated digits…");
        }
    }
}

fn close_ups(ui: &mut Ui, inspected: &InspectedDigit, loss: LossKind, textures: &CloseUps) {
    let seen = &inspected.seen;
    let pull = loss.generator_pull(seen.logit);
    let captions = [
        (
            "D's saliency ∂D/∂x".to_string(),
            format!("D(x) = {:.3}", seen.score),
            "Over the digit: where brighter pixels would make D call it more real (red) or more \
             fake (blue).",
        ),
        (
            "G wants −∂L_G/∂x".to_string(),
            format!("pull on D's logit {pull:.3}"),
            "The change G's loss asks of these pixels. It points where D's saliency points; its \
             strength is the loss's pull, which vanishes under the minimax loss once D rejects \
             the fake.",
        ),
        (
            match &inspected.did {
                Some((_, steps)) => format!("G did, per step ({steps} steps)"),
                None => "G did, per step".to_string(),
            },
            match inspected.agreement {
                Some(cos) => format!("cos {cos:.2} with wanted"),
                None => "train a step to see".to_string(),
            },
            "How G's own steps changed the digit since the last reading, per step. G moves its \
             weights for a whole batch (with Adam, and for an averaged generator, its average), \
             so this follows the wanted change only in part.",
        ),
    ];
    ui.horizontal(|ui| {
        for (index, (title, figure, hover)) in captions.iter().enumerate() {
            ui.vertical(|ui| {
                ui.label(RichText::new(title).small());
                match textures.get(index) {
                    Some(texture) => {
                        ui.add(
                            egui::Image::new(texture)
                                .fit_to_exact_size(egui::vec2(CLOSE_UP, CLOSE_UP)),
                        )
                        .on_hover_text(*hover);
                    }
                    None => {
                        ui.allocate_space(egui::vec2(CLOSE_UP, CLOSE_UP));
                    }
                }
                ui.label(RichText::new(figure).small());
            });
        }
    });
}

fn verdicts(ui: &mut Ui, histogram: &VerdictHistogram) {
    let has_real = histogram.real.iter().any(|&count| count > 0);
    let summary = if has_real {
        format!(
            "D on {HISTOGRAM_DIGITS} real and {HISTOGRAM_DIGITS} generated digits: mean {:.2} \
             vs {:.2}, overlap {:.0} %",
            histogram.real_mean,
            histogram.fake_mean,
            histogram.overlap() * 100.0
        )
    } else {
        format!(
            "D on {HISTOGRAM_DIGITS} generated digits: mean {:.2} (no real digits loaded to \
             compare with)",
            histogram.fake_mean
        )
    };
    ui.label(RichText::new(summary).small()).on_hover_text(
        "At the game's equilibrium D cannot tell them apart: the two overlap fully.",
    );
    let width = histogram.bin_width() as f64;
    let bars = |counts: &[u32], colour: Color32| -> Vec<Bar> {
        let total = counts.iter().sum::<u32>().max(1) as f64;
        counts
            .iter()
            .enumerate()
            .map(|(bin, &count)| {
                Bar::new(
                    histogram.bin_centre(bin) as f64,
                    count as f64 / total * 100.0,
                )
                .width(width)
                .fill(colour.gamma_multiply(0.6))
            })
            .collect()
    };
    Plot::new("verdicts")
        .height(120.0)
        .width(3.0 * CLOSE_UP + 16.0)
        .legend(Legend::default())
        .include_y(0.0)
        .include_x(histogram.range.0 as f64)
        .include_x(histogram.range.1 as f64)
        .x_axis_label("D's verdict")
        .y_axis_label("%")
        .show_x(false)
        .show_y(false)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            if has_real {
                plot.bar_chart(BarChart::new("real", bars(&histogram.real, REAL)).color(REAL));
            }
            plot.bar_chart(BarChart::new("generated", bars(&histogram.fake, FAKE)).color(FAKE));
        });
}

/// The three close-ups' textures, rewritten in place when a reading arrives (see
/// [`crate::app::scene::canvas::DigitTextures`] for why in place).
#[derive(Default)]
pub struct CloseUps {
    version: Option<u64>,
    textures: Vec<egui::TextureHandle>,
}

impl CloseUps {
    fn refresh(&mut self, ctx: &egui::Context, version: u64, inspected: &InspectedDigit) {
        if self.version == Some(version) {
            return;
        }
        self.version = Some(version);
        let seen = &inspected.seen;
        let mut pictures = vec![
            overlay(
                &inspected.image,
                &seen.saliency,
                picture_scale(&seen.saliency),
            ),
            signed_colours(&seen.wanted, picture_scale(&seen.wanted)),
        ];
        if let Some((did, _)) = &inspected.did {
            pictures.push(signed_colours(did, picture_scale(did)));
        }
        for (index, picture) in pictures.iter().enumerate() {
            let rgb: Vec<u8> = picture.iter().flatten().copied().collect();
            let image = egui::ColorImage::from_rgb([IMAGE_SIDE, IMAGE_SIDE], &rgb);
            match self.textures.get_mut(index) {
                Some(texture) => texture.set_partial([0, 0], image, egui::TextureOptions::NEAREST),
                None => self.textures.push(ctx.load_texture(
                    format!("what-d-sees-{index}"),
                    image,
                    egui::TextureOptions::NEAREST,
                )),
            }
        }
        self.textures.truncate(pictures.len());
    }

    fn get(&self, index: usize) -> Option<&egui::TextureHandle> {
        self.textures.get(index)
    }
}
