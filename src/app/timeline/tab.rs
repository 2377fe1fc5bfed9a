//! The bottom panel's timeline tab: the fixed-noise grid at any snapshot since step 0, with a
//! scrubber and a replay button, beside the loss curves marked at that step.

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32, RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints, VLine};

use crate::app::timeline::{Timeline, TimelineControl, replay_length};
use crate::data::{IMAGE_SIDE, Images, grid};

#[derive(bevy::ecs::system::SystemParam)]
pub struct TimelinePanel<'w> {
    timeline: Res<'w, Timeline>,
    controls: MessageWriter<'w, TimelineControl>,
}

/// The tiled grid's texture, rewritten in place as the scrubber moves.
#[derive(Default)]
pub struct GridTexture {
    texture: Option<egui::TextureHandle>,
    shown: Option<u64>,
}

/// The tab; `losses` are the D and G loss curves as the other tab plots them.
pub(in crate::app) fn tab(
    ui: &mut Ui,
    panel: &mut TimelinePanel,
    texture: &mut GridTexture,
    losses: [Vec<[f64; 2]>; 2],
    height: f32,
) {
    // The panel takes its content's height: hold it, or it would shrink to this tab's.
    ui.set_min_height(height);
    let timeline = &*panel.timeline;
    let Some((step, pixels)) = timeline.grids.get(timeline.shown) else {
        ui.label("The timeline starts with the first digits drawn.");
        return;
    };
    texture.show(ui.ctx(), step, pixels);
    ui.horizontal(|ui| {
        let side = (height - 8.0).min(ui.available_width() / 3.0).max(80.0);
        if let Some(texture) = &texture.texture {
            ui.image((texture.id(), egui::vec2(side, side)));
        }
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                let mut shown = timeline.shown;
                let last = timeline.grids.len() - 1;
                let slider = egui::Slider::new(&mut shown, 0..=last)
                    .show_value(false)
                    .text(format!("step {step}"));
                if ui.add(slider).changed() {
                    panel.controls.write(TimelineControl::Show(shown));
                }
                if ui
                    .button(if timeline.replaying {
                        "⏸"
                    } else {
                        "▶ Replay"
                    })
                    .on_hover_text(format!(
                        "Plays the grid's {} snapshots in {:.0} s",
                        timeline.grids.len(),
                        replay_length(timeline).as_secs_f32()
                    ))
                    .clicked()
                {
                    panel.controls.write(if timeline.replaying {
                        TimelineControl::Show(timeline.shown)
                    } else {
                        TimelineControl::Replay
                    });
                }
                if ui.selectable_label(timeline.live, "live").clicked() {
                    panel.controls.write(TimelineControl::Live);
                }
            });
            ui.label(
                RichText::new(format!(
                    "{} snapshots, one every {} steps (the older ones thin out to keep memory \
                     bounded)",
                    timeline.grids.len(),
                    timeline.grids.spacing()
                ))
                .small(),
            );
            let [d_loss, g_loss] = losses;
            Plot::new("timeline-losses")
                .height((height - 50.0).max(60.0))
                .legend(Legend::default())
                .x_axis_label("step")
                .show(ui, |plot| {
                    plot.line(
                        Line::new("D loss", PlotPoints::from(d_loss))
                            .color(Color32::from_rgb(230, 120, 80)),
                    );
                    plot.line(
                        Line::new("G loss", PlotPoints::from(g_loss))
                            .color(Color32::from_rgb(90, 170, 240)),
                    );
                    plot.vline(VLine::new("shown", step as f64).color(Color32::GRAY));
                });
        });
    });
}

impl GridTexture {
    fn show(&mut self, ctx: &egui::Context, step: u64, pixels: &[u8]) {
        if self.shown == Some(step) {
            return;
        }
        self.shown = Some(step);
        let images = Images {
            count: pixels.len() / (IMAGE_SIDE * IMAGE_SIDE),
            rows: IMAGE_SIDE,
            cols: IMAGE_SIDE,
            pixels: pixels.to_vec(),
        };
        let tiled = grid::tile(&images, grid::columns_for(images.count), 2);
        let image = egui::ColorImage::from_gray([tiled.width, tiled.height], &tiled.pixels);
        match &mut self.texture {
            // In place: a new texture would blank the picture for a frame (see DigitTextures).
            Some(texture) if texture.size() == [tiled.width, tiled.height] => {
                texture.set_partial([0, 0], image, egui::TextureOptions::NEAREST)
            }
            _ => {
                self.texture =
                    Some(ctx.load_texture("timeline-grid", image, egui::TextureOptions::NEAREST))
            }
        }
    }
}
