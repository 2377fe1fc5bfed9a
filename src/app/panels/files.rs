//! The sections that write files: the checkpoint folder, and the recording and screenshots.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::egui::{self, RichText, Ui};

use crate::app::panels::UiState;
use crate::app::recording::{RecordControl, Recorder};
use crate::app::training::{Control, TrainingState};
use crate::fsutil::tidy;

pub(super) fn checkpoint_section(
    ui: &mut Ui,
    ui_state: &mut UiState,
    state: &TrainingState,
    controls: &mut MessageWriter<Control>,
) {
    ui.heading("Checkpoint");
    ui.horizontal(|ui| {
        ui.label("folder");
        ui.text_edit_singleline(&mut ui_state.checkpoint_path);
    });
    let path = PathBuf::from(ui_state.checkpoint_path.trim());
    ui.horizontal(|ui| {
        if ui
            .add_enabled(state.step > 0 || state.can_train, egui::Button::new("Save"))
            .clicked()
        {
            controls.write(Control::Save(path.clone()));
        }
        if ui.button("Load and resume").clicked() {
            controls.write(Control::Load(path.clone()));
        }
    });
}

pub(super) fn record_section(
    ui: &mut Ui,
    recorder: &Recorder,
    controls: &mut MessageWriter<RecordControl>,
) {
    ui.heading("Record");
    ui.horizontal(|ui| {
        let label = if recorder.is_recording() {
            "⏹ Stop"
        } else {
            "⏺ Record"
        };
        if ui.button(label).on_hover_text("F9").clicked() {
            controls.write(RecordControl::Toggle);
        }
        if ui.button("Screenshot").on_hover_text("F12").clicked() {
            controls.write(RecordControl::Screenshot);
        }
    });
    ui.label(
        RichText::new(format!(
            "to {} at {} fps; while recording, time runs at 1/{} s per frame",
            tidy(&recorder.folder),
            recorder.fps,
            recorder.fps
        ))
        .small(),
    );
    if let Some(notice) = &recorder.notice {
        ui.label(RichText::new(notice).italics());
    }
}
