//! The keys window (F1 or ?).

use bevy_egui::egui::{self, Align2, RichText};

use crate::app::panels::UiState;

pub(super) fn help_window(ctx: &egui::Context, ui_state: &mut UiState) {
    let mut open = ui_state.show_help;
    egui::Window::new("Keys")
        .open(&mut open)
        .resizable(false)
        .collapsible(false)
        .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            egui::Grid::new("keys").num_columns(2).show(ui, |ui| {
                for (key, what) in [
                    ("Space", "play / pause training"),
                    ("S", "one training step"),
                    (
                        "M",
                        "toy lab: a step in slow motion, stage by stage (Esc leaves)",
                    ),
                    ("R", "reset: fresh networks"),
                    ("H", "hide / show the panels"),
                    ("D", "draw your own digit and find it in latent space"),
                    ("E", "explore G's main latent directions"),
                    ("V", "what D sees: its verdicts, saliency and G's pull"),
                    ("F1 or ?", "this help"),
                    ("F9", "start / stop recording a video"),
                    ("F12", "save a screenshot"),
                    ("left click on a digit", "add it to the latent walk"),
                    ("left click on a real digit", "find it in latent space"),
                    ("right click on a keyframe", "remove it"),
                ] {
                    ui.label(RichText::new(key).strong());
                    ui.label(what);
                    ui.end_row();
                }
            });
        });
    ui_state.show_help = open;
}
