//! A live session trained on a thread of its own, so that a front end's frames never wait for
//! a training step. The desktop app uses it on the CPU backend, where a step takes tens of
//! milliseconds of the same cores that draw the frames; on a GPU, training stays in the frame
//! loop, on the device the frames are drawn with.
//!
//! The worker trains while asked to run, or one step per [`LiveSession::train`] call. A few
//! times a second it reads the figures back through the session's divergence guard and
//! publishes them with a copy of the generator to sample from, so sampling never waits either.
//! G and D are copied for looking into only when asked ([`LiveSession::players`]).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::gan::checkpoint::CheckpointError;
use crate::gan::config::TrainConfig;
use crate::gan::live::{LiveSession, Players, Sampler};
use crate::gan::training::guard::Divergence;
use crate::gan::training::stats::{StepMode, StepValues};

/// How often a running worker publishes figures and a fresh generator.
const PUBLISH_EVERY: Duration = Duration::from_millis(50);
/// How long copied players wait to be collected.
const UNCOLLECTED: Duration = Duration::from_secs(1);

enum Command {
    Train(StepMode),
    SetLearningRates(f64, f64),
    SetDSteps(usize),
    /// Copy the players for [`LiveSession::players`].
    CopyPlayers,
    Save(PathBuf, mpsc::Sender<Result<PathBuf, CheckpointError>>),
}

/// What the worker and the front end share.
#[derive(Default)]
struct State {
    commands: VecDeque<Command>,
    /// Train continuously while no command waits.
    running: bool,
    /// The worker is carrying out a command (or a running step) not yet published.
    busy: bool,
    closing: bool,
    stats: Vec<StepValues>,
    divergence: Option<Divergence>,
    step_count: u64,
    epoch: f64,
    steps_taken: u64,
    /// [`Command::CopyPlayers`] is on its way.
    players_asked: bool,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    /// The generator as of the last publication.
    sampler: Mutex<Box<dyn Sampler>>,
    /// The players copied when asked, and when, until they are collected.
    players: Mutex<Option<(Instant, Players)>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker that panicked poisons the lock; what it left is still the best there is.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A [`LiveSession`] whose training runs on a worker thread.
pub struct Background {
    config: TrainConfig,
    latent_dim: usize,
    can_train: bool,
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

impl Background {
    /// Moves `session` onto a worker thread of its own.
    pub fn spawn(session: Box<dyn LiveSession>) -> Box<dyn LiveSession> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                step_count: session.step_count(),
                epoch: session.epoch(),
                steps_taken: session.steps_taken(),
                ..State::default()
            }),
            changed: Condvar::new(),
            sampler: Mutex::new(session.sampler()),
            players: Mutex::new(None),
        });
        let mut background = Background {
            config: session.config().clone(),
            latent_dim: session.latent_dim(),
            can_train: session.can_train(),
            shared: shared.clone(),
            worker: None,
        };
        background.worker = std::thread::Builder::new()
            .name("ganimate training".into())
            .spawn(move || work(session, &shared))
            .ok();
        Box::new(background)
    }

    fn send(&self, command: Command) {
        self.shared.lock().commands.push_back(command);
        self.shared.changed.notify_all();
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.changed.notify_all();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl LiveSession for Background {
    fn config(&self) -> &TrainConfig {
        &self.config
    }

    fn step_count(&self) -> u64 {
        self.shared.lock().step_count
    }

    fn epoch(&self) -> f64 {
        self.shared.lock().epoch
    }

    fn steps_taken(&self) -> u64 {
        self.shared.lock().steps_taken
    }

    fn can_train(&self) -> bool {
        self.can_train
    }

    fn train(&mut self, mode: StepMode) {
        if self.can_train {
            self.send(Command::Train(mode));
        }
    }

    fn run_in_background(&mut self, on: bool) -> bool {
        let mut state = self.shared.lock();
        state.running = on && self.can_train;
        drop(state);
        self.shared.changed.notify_all();
        true
    }

    fn take_stats(&mut self) -> (Vec<StepValues>, Option<Divergence>) {
        let mut state = self.shared.lock();
        (std::mem::take(&mut state.stats), state.divergence.take())
    }

    /// Waits until every command sent so far is done and published; a running worker is left
    /// running (there is no end of its work to wait for).
    fn sync(&self) {
        let mut state = self.shared.lock();
        while !state.running && (state.busy || !state.commands.is_empty()) && self.worker.is_some()
        {
            state = self
                .shared
                .changed
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    fn latent_dim(&self) -> usize {
        self.latent_dim
    }

    /// A copy of the last published generator (its tensors are shared handles), so that the
    /// worker can publish a new one while this one samples.
    fn sampler(&self) -> Box<dyn Sampler> {
        self.shared
            .sampler
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .boxed_clone()
    }

    /// The players copied since the last call, or `None` after asking the worker for a copy
    /// (once: it is made after the step under way, and waits to be collected).
    fn players(&self) -> Option<Players> {
        let copied = self
            .shared
            .players
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if copied.is_none() && !self.shared.lock().players_asked {
            self.shared.lock().players_asked = true;
            self.send(Command::CopyPlayers);
        }
        copied.map(|(_, players)| players)
    }

    fn set_learning_rates(&mut self, lr_g: f64, lr_d: f64) {
        self.config.lr_g = lr_g;
        self.config.lr_d = lr_d;
        self.send(Command::SetLearningRates(lr_g, lr_d));
    }

    fn set_d_steps(&mut self, d_steps: usize) {
        self.config.d_steps = d_steps.max(1);
        self.send(Command::SetDSteps(d_steps));
    }

    fn save(&mut self, run_dir: &Path) -> Result<PathBuf, CheckpointError> {
        let (reply, answer) = mpsc::channel();
        self.send(Command::Save(run_dir.to_path_buf(), reply));
        answer.recv().unwrap_or_else(|_| {
            Err(CheckpointError::Io {
                path: run_dir.to_path_buf(),
                error: std::io::Error::other("the training thread stopped before saving"),
            })
        })
    }
}

/// The worker: carries out commands, trains while running, publishes what it did.
fn work(mut session: Box<dyn LiveSession>, shared: &Shared) {
    // The frames' threads come first. (The app starts the CPU backend's own threads at the same
    // priority: see `crate::backend::lower_cpu_pool_priority`.)
    crate::backend::set_thread_niceness(crate::backend::BACKGROUND_NICENESS);
    let mut published = Instant::now();
    loop {
        let command = {
            let mut state = shared.lock();
            loop {
                if state.closing {
                    return;
                }
                if let Some(command) = state.commands.pop_front() {
                    break Some(command);
                }
                if state.running {
                    break None;
                }
                state = shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner());
            }
        };
        shared.lock().busy = true;
        match command {
            Some(Command::Train(mode)) => session.train(mode),
            None => session.train(StepMode::Both),
            Some(Command::SetLearningRates(g, d)) => session.set_learning_rates(g, d),
            Some(Command::SetDSteps(k)) => session.set_d_steps(k),
            Some(Command::CopyPlayers) => {
                let copied = session.players().map(|players| (Instant::now(), players));
                *shared.players.lock().unwrap_or_else(|e| e.into_inner()) = copied;
                shared.lock().players_asked = false;
            }
            Some(Command::Save(dir, reply)) => {
                let _ = reply.send(session.save(&dir));
            }
        }
        let idle = {
            let state = shared.lock();
            state.commands.is_empty() && !state.running
        };
        if idle || published.elapsed() >= PUBLISH_EVERY {
            publish(session.as_mut(), shared);
            published = Instant::now();
        }
    }
}

/// Reads the figures back (through the session's guard) and hands them, the counters and a
/// fresh generator to the front end.
fn publish(session: &mut dyn LiveSession, shared: &Shared) {
    let (values, divergence) = session.take_stats();
    let sampler = session.sampler();
    *shared.sampler.lock().unwrap_or_else(|e| e.into_inner()) = sampler;
    // Players nobody collected go, so that the steps update their weights in place again.
    let mut players = shared.players.lock().unwrap_or_else(|e| e.into_inner());
    if players
        .as_ref()
        .is_some_and(|(at, _)| at.elapsed() > UNCOLLECTED)
    {
        *players = None;
    }
    drop(players);
    let mut state = shared.lock();
    state.stats.extend(values);
    if divergence.is_some() {
        // Rolled back: stop until the front end has told the user and they choose to go on.
        state.running = false;
        state.commands.retain(|c| !matches!(c, Command::Train(_)));
        state.divergence = divergence;
    }
    state.step_count = session.step_count();
    state.epoch = session.epoch();
    state.steps_taken = session.steps_taken();
    state.busy = !state.commands.is_empty();
    drop(state);
    shared.changed.notify_all();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::CpuBackend;
    use crate::gan::latent::{Stream, normal, rng_for};
    use crate::gan::live::{Origin, open};

    fn session() -> Box<dyn LiveSession> {
        let config = TrainConfig {
            batch_size: 16,
            ..TrainConfig::default()
        };
        let pixels: Vec<f32> = normal(&mut rng_for(3, Stream::Sample, 0), 64 * 784)
            .into_iter()
            .map(f32::tanh)
            .collect();
        open::<CpuBackend>(Origin::Fresh(config), |_| Some(pixels), &Default::default()).unwrap()
    }

    #[test]
    fn on_a_thread_of_its_own_training_gives_the_same_networks() {
        let noise = normal(&mut rng_for(1, Stream::Sample, 0), 4 * 100);
        let mut inline = session();
        let mut background = Background::spawn(session());
        for mode in [
            StepMode::Both,
            StepMode::DiscriminatorOnly,
            StepMode::GeneratorOnly,
        ] {
            for session in [&mut inline, &mut background] {
                session.train(mode);
                session.train(StepMode::Both);
            }
        }
        background.sync();
        assert_eq!(background.step_count(), inline.step_count());
        assert_eq!(background.steps_taken(), 6);
        let (ours, divergence) = background.take_stats();
        assert!(divergence.is_none());
        assert_eq!(
            ours,
            inline.take_stats().0,
            "the same figures, step for step"
        );
        assert_eq!(background.generate(&noise), inline.generate(&noise));
    }

    #[test]
    fn runs_until_stopped_and_saves_on_request() {
        let mut background = Background::spawn(session());
        assert!(background.run_in_background(true));
        let deadline = Instant::now() + Duration::from_secs(60);
        while background.step_count() < 3 {
            assert!(Instant::now() < deadline, "no step in a minute");
            std::thread::sleep(Duration::from_millis(5));
        }
        background.run_in_background(false);
        background.sync();
        std::thread::sleep(Duration::from_millis(50));
        let stopped = background.step_count();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(background.step_count(), stopped, "stopped means stopped");
        let (values, _) = background.take_stats();
        assert_eq!(values.last().map(|v| v.step), Some(stopped));

        let dir = tempfile::tempdir().unwrap();
        let saved = background.save(dir.path()).unwrap();
        let (_, manifest) = crate::gan::checkpoint::read_manifest(&saved).unwrap();
        assert_eq!(manifest.step, stopped);
    }

    #[test]
    fn players_are_copied_when_asked_and_given_once() {
        let noise = normal(&mut rng_for(2, Stream::Sample, 0), 100);
        let image = normal(&mut rng_for(4, Stream::Sample, 0), 784);
        let mut inline = session();
        let mut background = Background::spawn(session());
        for session in [&mut inline, &mut background] {
            session.train(StepMode::Both);
            session.train(StepMode::Both);
        }
        assert!(background.players().is_none(), "the first call asks");
        background.sync();
        let ours = background.players().expect("copied by now");
        let theirs = inline.players().unwrap();
        assert_eq!(ours.step, 2);
        assert_eq!(ours.step, theirs.step);
        assert_eq!(
            ours.generator.generate(&noise),
            theirs.generator.generate(&noise)
        );
        assert_eq!(
            ours.discriminator.inspect(&image),
            theirs.discriminator.inspect(&image)
        );
        assert!(
            background.players().is_none(),
            "given once: nothing is kept"
        );
    }
}
