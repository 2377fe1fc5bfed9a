//! The guarded training loop that both front ends run: `ganimate train` and the app's training
//! thread. It owns the trainer, the figures of steps not yet read back, and the divergence
//! guard, so that a step's figures are always checked before anything trusts its state: a
//! review rolls a bad step back, and a save reviews first, so no checkpoint holds a state the
//! guard has not passed (an interrupted run saves through the same path). A [`Watcher`] reads
//! each review's figures: the lessons' detectors, in `ganimate train`.

use std::path::{Path, PathBuf};

use burn::tensor::backend::AutodiffBackend;

use crate::gan::checkpoint::{self, CheckpointError};
use crate::gan::training::guard::{Divergence, Guard};
use crate::gan::training::stats::{StepMode, StepStats, StepValues};
use crate::gan::training::trainer::{RealImages, Trainer};

/// What a review read back: every step's figures up to the state kept, the divergence, if
/// the guard caught one (the run is then back at its last good state), and what the watcher
/// had to say about the figures.
#[derive(Debug, Default)]
pub struct Reviewed {
    pub values: Vec<StepValues>,
    pub divergence: Option<Divergence>,
    pub remarks: Vec<String>,
}

/// Reads every step's figures that a review passed, and may have something to say about them
/// (the lessons' `judge::detect::Watch`, which lives above this core).
pub trait Watcher: Send {
    /// The figures of the steps since the last call; returns the lines worth printing.
    fn push(&mut self, values: &[StepValues]) -> Vec<String>;
}

/// A trainer behind the divergence guard.
pub struct GuardedRun<B: AutodiffBackend> {
    trainer: Trainer<B>,
    guard: Guard<Trainer<B>>,
    /// Figures of the steps since the last review, still on the device.
    pending: Vec<StepStats<B::InnerBackend>>,
    /// Steps of every mode taken by this run (for throughput).
    steps_taken: u64,
    watcher: Option<Box<dyn Watcher>>,
}

impl<B: AutodiffBackend> GuardedRun<B> {
    /// `trainer`'s current state is trusted: it is fresh or was loaded.
    pub fn new(trainer: Trainer<B>) -> Self {
        Self {
            guard: Guard::new(&trainer, trainer.step_count()),
            trainer,
            pending: Vec::new(),
            steps_taken: 0,
            watcher: None,
        }
    }

    /// Has `watcher` read every review's figures from now on.
    pub fn watched_by(mut self, watcher: impl Watcher + 'static) -> Self {
        self.watcher = Some(Box::new(watcher));
        self
    }

    pub fn trainer(&self) -> &Trainer<B> {
        &self.trainer
    }

    /// For settings that change live (learning rates, D steps); not for stepping, which must
    /// go through [`GuardedRun::step`] so its figures are reviewed.
    pub fn trainer_mut(&mut self) -> &mut Trainer<B> {
        &mut self.trainer
    }

    pub fn steps_taken(&self) -> u64 {
        self.steps_taken
    }

    /// Trains one step of `mode`; its figures stay on the device until the next review.
    pub fn step(&mut self, mode: StepMode, data: &RealImages<B>) {
        self.pending.push(self.trainer.step_with(mode, data));
        self.steps_taken += 1;
    }

    /// Reads back every step's figures since the last review, in one synchronisation, and lets
    /// the guard check them. After a bad step the trainer is back at its last good state and
    /// only the figures up to that state are returned.
    pub fn review(&mut self) -> Reviewed {
        let mut values = StepStats::read_all(std::mem::take(&mut self.pending));
        let step = self.trainer.step_count();
        let divergence = self.guard.review(&values, &mut self.trainer, step).err();
        if let Some(divergence) = &divergence {
            values.retain(|v| v.step <= divergence.restored_step);
        }
        let remarks = match self.watcher.as_mut() {
            Some(watcher) => watcher.push(&values),
            None => Vec::new(),
        };
        Reviewed {
            values,
            divergence,
            remarks,
        }
    }

    /// Reviews what is pending, then saves the state the guard passed into the run folder
    /// `run_dir`. Returns the checkpoint folder and what the review found.
    pub fn save(&mut self, run_dir: &Path) -> Result<(PathBuf, Reviewed), CheckpointError> {
        let reviewed = self.review();
        let saved = checkpoint::save(&self.trainer, run_dir)?;
        Ok((saved, reviewed))
    }

    /// Saves without reviewing: only valid when nothing is pending (as after a review).
    pub fn save_reviewed(&self, run_dir: &Path) -> Result<PathBuf, CheckpointError> {
        debug_assert!(self.pending.is_empty(), "unreviewed steps would be saved");
        checkpoint::save(&self.trainer, run_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::CpuBackend;
    use crate::gan::TrainConfig;
    use crate::gan::latent::{Stream, normal, rng_for};

    fn run() -> (GuardedRun<CpuBackend>, RealImages<CpuBackend>) {
        let config = TrainConfig {
            batch_size: 16,
            ..TrainConfig::default()
        };
        let device = Default::default();
        let pixels: Vec<f32> = normal(&mut rng_for(3, Stream::Sample, 0), 64 * 784)
            .into_iter()
            .map(f32::tanh)
            .collect();
        (
            GuardedRun::new(Trainer::new(config, &device)),
            RealImages::new(pixels, &device),
        )
    }

    #[test]
    fn a_review_reads_every_pending_step_once() {
        let (mut run, data) = run();
        run.step(StepMode::Both, &data);
        run.step(StepMode::DiscriminatorOnly, &data);
        run.step(StepMode::Both, &data);
        let reviewed = run.review();
        assert!(reviewed.divergence.is_none());
        assert_eq!(reviewed.values.len(), 3);
        assert_eq!(reviewed.values.last().map(|v| v.step), Some(2));
        assert_eq!(run.steps_taken(), 3);
        assert!(run.review().values.is_empty(), "nothing is read twice");
    }

    #[test]
    fn a_bad_learning_rate_is_rolled_back_and_never_saved() {
        let (mut run, data) = run();
        run.step(StepMode::Both, &data);
        assert!(run.review().divergence.is_none());
        run.trainer_mut().set_learning_rates(1e30, 1e30);
        for _ in 0..4 {
            run.step(StepMode::Both, &data);
        }
        let dir = tempfile::tempdir().unwrap();
        let (saved, reviewed) = run.save(dir.path()).unwrap();
        let divergence = reviewed
            .divergence
            .expect("a learning rate of 1e30 diverges");
        assert_eq!(divergence.restored_step, 1);
        assert!(reviewed.values.iter().all(|v| v.step <= 1));
        let (_, manifest) = checkpoint::read_manifest(&saved).unwrap();
        assert_eq!(
            manifest.step, 1,
            "the saved state is the one the guard passed"
        );
    }

    /// Counts the steps it was shown and says so.
    struct Counter(std::sync::Arc<std::sync::atomic::AtomicUsize>);

    impl Watcher for Counter {
        fn push(&mut self, values: &[StepValues]) -> Vec<String> {
            let seen = self
                .0
                .fetch_add(values.len(), std::sync::atomic::Ordering::SeqCst);
            vec![format!("{} steps seen", seen + values.len())]
        }
    }

    #[test]
    fn the_watcher_reads_each_reviewed_step_once_and_its_remarks_come_back() {
        let (run, data) = run();
        let seen = std::sync::Arc::default();
        let mut run = run.watched_by(Counter(std::sync::Arc::clone(&seen)));
        run.step(StepMode::Both, &data);
        run.step(StepMode::Both, &data);
        assert_eq!(run.review().remarks, ["2 steps seen"]);
        run.step(StepMode::GeneratorOnly, &data);
        let dir = tempfile::tempdir().unwrap();
        let (_, reviewed) = run.save(dir.path()).unwrap();
        assert_eq!(
            reviewed.remarks,
            ["3 steps seen"],
            "a save's review is watched too"
        );
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 3);
    }
}
