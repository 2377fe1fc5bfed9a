//! The bottom panel's tabs: losses and D's outputs, the judge's figures, gradient norms and the
//! timeline.

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32, Ui};
use egui_plot::{HLine, Legend, Line, Plot, PlotPoints};

use crate::app::lessons::{self, Quality};
use crate::app::panels::{PlotTab, UiState, plot_line};
use crate::app::timeline::{
    self,
    tab::{GridTexture, TimelinePanel},
};
use crate::app::training::TrainingState;
use crate::gan::StepValues;

/// The bottom panel: the chosen tab's plots, smoothed over the chosen window.
pub(super) fn plots(
    ui: &mut Ui,
    ui_state: &mut UiState,
    state: &TrainingState,
    quality: &Quality,
    (timeline, grid_texture): &mut (TimelinePanel, Local<GridTexture>),
) {
    let history = &state.history;
    let lang = quality.lang;
    ui.horizontal(|ui| {
        for (tab, label) in [
            (PlotTab::Training, lang.pick("losses and D", "pertes et D")),
            (
                PlotTab::Quality,
                lang.pick("quality (judge)", "qualité (juge)"),
            ),
            (
                PlotTab::Gradients,
                lang.pick("gradient norms", "normes des gradients"),
            ),
            (PlotTab::Timeline, lang.pick("timeline", "chronologie")),
        ] {
            ui.selectable_value(&mut ui_state.plot_tab, tab, label);
        }
        ui.separator();
        ui.add(
            egui::Slider::new(&mut ui_state.smoothing, 1..=200)
                .logarithmic(true)
                .text("smoothing (steps)"),
        );
        ui.checkbox(&mut ui_state.log_steps, "log step axis");
    });
    let log = ui_state.log_steps;
    let x = |step: u64| {
        if log {
            (step.max(1) as f64).log10()
        } else {
            step as f64
        }
    };
    let series = |pick: fn(&StepValues) -> f32| {
        PlotPoints::from(plot_line::smoothed(
            history.iter().map(|v| (x(v.step), f64::from(pick(v)))),
            ui_state.smoothing,
        ))
    };
    let step_axis = move |mark: egui_plot::GridMark, _: &std::ops::RangeInclusive<f64>| {
        if log {
            format!("{:.0}", 10f64.powf(mark.value))
        } else {
            format!("{:.0}", mark.value)
        }
    };
    let width = (ui.available_width() - 10.0) / 2.0;
    let height = ui.available_height().max(80.0);
    match ui_state.plot_tab {
        PlotTab::Training => {}
        PlotTab::Quality => {
            lessons::panel::quality_plots(ui, quality, ui.available_width(), height);
            return;
        }
        PlotTab::Gradients => {
            lessons::panel::gradient_plot(ui, state, ui_state.smoothing, height);
            return;
        }
        PlotTab::Timeline => {
            let loss = |pick: fn(&StepValues) -> f32| {
                plot_line::smoothed(
                    history.iter().map(|v| (v.step as f64, f64::from(pick(v)))),
                    ui_state.smoothing,
                )
            };
            let losses = [loss(|v| v.d_loss), loss(|v| v.g_loss)];
            timeline::tab::tab(ui, timeline, grid_texture, losses, height);
            return;
        }
    }
    ui.horizontal(|ui| {
        Plot::new("losses")
            .width(width)
            .height(height)
            .legend(Legend::default())
            .x_axis_label("step")
            .x_axis_formatter(step_axis)
            .show(ui, |plot| {
                plot.line(
                    Line::new("D loss", series(|v| v.d_loss))
                        .color(Color32::from_rgb(230, 120, 80)),
                );
                plot.line(
                    Line::new("G loss", series(|v| v.g_loss))
                        .color(Color32::from_rgb(90, 170, 240)),
                );
            });
        Plot::new("outputs")
            .width(width)
            .height(height)
            .legend(Legend::default())
            .include_y(0.0)
            .include_y(1.0)
            .x_axis_label("step")
            .x_axis_formatter(step_axis)
            .show(ui, |plot| {
                plot.hline(HLine::new("0.5: Nash equilibrium", 0.5).color(Color32::GRAY));
                plot.line(
                    Line::new("D(x)", series(|v| v.d_real)).color(Color32::from_rgb(120, 210, 120)),
                );
                plot.line(
                    Line::new("D(G(z))", series(|v| v.d_fake))
                        .color(Color32::from_rgb(220, 100, 200)),
                );
            });
    });
}
