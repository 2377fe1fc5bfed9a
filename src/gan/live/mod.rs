//! A training run driven step by step by an interactive front end (the desktop app), behind one
//! object-safe trait so the front end never names a backend: the concrete one is picked at the
//! edge, by whoever calls [`open`].

pub mod background;

use std::path::{Path, PathBuf};

use burn::prelude::{Backend, Tensor, TensorData};
use burn::tensor::backend::AutodiffBackend;

use crate::gan::checkpoint::{self, CheckpointError};
use crate::gan::config::TrainConfig;
use crate::gan::latent::directions::{self, Directions};
use crate::gan::latent::projection::{Projection, ProjectionConfig, ProjectionRun};
use crate::gan::model::Generator;
use crate::gan::training::guard::Divergence;
use crate::gan::training::run::{GuardedRun, Reviewed};
use crate::gan::training::stats::{StepMode, StepValues};
use crate::gan::training::trainer::{RealImages, Trainer};
use crate::gan::what_d_sees::{DetachedDiscriminator, DiscriminatorProbe};

/// Where a session's networks come from.
pub enum Origin<'a> {
    /// Fresh networks from `TrainConfig::seed`.
    Fresh(TrainConfig),
    /// A checkpoint folder (or run folder) on disk.
    Checkpoint(&'a Path),
    /// A generator-only checkpoint held in memory: manifest JSON, generator record.
    Embedded {
        label: &'a Path,
        manifest: &'a [u8],
        generator: &'a [u8],
    },
}

/// A GAN that can be trained a step at a time and sampled at any moment.
///
/// Figures of steps stay on the device until [`LiveSession::take_stats`], which reads all of
/// them back at once: the app calls it a few times a second, not every step.
pub trait LiveSession: Send {
    fn config(&self) -> &TrainConfig;
    /// Generator steps taken so far.
    fn step_count(&self) -> u64;
    /// Passes over the dataset so far (0 without data).
    fn epoch(&self) -> f64;
    /// Steps this session has trained, of every mode (for throughput).
    fn steps_taken(&self) -> u64;
    /// False when there is no dataset: the generator can be explored but not trained.
    fn can_train(&self) -> bool;
    /// Trains one step; does nothing without data.
    fn train(&mut self, mode: StepMode);
    /// Trains continuously on a thread of its own while `on`, where this session has one
    /// ([`crate::gan::live::background::Background`]); returns false where the caller drives every step
    /// with [`LiveSession::train`].
    fn run_in_background(&mut self, _on: bool) -> bool {
        false
    }
    /// Figures of every step since the last call, read back in one go, and checked by the
    /// divergence guard: after a bad step the session is back at its last good state and only
    /// the figures up to that state are returned.
    fn take_stats(&mut self) -> (Vec<StepValues>, Option<Divergence>);

    /// Waits until the device has finished all queued work.
    fn sync(&self);
    fn latent_dim(&self) -> usize;
    /// The generator to sample from as it is now, detached from training.
    fn sampler(&self) -> Box<dyn Sampler>;
    /// Runs the generator on `noise` (`n × latent_dim`); returns `n × 784` values in [-1, 1].
    fn generate(&self, noise: &[f32]) -> Vec<f32> {
        self.sampler().generate(noise)
    }
    /// The two players as they are now, detached from training, to look into (what D sees).
    /// `None` while a copy is being made: ask again. A session on a thread of its own copies
    /// them only when asked, because copies held across steps would make every step copy the
    /// weights it updates instead of updating them in place.
    fn players(&self) -> Option<Players>;
    fn set_learning_rates(&mut self, lr_g: f64, lr_d: f64);
    fn set_d_steps(&mut self, d_steps: usize);
    /// Saves a full checkpoint into the run folder `run_dir`, of a state the divergence guard
    /// has passed; returns the checkpoint folder.
    fn save(&mut self, run_dir: &Path) -> Result<PathBuf, CheckpointError>;
}

/// G and D at one step, detached from training.
pub struct Players {
    /// Generator steps taken when they were copied.
    pub step: u64,
    pub discriminator: Box<dyn DiscriminatorProbe>,
    /// The generator being trained, even where the session samples from its moving average:
    /// what one G step changes.
    pub generator: Box<dyn Sampler>,
}

impl Players {
    /// Detached copies of `trainer`'s players, as they are now.
    pub fn of<B: AutodiffBackend>(trainer: &Trainer<B>) -> Self {
        Self {
            step: trainer.step_count(),
            discriminator: Box::new(DetachedDiscriminator::new(
                trainer.discriminator(),
                trainer.config().loss,
                trainer.device().clone(),
            )),
            generator: Box::new(GeneratorSampler {
                generator: trainer.training_generator(),
                device: trainer.device().clone(),
            }),
        }
    }
}

/// What `trainer` samples from: its generator's moving average where the preset keeps one.
pub fn sampler_of<B: AutodiffBackend>(trainer: &Trainer<B>) -> Box<dyn Sampler> {
    Box::new(GeneratorSampler {
        generator: trainer.generator(),
        device: trainer.device().clone(),
    })
}

/// A generator to sample from, whatever its backend.
pub trait Sampler: Send {
    /// Runs the generator on `noise` (`n × latent_dim`); returns `n × width` values in
    /// [-1, 1], 784 per digit or 1 or 2 per toy point.
    fn generate(&self, noise: &[f32]) -> Vec<f32>;
    fn boxed_clone(&self) -> Box<dyn Sampler>;
    /// Starts projecting `target` (784 values in [-1, 1]) into this generator's latent space,
    /// on a copy that training no longer changes.
    fn project(&self, target: &[f32], config: ProjectionConfig) -> Box<dyn ProjectionRun>;
    /// This generator's latent directions by `method`, strongest first.
    fn directions(&self, method: directions::Method) -> Directions;
}

struct GeneratorSampler<B: Backend> {
    generator: Generator<B>,
    device: B::Device,
}

impl<B: Backend> Sampler for GeneratorSampler<B> {
    fn generate(&self, noise: &[f32]) -> Vec<f32> {
        let latent_dim = self.generator.latent_dim();
        let count = noise.len() / latent_dim;
        if count == 0 {
            return Vec::new();
        }
        let z = Tensor::<B, 2>::from_data(
            TensorData::new(noise[..count * latent_dim].to_vec(), [count, latent_dim]),
            &self.device,
        );
        let values = self
            .generator
            .forward(z)
            .into_data()
            .convert::<f32>()
            .to_vec::<f32>()
            .unwrap_or_default();
        debug_assert_eq!(values.len(), count * self.generator.output_width());
        values
    }

    fn boxed_clone(&self) -> Box<dyn Sampler> {
        Box::new(GeneratorSampler {
            generator: self.generator.clone(),
            device: self.device.clone(),
        })
    }

    fn directions(&self, method: directions::Method) -> Directions {
        directions::find(&self.generator, method, &self.device)
    }

    fn project(&self, target: &[f32], config: ProjectionConfig) -> Box<dyn ProjectionRun> {
        Box::new(Projection::new(
            self.generator.detached_copy(),
            target,
            config,
            &self.device,
        ))
    }
}

/// Opens a session on backend `B`. `data_for` gives the training samples in [-1, 1] for the
/// run's config, if there are any: digits or toy points, which a checkpoint's config says only
/// once it is read.
pub fn open<B: AutodiffBackend>(
    origin: Origin<'_>,
    data_for: impl FnOnce(&TrainConfig) -> Option<Vec<f32>>,
    device: &B::Device,
) -> Result<Box<dyn LiveSession>, CheckpointError> {
    let trainer = match origin {
        Origin::Fresh(config) => Trainer::<B>::new(config, device),
        Origin::Checkpoint(path) => {
            let trainer = checkpoint::load_trainer::<B>(path, device)?;
            if trainer.config().preset.classes() > 0 {
                return Err(CheckpointError::Incompatible {
                    path: path.to_path_buf(),
                    problem: "a conditional GAN's checkpoint: the app does not show those yet \
                              (`ganimate sample --class` draws its digits)"
                        .to_string(),
                });
            }
            trainer
        }
        Origin::Embedded {
            label,
            manifest,
            generator,
        } => {
            let (generator, manifest) =
                checkpoint::generator_from_bytes::<B>(label, manifest, generator, device)?;
            Trainer::with_generator(manifest.config, generator, manifest.step, device)
        }
    };
    let width = trainer.config().generator().output_width;
    let data =
        data_for(trainer.config()).map(|values| RealImages::with_width(values, width, device));
    Ok(Box::new(Live {
        run: GuardedRun::new(trainer),
        data,
        unread: Reviewed::default(),
    }))
}

/// The app's run: the guarded loop, and the training images if there are any.
struct Live<B: AutodiffBackend> {
    run: GuardedRun<B>,
    data: Option<RealImages<B>>,
    /// What a save's review read back, until [`LiveSession::take_stats`] hands it on.
    unread: Reviewed,
}

impl<B: AutodiffBackend> LiveSession for Live<B> {
    fn config(&self) -> &TrainConfig {
        self.run.trainer().config()
    }

    fn step_count(&self) -> u64 {
        self.run.trainer().step_count()
    }

    fn epoch(&self) -> f64 {
        self.data
            .as_ref()
            .map_or(0.0, |data| self.run.trainer().epoch(data.len()))
    }

    fn steps_taken(&self) -> u64 {
        self.run.steps_taken()
    }

    fn can_train(&self) -> bool {
        self.data.is_some()
    }

    fn train(&mut self, mode: StepMode) {
        if let Some(data) = &self.data {
            self.run.step(mode, data);
        }
    }

    fn take_stats(&mut self) -> (Vec<StepValues>, Option<Divergence>) {
        let Reviewed {
            mut values,
            divergence,
            ..
        } = std::mem::take(&mut self.unread);
        let reviewed = self.run.review();
        values.extend(reviewed.values);
        (values, divergence.or(reviewed.divergence))
    }

    fn sync(&self) {
        let _ = B::sync(self.run.trainer().device());
    }

    fn latent_dim(&self) -> usize {
        self.run.trainer().latent_dim()
    }

    fn sampler(&self) -> Box<dyn Sampler> {
        sampler_of(self.run.trainer())
    }

    fn players(&self) -> Option<Players> {
        Some(Players::of(self.run.trainer()))
    }

    fn set_learning_rates(&mut self, lr_g: f64, lr_d: f64) {
        self.run.trainer_mut().set_learning_rates(lr_g, lr_d);
    }

    fn set_d_steps(&mut self, d_steps: usize) {
        self.run.trainer_mut().set_d_steps(d_steps);
    }

    fn save(&mut self, run_dir: &Path) -> Result<PathBuf, CheckpointError> {
        let (saved, reviewed) = self.run.save(run_dir)?;
        self.unread.values.extend(reviewed.values);
        self.unread.divergence = self.unread.divergence.take().or(reviewed.divergence);
        Ok(saved)
    }
}
