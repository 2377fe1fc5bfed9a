//! Training as an ECS system: a few steps every frame, as many as fit the frame budget.
//!
//! On a GPU the session (networks, optimisers, data on the device) is a non-send resource:
//! burn's modules are `Send` but not `Sync`, and this keeps every use of them on one thread,
//! which queues a frame's steps on the device the frames are drawn with. Step figures stay on
//! the device and are read back a few times a second, all at once. On the CPU a step would
//! take the frame's own time, so the session trains on a thread of its own instead
//! ([`Background`](crate::gan::live::background::Background)) and frames never wait for it.

pub(super) mod dataset;
pub(super) mod device;
mod session;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bevy::prelude::*;

use crate::app::options::AppOptions;
use crate::app::schedule::{ActiveScene, AppSystems};
use crate::app::training::dataset::DatasetStatus;
use crate::app::training::device::TrainingDevice;
use crate::fsutil::tidy;
use crate::gan::live::{LiveSession, Origin};
use crate::gan::training::guard::Divergence;
use crate::gan::{StepMode, StepValues, TrainConfig};

use session::{install, open, open_pretrained, scene_of};

/// How often step figures are read back from the device.
const STATS_INTERVAL: Duration = Duration::from_millis(250);
/// The most steps one frame may take, whatever the budget says.
const MAX_STEPS_PER_FRAME: u32 = 64;

/// What the controls edit: the training configuration plus the frame budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub config: TrainConfig,
    /// Milliseconds per frame that training may use.
    pub frame_budget_ms: f32,
}

impl Settings {
    /// True when going from `self` to `new` needs fresh networks (a reset).
    pub fn needs_reset(&self, new: &Settings) -> bool {
        let (a, b) = (&self.config, &new.config);
        a.preset != b.preset
            || a.loss != b.loss
            || a.batch_size != b.batch_size
            || a.seed != b.seed
            || a.toy != b.toy
    }
}

/// Requests to the trainer, from the panels, the keys or a script.
#[derive(Message, Debug, Clone)]
pub enum Control {
    TogglePlay,
    SetPlaying(bool),
    /// One step of one kind, while paused or not.
    Step(StepMode),
    /// Fresh networks from the current settings.
    Reset,
    /// New settings: live where possible, otherwise at the next reset.
    Apply(Settings),
    Save(PathBuf),
    /// Continue training from a checkpoint (or explore a generator-only one).
    Load(PathBuf),
}

/// Everything the panels show about training.
#[derive(Resource, Debug)]
pub struct TrainingState {
    pub playing: bool,
    /// The settings the running session uses.
    pub settings: Settings,
    /// Settings waiting for a reset (preset, loss, batch or seed changed).
    pub pending_reset: Option<Settings>,
    /// Step figures, oldest first: every step of the recent ones, thinned further back
    /// ([`crate::gan::training::stats::bound_history`]).
    pub history: Vec<StepValues>,
    pub step: u64,
    pub epoch: f64,
    pub samples_per_sec: f32,
    /// Measured cost of one step, for the budget.
    pub step_ms: f32,
    pub steps_last_frame: u32,
    /// The session trains on a thread of its own, not in the frames.
    pub in_background: bool,
    /// Steps trained since the app started (all sessions).
    pub steps_trained: u64,
    /// The session's own count of steps taken when last looked at.
    session_steps: u64,
    pub can_train: bool,
    /// Where the current networks came from.
    pub origin: String,
    /// The latest thing worth telling the user (saved, loaded, failed…).
    pub notice: Option<String>,
    /// Bumped whenever the session is replaced, so views refresh at once.
    pub generation: u64,
    /// App time of the last read-back (virtual time, so recordings are deterministic).
    last_read: Option<Duration>,
    /// The last divergence the guard caught, for the lessons panel.
    pub divergence: Option<Divergence>,
    /// While recording: exactly this many steps per frame instead of the budget.
    pub fixed_steps_per_frame: Option<u32>,
    rate_window: (Instant, u64),
}

impl TrainingState {
    fn new(settings: Settings, playing: bool) -> Self {
        Self {
            playing,
            settings,
            pending_reset: None,
            history: Vec::new(),
            step: 0,
            epoch: 0.0,
            samples_per_sec: 0.0,
            step_ms: 5.0,
            steps_last_frame: 0,
            in_background: false,
            steps_trained: 0,
            session_steps: 0,
            can_train: false,
            origin: String::new(),
            notice: None,
            generation: 0,
            last_read: None,
            divergence: None,
            fixed_steps_per_frame: None,
            rate_window: (Instant::now(), 0),
        }
    }

    pub fn latest(&self) -> Option<&StepValues> {
        self.history.last()
    }
}

/// The one live session, if opened yet.
#[derive(Default)]
pub struct Session(pub Option<Box<dyn LiveSession>>);

pub(super) fn plugin(app: &mut App) {
    app.add_plugins(dataset::plugin);
    let options = app.world().resource::<AppOptions>().clone();
    let preset = options.preset.unwrap_or(TrainConfig::default().preset);
    let mut config = match &options.toy {
        Some(setup) => TrainConfig::toy(setup.clone(), preset),
        None => TrainConfig {
            preset,
            ..TrainConfig::default()
        },
    };
    if let Some(seed) = options.seed {
        config.seed = seed;
    }
    if let Some(loss) = options.loss {
        config.loss = loss;
    }
    let settings = Settings {
        config,
        frame_budget_ms: 12.0,
    };
    let scene = scene_of(&settings.config);
    app.add_message::<Control>()
        .insert_resource(scene)
        .insert_resource(TrainingState::new(settings, !options.paused))
        .init_non_send::<Session>()
        .add_systems(
            Update,
            (session::open_when_data_settles, apply_controls, train_frame)
                .chain()
                .in_set(AppSystems::Train),
        );
}

fn apply_controls(
    mut controls: MessageReader<Control>,
    mut session: NonSendMut<Session>,
    mut state: ResMut<TrainingState>,
    mut scene: ResMut<ActiveScene>,
    data: Res<DatasetStatus>,
    device: Option<Res<TrainingDevice>>,
) {
    for control in controls.read() {
        match control {
            Control::TogglePlay => state.playing = !state.playing && state.can_train,
            Control::SetPlaying(on) => state.playing = *on && state.can_train,
            Control::Step(mode) => {
                if let Some(live) = session.0.as_mut() {
                    live.train(*mode);
                    live.sync();
                    count_steps(live.as_ref(), &mut state);
                    drain_stats(live.as_mut(), &mut state);
                }
            }
            Control::Reset => {
                let Some(device) = device.as_deref() else {
                    continue;
                };
                let settings = state.pending_reset.take().unwrap_or(state.settings.clone());
                state.settings = settings.clone();
                if settings.config.toy.is_none() && matches!(*data, DatasetStatus::Loading { .. }) {
                    // Back to the digits before they have loaded: the session opens once they
                    // are there (`open_when_data_settles`).
                    session.0 = None;
                    state.can_train = false;
                    *scene = ActiveScene::Digits;
                    state.notice =
                        Some("loading the digits: training starts once they are here".into());
                    continue;
                }
                let result = if data.loaded().is_some() || settings.config.toy.is_some() {
                    open(device, &data, Origin::Fresh(settings.config.clone()))
                        .map(|s| (s, "fresh networks".to_string()))
                } else {
                    open_pretrained(device, &data)
                };
                match result {
                    Ok((opened, origin)) => {
                        install(&mut session, &mut state, &mut scene, opened, origin);
                        state.notice = Some("reset: fresh networks".into());
                    }
                    Err(message) => state.notice = Some(message),
                }
            }
            Control::Apply(new) => {
                if state.settings.needs_reset(new) {
                    state.pending_reset = Some(new.clone());
                    state.notice =
                        Some("scene, preset, loss, batch and seed apply at the next reset".into());
                } else {
                    state.pending_reset = None;
                }
                // Live: learning rates, D steps and the frame budget.
                state.settings.config.lr_g = new.config.lr_g;
                state.settings.config.lr_d = new.config.lr_d;
                state.settings.config.d_steps = new.config.d_steps.max(1);
                state.settings.frame_budget_ms = new.frame_budget_ms;
                if let Some(live) = session.0.as_mut() {
                    live.set_learning_rates(new.config.lr_g, new.config.lr_d);
                    live.set_d_steps(new.config.d_steps);
                }
            }
            Control::Save(dir) => {
                let Some(live) = session.0.as_mut() else {
                    continue;
                };
                state.notice = Some(match live.save(dir) {
                    Ok(saved) => format!("saved {}", tidy(&saved)),
                    Err(err) => format!("save failed: {err}"),
                });
            }
            Control::Load(path) => {
                let Some(device) = device.as_deref() else {
                    continue;
                };
                match open(device, &data, Origin::Checkpoint(path)) {
                    Ok(opened) => {
                        install(
                            &mut session,
                            &mut state,
                            &mut scene,
                            opened,
                            format!("checkpoint {}", tidy(path)),
                        );
                        state.notice = Some(format!("loaded {}", tidy(path)));
                    }
                    Err(message) => state.notice = Some(format!("load failed: {message}")),
                }
            }
        }
    }
}

/// Trains while playing: at least one step, then more while the frame budget lasts.
fn train_frame(
    time: Res<Time>,
    mut session: NonSendMut<Session>,
    mut state: ResMut<TrainingState>,
) {
    let Some(live) = session.0.as_mut() else {
        return;
    };
    state.steps_last_frame = 0;
    let training = state.playing && live.can_train();
    // A recording needs exactly its steps per frame: then even a background session is driven
    // frame by frame.
    let fixed = state.fixed_steps_per_frame.is_some();
    state.in_background = live.run_in_background(training && !fixed);
    if state.in_background && !fixed {
        state.steps_last_frame = count_steps(live.as_ref(), &mut state);
    } else if training {
        let budget = Duration::from_secs_f32(state.settings.frame_budget_ms.max(0.0) / 1000.0);
        let started = Instant::now();
        let mut steps = 0;
        while steps < MAX_STEPS_PER_FRAME {
            live.train(StepMode::Both);
            steps += 1;
            if let Some(fixed) = state.fixed_steps_per_frame {
                if steps >= fixed {
                    break;
                }
                continue;
            }
            // Work is queued asynchronously on a GPU: predict from the measured step cost
            // instead of the time it took to queue.
            let predicted = started.elapsed().max(Duration::from_secs_f32(
                state.step_ms / 1000.0 * steps as f32,
            ));
            if predicted + Duration::from_secs_f32(state.step_ms / 1000.0) > budget {
                break;
            }
        }
        // Finish this frame's work before Bevy submits its own on the shared queue; this also
        // makes the measured cost real.
        live.sync();
        let per_step = started.elapsed().as_secs_f32() * 1000.0 / steps as f32;
        state.step_ms = 0.8 * state.step_ms + 0.2 * per_step;
        state.steps_last_frame = count_steps(live.as_ref(), &mut state);
    }
    // Counters live on the host: cheap to read every frame, unlike the figures.
    state.step = live.step_count();
    state.epoch = live.epoch();
    let now = time.elapsed();
    if state.last_read.is_none_or(|at| now - at >= STATS_INTERVAL) {
        drain_stats(live.as_mut(), &mut state);
        state.last_read = Some(now);
    }
}

/// Adds the steps the session took since last asked to the app's count; returns them.
fn count_steps(live: &dyn LiveSession, state: &mut TrainingState) -> u32 {
    let taken = live.steps_taken();
    let new = taken.saturating_sub(state.session_steps);
    state.session_steps = taken;
    state.steps_trained += new;
    new as u32
}

/// Reads back pending figures and updates rates; after a divergence the session is back at its
/// last good state, and training pauses so the user can change something before going on.
fn drain_stats(live: &mut dyn LiveSession, state: &mut TrainingState) {
    let (values, divergence) = live.take_stats();
    state.step = live.step_count();
    state.epoch = live.epoch();
    if let Some(divergence) = divergence {
        state.playing = false;
        state.history.retain(|v| v.step <= divergence.restored_step);
        state.notice = Some(format!(
            "{divergence}; training paused. Lower the learning rates, then play (or reset)"
        ));
        state.divergence = Some(divergence);
    }
    state.history.extend(values);
    crate::gan::training::stats::bound_history(
        &mut state.history,
        crate::gan::training::stats::HISTORY_CAP,
    );
    let (since, steps_then) = state.rate_window;
    let elapsed = since.elapsed().as_secs_f32();
    if elapsed >= 1.0 {
        let steps = state.steps_trained - steps_then;
        state.samples_per_sec = steps as f32 * state.settings.config.batch_size as f32 / elapsed;
        state.rate_window = (Instant::now(), state.steps_trained);
    }
}

/// A short label of the configuration, for the status panel.
pub fn describe(config: &TrainConfig) -> String {
    format!(
        "{} preset, {} loss, batch {}, k = {}",
        config.preset,
        config.loss.name(),
        config.batch_size,
        config.d_steps
    )
}
