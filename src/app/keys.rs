//! Keyboard shortcuts; ignored while a text field or slider has the keyboard.

use bevy::prelude::*;
use bevy_egui::input::EguiWantsInput;

use crate::app::directions::DirectionsWindowOpen;
use crate::app::panels::UiState;
use crate::app::scene::canvas::Canvas;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::toy::slow_step::{self, SlowControl, SlowStep};
use crate::app::training::Control;
use crate::app::what_d_sees::WhatDSeesView;
use crate::app::your_digit::drawing_pad::DrawingPad;
use crate::gan::StepMode;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (
            shortcuts,
            slow_motion
                .in_set(SceneOnly::Toy)
                .before(slow_step::advance),
        )
            .in_set(AppSystems::Input),
    );
}

/// The toy lab's slow-motion step: M moves on (or starts one), Escape leaves it.
fn slow_motion(
    keys: Res<ButtonInput<KeyCode>>,
    egui: Res<EguiWantsInput>,
    slow: Res<SlowStep>,
    mut controls: MessageWriter<SlowControl>,
) {
    if egui.wants_any_keyboard_input() {
        return;
    }
    if keys.just_pressed(KeyCode::KeyM) {
        controls.write(SlowControl::Next);
    }
    if keys.just_pressed(KeyCode::Escape) && slow.stage.is_some() {
        controls.write(SlowControl::Leave);
    }
}

fn shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    egui: Res<EguiWantsInput>,
    mut ui_state: ResMut<UiState>,
    mut canvas: ResMut<Canvas>,
    mut pad: ResMut<DrawingPad>,
    (mut directions_open, mut d_view): (ResMut<DirectionsWindowOpen>, ResMut<WhatDSeesView>),
    mut controls: MessageWriter<Control>,
) {
    if egui.wants_any_keyboard_input() {
        return;
    }
    if keys.just_pressed(KeyCode::Space) {
        controls.write(Control::TogglePlay);
    }
    if keys.just_pressed(KeyCode::KeyS) {
        controls.write(Control::Step(StepMode::Both));
    }
    if keys.just_pressed(KeyCode::KeyR) {
        controls.write(Control::Reset);
    }
    if keys.just_pressed(KeyCode::KeyD) {
        pad.open = !pad.open;
    }
    if keys.just_pressed(KeyCode::KeyE) {
        directions_open.0 = !directions_open.0;
    }
    if keys.just_pressed(KeyCode::KeyV) {
        d_view.toggle_window();
    }
    if keys.just_pressed(KeyCode::KeyH) {
        canvas.show_panels = !canvas.show_panels;
    }
    let question = keys.just_pressed(KeyCode::Slash)
        && (keys.pressed(KeyCode::ShiftLeft) || keys.pressed(KeyCode::ShiftRight));
    if keys.just_pressed(KeyCode::F1) || question {
        ui_state.show_help = !ui_state.show_help;
    }
}
