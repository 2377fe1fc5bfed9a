//! The desktop app: Bevy plugins around the training core in `crate::gan`, a folder per
//! feature, each with a `plugin` that adds its systems.
//!
//! The logic plugins (training, preview, walk, your digit, directions, timeline, what D sees,
//! the toy lab's looks) run without a window, so tests drive them headless; the view plugins (scene, panels, keys,
//! lessons, recording) need the renderer. Features talk through Messages and resources; what
//! they all read lives in [`options`] and [`schedule`].

mod directions;
mod keys;
mod lessons;
mod options;
mod panels;
mod preview;
mod recording;
mod scene;
mod schedule;
mod timeline;
mod toy;
mod training;
mod walk;
mod what_d_sees;
mod your_digit;

use bevy::prelude::*;

pub use directions::{
    DirectionsControl, DirectionsWindowOpen, LatentDirections, SHOWN as SHOWN_DIRECTIONS,
};
pub use options::{AppOptions, StartWindow};
pub use preview::Previews;
pub use preview::truncation::{DrawTruncation, SetTruncation};
pub use schedule::{ActiveScene, AppSystems, UiSystems};
pub use timeline::{Timeline, TimelineControl};
pub use toy::drawing::{DrawControl, Drawing};
pub use toy::slow_step::{SlowControl, SlowStep, Stage as SlowStage};
pub use toy::{PICTURE_PIXELS as TOY_PICTURE_PIXELS, ToyLab};
pub use training::dataset::DatasetStatus;
pub use training::device::TrainingDevice;
pub use training::{Control, Settings, TrainingState};
pub use walk::{WalkControl, WalkState};
pub use what_d_sees::{InspectedDigit, WhatDSeesReadings, WhatDSeesView};
pub use your_digit::{AddProjectedToWalk, DigitOrigin, ProjectDigit, Projected};

/// The plugins that need no window: what headless tests drive.
pub fn logic_plugins(app: &mut App) {
    schedule::configure_scenes(app, Update);
    app.configure_sets(
        Update,
        (
            AppSystems::Input,
            AppSystems::Train,
            AppSystems::Sample,
            AppSystems::Draw,
        )
            .chain(),
    );
    app.add_plugins((
        training::plugin,
        walk::plugin,
        preview::plugin,
        your_digit::plugin,
        directions::plugin,
        timeline::plugin,
        what_d_sees::plugin,
        toy::plugin,
    ));
}

/// Runs the desktop app until the window closes, a scripted run ends, or Ctrl-C (Bevy's own
/// handler turns that into `AppExit::Error(130)`).
pub fn run(options: AppOptions) -> AppExit {
    // Before anything computes on the CPU backend: its threads yield to the frames'.
    crate::backend::lower_cpu_pool_priority(crate::backend::BACKGROUND_NICENESS);
    // Ctrl-C, SIGTERM and SIGHUP end the app through Bevy (exit 130), which drops a partial
    // recording's temporary file. Bevy's own plugin installs this only where SIGINT has its
    // default action, but a shell starting the app in the background ignores SIGINT, and
    // SIGTERM then killed the app outright, leaving the temporary file behind.
    if let Err(err) = ctrlc::set_handler(bevy::app::TerminalCtrlCHandlerPlugin::gracefully_exit) {
        warn!("Ctrl-C and SIGTERM will stop the app abruptly: {err}");
    }
    let mut app = App::new();
    let defaults =
        DefaultPlugins
            .set(ImagePlugin::default_nearest())
            .set(bevy::render::RenderPlugin {
                render_creation: bevy::render::settings::WgpuSettings {
                    backends: Some(crate::backend::render_backends()),
                    ..default()
                }
                .into(),
                ..default()
            });
    let defaults = if options.headless {
        // No window system at all: the frames go to an image (see `canvas`), and a plain loop
        // drives the app instead of winit's event loop.
        defaults
            .set(WindowPlugin {
                primary_window: None,
                exit_condition: bevy::window::ExitCondition::DontExit,
                close_when_requested: false,
                ..default()
            })
            .disable::<bevy::winit::WinitPlugin>()
            .add(bevy::app::ScheduleRunnerPlugin::run_loop(
                std::time::Duration::ZERO,
            ))
    } else {
        defaults.set(WindowPlugin {
            primary_window: Some(Window {
                title: "ganimate: watch a GAN learn".into(),
                resolution: (scene::canvas::CANVAS_SIZE.x, scene::canvas::CANVAS_SIZE.y).into(),
                ..default()
            }),
            // `closing` answers the request: a recording is finished first.
            close_when_requested: false,
            ..default()
        })
    };
    app.insert_resource(options.clone())
        .insert_resource(ClearColor(Color::srgb(0.08, 0.09, 0.11)))
        .add_plugins(defaults)
        .add_plugins(scene::canvas::plugin)
        .add_plugins(bevy_egui::EguiPlugin::default())
        .add_plugins(training::device::ComputePlugin {
            choice: options.backend,
        });
    logic_plugins(&mut app);
    app.configure_sets(
        bevy_egui::EguiPrimaryContextPass,
        (UiSystems::Panels, UiSystems::Scene, UiSystems::Windows).chain(),
    );
    schedule::configure_scenes(&mut app, bevy_egui::EguiPrimaryContextPass);
    app.add_plugins((
        lessons::plugin,
        scene::plugin,
        toy::sprite::plugin,
        toy::caption::plugin,
        what_d_sees::verdict_frames::plugin,
        what_d_sees::window::plugin,
        directions::window::plugin,
        your_digit::drawing_pad::plugin,
        panels::plugin,
        keys::plugin,
        recording::plugin,
    ));
    app.run()
}
