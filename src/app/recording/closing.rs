//! Closing the window the normal way (the title bar's ×, Alt+F4, the window manager's close
//! request): a recording running then is finished first, so the video keeps what was recorded,
//! and the app exits 0 once it is written. Ctrl-C and SIGTERM instead exit 130 at once, and the
//! partial recording is removed.

use bevy::prelude::*;
use bevy::window::WindowCloseRequested;

use crate::app::recording::{RecordControl, Recorder};

/// Frames to wait for a recording's last frames before exiting anyway (its partial file is
/// then removed, never left half-written).
const PATIENCE: u32 = 300;

/// Set once the window was asked to close: frames waited since.
#[derive(Resource, Default)]
struct Closing(Option<u32>);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Closing>().add_systems(
        Update,
        (on_close_request, exit_when_finished)
            .chain()
            .in_set(crate::app::schedule::AppSystems::Input),
    );
}

fn on_close_request(
    mut requests: MessageReader<WindowCloseRequested>,
    recorder: Res<Recorder>,
    mut closing: ResMut<Closing>,
    mut controls: MessageWriter<RecordControl>,
) {
    if requests.read().count() > 0 && closing.0.is_none() {
        closing.0 = Some(0);
        if recorder.is_recording() {
            info!("the window was closed while recording: finishing the video");
            controls.write(RecordControl::Stop);
        }
    }
}

fn exit_when_finished(
    mut closing: ResMut<Closing>,
    recorder: Res<Recorder>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(waited) = closing.0.as_mut() else {
        return;
    };
    if recorder.is_recording() && *waited < PATIENCE {
        *waited += 1;
        return;
    }
    exit.write(AppExit::Success);
}
