//! The guarded training loop that both front ends run: `ganimate train` and the app's training
//! thread. It owns the trainer, the figures of steps not yet read back, and the divergence
//! guard, so that a step's figures are always checked before anything trusts its state: a
//! review rolls a bad step back, and a save reviews first, so no checkpoint holds a state the
//! guard has not passed (an interrupted run saves through the same path).

use std::path::{Path, PathBuf};

use burn::tensor::backend::AutodiffBackend;

use crate::gan::checkpoint::{self, CheckpointError};
use crate::gan::training::guard::{Divergence, Guard};
use crate::gan::training::stats::{StepMode, StepStats, StepValues};
use crate::gan::training::trainer::{RealImages, Trainer};

/// What a review read back: every step's figures up to the state kept, and the divergence, if
/// the guard caught one (the run is then back at its last good state).
#[derive(Debug, Default)]
pub struct Reviewed {
    pub values: Vec<StepValues>,
    pub divergence: Option<Divergence>,
}

/// A trainer behind the divergence guard.
pub struct GuardedRun<B: AutodiffBackend> {
    trainer: Trainer<B>,
    guard: Guard<Trainer<B>>,
    /// Figures of the steps since the last review, still on the device.
    pending: Vec<StepStats<B::InnerBackend>>,
    /// Steps of every mode taken by this run (for throughput).
    steps_taken: u64,
}

impl<B: AutodiffBackend> GuardedRun<B> {
    /// `trainer`'s current state is trusted: it is fresh or was loaded.
    pub fn new(trainer: Trainer<B>) -> Self {
        Self {
            guard: Guard::new(&trainer, trainer.step_count()),
            trainer,
            pending: Vec::new(),
            steps_taken: 0,
        }
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
        match self.guard.review(&values, &mut self.trainer, step) {
            Ok(()) => Reviewed {
                values,
                divergence: None,
            },
            Err(divergence) => {
                values.retain(|v| v.step <= divergence.restored_step);
                Reviewed {
                    values,
                    divergence: Some(divergence),
                }
            }
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
}
