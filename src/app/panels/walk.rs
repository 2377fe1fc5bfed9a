//! The latent walk's section: its path, speed, truncation and what a click does.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::egui::{self, Ui};

use crate::app::directions::DirectionsWindowOpen;
use crate::app::preview::truncation::{self, DrawTruncation, SetTruncation};
use crate::app::walk::{ClickMode, WalkControl, WalkState};
use crate::app::your_digit::drawing_pad::DrawingPad;
use crate::gan::latent::Interpolation;

/// What the walk's section shows and changes.
#[derive(SystemParam)]
pub(super) struct WalkPanel<'w> {
    walk: Res<'w, WalkState>,
    controls: MessageWriter<'w, WalkControl>,
    truncation: Res<'w, DrawTruncation>,
    truncation_requests: MessageWriter<'w, SetTruncation>,
    pad: ResMut<'w, DrawingPad>,
    directions_open: ResMut<'w, DirectionsWindowOpen>,
}

pub(super) fn walk_section(ui: &mut Ui, panel: WalkPanel) {
    let WalkPanel {
        walk,
        mut controls,
        truncation,
        mut truncation_requests,
        mut pad,
        mut directions_open,
    } = panel;
    ui.heading("Latent walk");
    ui.horizontal(|ui| {
        if ui
            .button(if walk.playing {
                "⏸ Pause"
            } else {
                "▶ Play"
            })
            .clicked()
        {
            controls.write(WalkControl::TogglePlay);
        }
        if ui.button("New random path").clicked() {
            controls.write(WalkControl::NewPath);
        }
        if ui
            .selectable_label(pad.open, "✏ Your digit")
            .on_hover_text("Draw a digit and find it in the generator's latent space (D)")
            .clicked()
        {
            pad.open = !pad.open;
        }
        if ui
            .selectable_label(directions_open.0, "Directions")
            .on_hover_text("Move a digit along G's main latent directions (E)")
            .clicked()
        {
            directions_open.0 = !directions_open.0;
        }
    });
    let mut position = walk.position;
    let length = walk.path.segments() as f32;
    if ui
        .add(egui::Slider::new(&mut position, 0.0..=length).text("position"))
        .changed()
    {
        controls.write(WalkControl::Scrub(position));
    }
    let mut speed = walk.speed;
    if ui
        .add(egui::Slider::new(&mut speed, 0.0..=3.0).text("keyframes/s"))
        .changed()
    {
        controls.write(WalkControl::SetSpeed(speed));
    }
    truncation::slider(ui, truncation.0, &mut truncation_requests);
    ui.horizontal(|ui| {
        let mut interp = walk.path.interpolation;
        ui.radio_value(&mut interp, Interpolation::Slerp, "slerp");
        ui.radio_value(&mut interp, Interpolation::Lerp, "lerp");
        if interp != walk.path.interpolation {
            controls.write(WalkControl::SetInterpolation(interp));
        }
        let mut looping = walk.path.looping;
        if ui.checkbox(&mut looping, "loop").changed() {
            controls.write(WalkControl::SetLooping(looping));
        }
    });
    ui.horizontal(|ui| {
        ui.label("click a digit:");
        let mut mode = walk.click_mode;
        ui.radio_value(&mut mode, ClickMode::NextKeyframe, "next keyframe");
        ui.radio_value(&mut mode, ClickMode::Endpoints, "two endpoints");
        if mode != walk.click_mode {
            controls.write(WalkControl::SetClickMode(mode));
        }
    });
    if walk.first_endpoint.is_some() {
        ui.label("first endpoint set: click the second digit");
    }
    ui.label(format!(
        "{} keyframes, seed {}",
        walk.path.keyframes().len(),
        walk.seed
    ));
}
