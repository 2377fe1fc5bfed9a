//! The status section: backend, data, networks and the step's figures.

use bevy_egui::egui::{self, Color32, RichText, Ui};

use crate::app::training::dataset::DatasetStatus;
use crate::app::training::device::TrainingDevice;
use crate::app::training::{TrainingState, describe};
use crate::backend::Resolved;

pub(super) fn status_section(
    ui: &mut Ui,
    state: &TrainingState,
    data: &DatasetStatus,
    device: Option<&TrainingDevice>,
    shown_step: u64,
    fps: f32,
) {
    ui.heading("ganimate");
    let backend = device.map_or("starting…".to_string(), |d| d.resolved().describe());
    ui.label(format!("backend: {backend}"));
    if let Some(TrainingDevice::Cpu {
        resolved: Resolved::Cpu {
            reason: Some(reason),
        },
    }) = device
    {
        ui.label(
            RichText::new(reason)
                .small()
                .color(Color32::from_rgb(240, 190, 90)),
        );
    }
    if let Some(TrainingDevice::Gpu {
        resolved: Resolved::Gpu { software: true, .. },
        ..
    }) = device
    {
        ui.label(
            RichText::new("software adapter: expect slow training")
                .color(Color32::from_rgb(240, 190, 90)),
        );
    }
    match (&state.settings.config.toy, data) {
        (Some(toy), _) => {
            ui.label(format!(
                "data: toy points, {} ({}D, view ±{})",
                toy.data, toy.dim, toy.extent
            ));
        }
        (None, data) => data_status(ui, data),
    }
    ui.label(format!("networks: {}", state.origin));
    ui.label(describe(&state.settings.config));
    egui::Grid::new("status").num_columns(2).show(ui, |ui| {
        ui.label("step");
        ui.label(format!("{} (shown: {shown_step})", state.step));
        ui.end_row();
        ui.label("epoch");
        ui.label(format!("{:.2}", state.epoch));
        ui.end_row();
        ui.label("samples/s");
        ui.label(if state.in_background {
            format!("{:.0} (on a thread of its own)", state.samples_per_sec)
        } else {
            format!(
                "{:.0} ({} steps/frame, {:.1} ms/step)",
                state.samples_per_sec, state.steps_last_frame, state.step_ms
            )
        });
        ui.end_row();
        ui.label("fps");
        ui.label(format!("{fps:.1}"));
        ui.end_row();
        if let Some(v) = state.latest() {
            ui.label("D(x) / D(G(z))");
            ui.label(format!("{:.3} / {:.3}", v.d_real, v.d_fake));
            ui.end_row();
        }
    });
    if let Some(notice) = &state.notice {
        ui.label(RichText::new(notice).italics());
    }
}

/// Where the digits come from, or how far their download has got.
fn data_status(ui: &mut Ui, data: &DatasetStatus) {
    match data {
        DatasetStatus::Loading { message, fraction } => {
            ui.label(message);
            if let Some(fraction) = fraction {
                ui.add(egui::ProgressBar::new(*fraction).show_percentage());
            }
        }
        DatasetStatus::Ready(loaded) => {
            ui.label(format!("data: {}", loaded.description));
        }
        DatasetStatus::Unavailable(message) => {
            ui.label(
                RichText::new("no training data")
                    .strong()
                    .color(Color32::from_rgb(240, 190, 90)),
            );
            ui.label(RichText::new(message).small());
        }
    }
}
