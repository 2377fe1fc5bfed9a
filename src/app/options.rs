//! What `ganimate app` was asked for on the command line, read by every feature's plugin.

use std::path::PathBuf;

use bevy::prelude::*;

use crate::backend::BackendChoice;
use crate::data::DatasetKind;

/// What `ganimate app` was asked for on the command line.
#[derive(Resource, Debug, Clone)]
pub struct AppOptions {
    pub data: Option<PathBuf>,
    pub dataset: DatasetKind,
    /// Open the toy lab on these points instead of the digits.
    pub toy: Option<crate::gan::config::ToySetup>,
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
    /// Toy lab: walk through one step in slow motion, a stage every this many seconds of app
    /// time (a recording's own clock).
    pub slow_step: Option<f64>,
    /// Walk along this latent direction (0 = the strongest) once the directions are found.
    pub walk_along: Option<usize>,
    /// A soak run (`ganimate bench --soak`): long use on a schedule, with figures printed.
    pub soak: Option<crate::soak::SoakPlan>,
    /// Also print a scripted run's figures as a [`crate::report`] line, for `bench --app`.
    pub report: bool,
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
            toy: None,
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
            slow_step: None,
            soak: None,
            report: false,
        }
    }
}
