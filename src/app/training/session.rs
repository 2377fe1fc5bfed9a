//! Opening a live session: fresh networks, a checkpoint or the bundled generator, on the
//! chosen device, and installing it as the one the app trains and shows.

use std::time::Instant;

use bevy::prelude::*;

use crate::app::options::AppOptions;
use crate::app::schedule::ActiveScene;
use crate::app::training::dataset::DatasetStatus;
use crate::app::training::device::TrainingDevice;
use crate::app::training::{Session, TrainingState};
use crate::backend::{CpuBackend, GpuBackend};
use crate::fsutil::tidy;
use crate::gan::TrainConfig;
use crate::gan::config::ToySetup;
use crate::gan::live::background::Background;
use crate::gan::live::{self, LiveSession, Origin};
use crate::toy::ToyData;

/// The generator shipped with the app, so latent exploration works without any data.
/// Made with `ganimate train` and `ganimate export` (see the README).
const PRETRAINED_MANIFEST: &[u8] = include_bytes!("../../../assets/pretrained/manifest.json");
const PRETRAINED_GENERATOR: &[u8] = include_bytes!("../../../assets/pretrained/generator.mpk");

/// Opens the first session once the dataset has loaded, or failed to, and after a switch to
/// the digits, the session that waited for them. Toy points are made on the spot: the toy lab
/// waits for no download.
pub(super) fn open_when_data_settles(
    mut session: NonSendMut<Session>,
    mut state: ResMut<TrainingState>,
    mut scene: ResMut<ActiveScene>,
    options: Res<AppOptions>,
    data: Res<DatasetStatus>,
    device: Option<Res<TrainingDevice>>,
) {
    let Some(device) = device else { return };
    let fresh_ready = state.settings.config.toy.is_some() || data.loaded().is_some();
    let settled = !matches!(*data, DatasetStatus::Loading { .. });
    if session.0.is_some() || !(fresh_ready || settled) {
        return;
    }
    // `--checkpoint` is the first session's only.
    let checkpoint = options
        .checkpoint
        .as_ref()
        .filter(|_| state.generation == 0);
    let result = match checkpoint {
        Some(path) => open(&device, &data, Origin::Checkpoint(path))
            .map(|s| (s, format!("checkpoint {}", tidy(path)))),
        None if fresh_ready => open(&device, &data, Origin::Fresh(state.settings.config.clone()))
            .map(|s| (s, "fresh networks".to_string())),
        None => open_pretrained(&device, &data),
    };
    match result {
        Ok((opened, origin)) => install(&mut session, &mut state, &mut scene, opened, origin),
        Err(message) => {
            // A bad --checkpoint must not leave the window empty: fall back, and say why.
            state.notice = Some(message);
            let fallback = if fresh_ready {
                open(&device, &data, Origin::Fresh(state.settings.config.clone()))
                    .map(|s| (s, "fresh networks".to_string()))
            } else {
                open_pretrained(&device, &data)
            };
            if let Ok((opened, origin)) = fallback {
                install(&mut session, &mut state, &mut scene, opened, origin);
            }
        }
    }
}

pub(super) fn open_pretrained(
    device: &TrainingDevice,
    data: &DatasetStatus,
) -> Result<(Box<dyn LiveSession>, String), String> {
    let origin = Origin::Embedded {
        label: std::path::Path::new("assets/pretrained"),
        manifest: PRETRAINED_MANIFEST,
        generator: PRETRAINED_GENERATOR,
    };
    open(device, data, origin).map(|s| (s, "the pretrained generator (no training data)".into()))
}

/// Opens a session on the chosen device; the concrete backend is named here and nowhere else.
pub(super) fn open(
    device: &TrainingDevice,
    data: &DatasetStatus,
    origin: Origin<'_>,
) -> Result<Box<dyn LiveSession>, String> {
    let data_for = |config: &TrainConfig| match &config.toy {
        Some(setup) => toy_points(setup, config.seed),
        None => data.loaded().map(|d| d.pixels.clone()),
    };
    let opened = match device {
        TrainingDevice::Gpu { device, .. } => live::open::<GpuBackend>(origin, data_for, device),
        TrainingDevice::Cpu { .. } => {
            live::open::<CpuBackend>(origin, data_for, &Default::default()).map(Background::spawn)
        }
    };
    opened.map_err(|e| e.to_string())
}

/// A toy run's training points, scaled into G's range; none where its CSV can no longer be
/// read (the networks can still be looked at).
fn toy_points(setup: &ToySetup, seed: u64) -> Option<Vec<f32>> {
    match ToyData::of(setup) {
        Ok(data) => Some(crate::toy::normalized(
            &data.training_points(seed),
            setup.extent,
        )),
        Err(err) => {
            warn!("no toy points to train on: {err}");
            None
        }
    }
}

/// The scene that shows a run of `config`.
pub(super) fn scene_of(config: &TrainConfig) -> ActiveScene {
    match config.toy {
        Some(_) => ActiveScene::Toy,
        None => ActiveScene::Digits,
    }
}

pub(super) fn install(
    session: &mut Session,
    state: &mut TrainingState,
    scene: &mut ActiveScene,
    opened: Box<dyn LiveSession>,
    origin: String,
) {
    state.settings.config = opened.config().clone();
    let shown = scene_of(&state.settings.config);
    if *scene != shown {
        *scene = shown;
    }
    state.pending_reset = None;
    state.step = opened.step_count();
    state.epoch = opened.epoch();
    state.can_train = opened.can_train();
    state.history.clear();
    state.session_steps = opened.steps_taken();
    state.origin = origin;
    state.generation += 1;
    state.rate_window = (Instant::now(), 0);
    if !state.can_train {
        state.playing = false;
    }
    session.0 = Some(opened);
}
