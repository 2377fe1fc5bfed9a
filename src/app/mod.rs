//! The desktop app: Bevy plugins around the training core in `crate::gan`.
//!
//! One plugin per file. The logic plugins (compute, dataset, training, preview, walk) run
//! without a window, so tests drive them headless; the view plugins (sprites, panels, keys,
//! script) need the renderer.

mod canvas;
mod closing;
mod compute;
mod critic;
mod critic_window;
mod dataset;
mod digits;
mod directions;
mod directions_window;
mod drawing_pad;
mod keys;
mod lessons;
mod plot_line;
mod preview;
mod quality;
mod record;
mod script;
mod soak;
mod timeline;
mod timeline_tab;
mod training;
mod truncation;
mod ui;
mod verdict_frames;
mod walk;
mod your_digit;

use std::path::PathBuf;

use bevy::prelude::*;

use crate::backend::BackendChoice;
use crate::data::DatasetKind;

pub use compute::TrainingDevice;
pub use critic::{CriticReadings, CriticView, InspectedDigit};
pub use dataset::DatasetStatus;
pub use directions::{
    DirectionsControl, DirectionsWindowOpen, LatentDirections, SHOWN as SHOWN_DIRECTIONS,
};
pub use preview::Previews;
pub use timeline::{Timeline, TimelineControl};
pub use training::{Control, Settings, TrainingState};
pub use truncation::{DrawTruncation, SetTruncation};
pub use walk::{WalkControl, WalkState};
pub use your_digit::{AddProjectedToWalk, DigitOrigin, ProjectDigit, Projected};

/// What `ganimate app` was asked for on the command line.
#[derive(Resource, Debug, Clone)]
pub struct AppOptions {
    pub data: Option<PathBuf>,
    pub dataset: DatasetKind,
    pub offline: bool,
    pub backend: BackendChoice,
    /// Start from this checkpoint (a checkpoint or run folder) instead of fresh networks.
    pub checkpoint: Option<PathBuf>,
    pub paused: bool,
    pub seed: Option<u64>,
    /// Network preset and loss of the first session (the panel changes them later).
    pub preset: Option<crate::gan::Preset>,
    pub loss: Option<crate::gan::LossKind>,
    /// Scripted run: exit 0 after this many frames.
    pub quit_after_frames: Option<u32>,
    /// Scripted run: save the last frame here as PNG.
    pub screenshot: Option<PathBuf>,
    /// Scripted recording: this video file (or PNG folder), `record_duration` seconds long.
    pub record: Option<PathBuf>,
    pub record_duration: Option<f64>,
    /// Frames per second of recordings (and of app time while recording).
    pub record_fps: u32,
    /// Record the sprites only, without the panels.
    pub no_panels: bool,
    /// Where F9 recordings and F12 screenshots go; default: the videos folder.
    pub recordings: Option<PathBuf>,
    /// Language of the lessons panel at start.
    pub lang: crate::judge::detect::Lang,
    /// Draw into an image in GPU memory instead of a window: no display needed.
    pub headless: bool,
    /// Truncation ψ the grid and the walk start with.
    pub truncation: crate::gan::Truncation,
    /// An MNIST-style digit (784 bytes) to find in latent space once the generator is there;
    /// the best match joins the walk.
    pub project: Option<Vec<u8>>,
    /// Windows open at start.
    pub open: Vec<StartWindow>,
    /// Walk along this latent direction (0 = the strongest) once the directions are found.
    pub walk_along: Option<usize>,
    /// A soak run (`ganimate bench --soak`): long use on a schedule, with figures printed.
    pub soak: Option<crate::soak::SoakPlan>,
}

/// A window `ganimate app --open` opens at start (for scripted screenshots and videos).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StartWindow {
    /// Latent directions: sliders and strips along G's main directions.
    Directions,
    /// Your digit: the drawing pad and what projection finds.
    YourDigit,
    /// The bottom panel's timeline tab: the grid over training.
    Timeline,
    /// What D sees: its verdicts on the grid, its saliency, G's pull, the histogram.
    WhatDSees,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            data: None,
            dataset: DatasetKind::default(),
            offline: false,
            backend: BackendChoice::default(),
            checkpoint: None,
            paused: false,
            seed: None,
            preset: None,
            loss: None,
            quit_after_frames: None,
            screenshot: None,
            record: None,
            record_duration: None,
            record_fps: 30,
            no_panels: false,
            recordings: None,
            lang: Default::default(),
            headless: false,
            truncation: Default::default(),
            project: None,
            open: Vec::new(),
            walk_along: None,
            soak: None,
        }
    }
}

/// The order of work inside a frame: input, then training, then sampling, then drawing.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppSystems {
    Input,
    Train,
    Sample,
    Draw,
}

/// The plugins that need no window: what headless tests drive.
pub fn logic_plugins(app: &mut App) {
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
        dataset::plugin,
        training::plugin,
        walk::plugin,
        truncation::plugin,
        preview::plugin,
        your_digit::plugin,
        directions::plugin,
        timeline::plugin,
        critic::plugin,
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
                resolution: (canvas::CANVAS_SIZE.x, canvas::CANVAS_SIZE.y).into(),
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
        .add_plugins(canvas::plugin)
        .add_plugins(bevy_egui::EguiPlugin::default())
        .add_plugins(compute::ComputePlugin {
            choice: options.backend,
        });
    logic_plugins(&mut app);
    app.add_plugins((
        quality::plugin,
        digits::plugin,
        verdict_frames::plugin,
        drawing_pad::plugin,
        ui::plugin,
        keys::plugin,
        record::plugin,
        closing::plugin,
        script::plugin,
        soak::plugin,
    ));
    app.run()
}
