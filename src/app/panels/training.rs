//! The training section: play, step, and the settings that Apply and Reset hand on.

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32, RichText, Ui};

use crate::app::panels::UiState;
use crate::app::training::{Control, TrainingState};
use crate::app::what_d_sees::WhatDSeesView;
use crate::gan::{LossKind, Preset, StepMode};

pub(super) fn training_section(
    ui: &mut Ui,
    ui_state: &mut UiState,
    state: &TrainingState,
    controls: &mut MessageWriter<Control>,
    d_view: &mut ResMut<WhatDSeesView>,
    without_gpu: bool,
) {
    ui.heading("Training");
    ui.add_enabled_ui(state.can_train, |ui| {
        ui.horizontal(|ui| {
            let label = if state.playing {
                "⏸ Pause"
            } else {
                "▶ Play"
            };
            if ui.button(label).on_hover_text("Space").clicked() {
                controls.write(Control::TogglePlay);
            }
            if ui
                .button("Step")
                .on_hover_text("S: one D step then one G step")
                .clicked()
            {
                controls.write(Control::Step(StepMode::Both));
            }
            if ui.button("D only").clicked() {
                controls.write(Control::Step(StepMode::DiscriminatorOnly));
            }
            if ui.button("G only").clicked() {
                controls.write(Control::Step(StepMode::GeneratorOnly));
            }
        });
    });
    let digits = state.settings.config.toy.is_none();
    if digits
        && ui
            .selectable_label(d_view.window_open, "What D sees")
        .on_hover_text(
            "D's verdict on each digit, its saliency, the change G wants and the change it makes, real against generated (V)",
        )
            .clicked()
    {
        d_view.toggle_window();
    }
    let draft = ui_state.draft.get_or_insert_with(|| {
        state
            .pending_reset
            .clone()
            .unwrap_or(state.settings.clone())
    });
    let config = &mut draft.config;
    egui::Grid::new("settings").num_columns(2).show(ui, |ui| {
        crate::app::toy::panel::scene_row(ui, config);
        ui.label("preset");
        let before = config.preset;
        let (stable, course) = match config.toy {
            Some(_) => (
                "four layers of 64 in G, Adam β (0, 0.99), a light R1 penalty, averaged weights",
                "the seed's recipe: Linear+ReLU G, Linear+LeakyReLU D, Adam β₁ 0.5, D ten times slower than G: it collapses",
            ),
            None => (
                "BatchNorm + LeakyReLU in G, label smoothing",
                "the course's Linear+ReLU / Linear+LeakyReLU networks",
            ),
        };
        egui::ComboBox::from_id_salt("preset")
            .selected_text(config.preset.name())
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut config.preset, Preset::Stable, "stable")
                    .on_hover_text(stable);
                ui.selectable_value(&mut config.preset, Preset::Course, "course")
                    .on_hover_text(course);
                if config.toy.is_none() {
                    ui.selectable_value(&mut config.preset, Preset::Dcgan, "dcgan")
                        .on_hover_text(
                            "convolutional G and D (DCGAN): learns more per step, made for a GPU",
                        );
                }
            });
        if config.toy.is_some() && config.preset != before {
            *config = config.clone().with_toy_preset(config.preset);
        }
        ui.end_row();
        if let Some(slowdown) = config.preset.cpu_slowdown().filter(|_| without_gpu) {
            ui.label("");
            ui.label(
                RichText::new(format!("slow without a GPU: {slowdown}"))
                    .small()
                    .color(Color32::from_rgb(240, 190, 90)),
            );
            ui.end_row();
        }
        ui.label("loss");
        egui::ComboBox::from_id_salt("loss")
            .selected_text(config.loss.name())
            .show_ui(ui, |ui| {
                for loss in [LossKind::NonSaturating, LossKind::Minimax, LossKind::Lsgan] {
                    ui.selectable_value(&mut config.loss, loss, loss.name());
                }
            });
        ui.end_row();
        ui.label("LR of G");
        ui.add(egui::Slider::new(&mut config.lr_g, 1e-5..=1e-2).logarithmic(true));
        ui.end_row();
        ui.label("LR of D");
        ui.add(egui::Slider::new(&mut config.lr_d, 1e-5..=1e-2).logarithmic(true));
        ui.end_row();
        ui.label("batch size");
        ui.add(egui::Slider::new(&mut config.batch_size, 8..=512).logarithmic(true));
        ui.end_row();
        ui.label("D steps per G step");
        ui.add(egui::Slider::new(&mut config.d_steps, 1..=5));
        ui.end_row();
        ui.label("seed");
        ui.add(egui::DragValue::new(&mut config.seed));
        ui.end_row();
        ui.label("frame budget (ms)");
        ui.add(egui::Slider::new(&mut draft.frame_budget_ms, 1.0..=50.0));
        ui.end_row();
    });
    let changed = *draft
        != state
            .pending_reset
            .clone()
            .unwrap_or(state.settings.clone());
    let needs_reset = state.settings.needs_reset(draft);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(changed, egui::Button::new("Apply"))
            .clicked()
        {
            controls.write(Control::Apply(draft.clone()));
        }
        if ui
            .button("Reset")
            .on_hover_text("R: fresh networks from these settings")
            .clicked()
        {
            controls.write(Control::Apply(draft.clone()));
            controls.write(Control::Reset);
        }
    });
    if needs_reset {
        ui.label(RichText::new("scene, preset, loss, batch and seed take effect on Reset; learning rates, D steps and budget apply live").small());
    }
    if !changed {
        ui_state.draft = None; // Follow the running settings until the user edits.
    }
}
