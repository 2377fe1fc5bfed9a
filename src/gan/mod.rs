//! The training core: models, losses, the trainer, checkpoints and latent math.
//! It knows nothing of windows or terminals, so the app, the CLI and the tests share it.

pub mod augment;
pub mod checkpoint;
pub mod guard;
pub mod latent;
pub mod live;
pub mod loss;
pub mod model;
pub mod sample;
pub mod trainer;
pub mod walk;

pub use loss::LossKind;
pub use model::{Discriminator, Generator, Preset};
pub use trainer::{RealImages, StepMode, StepStats, StepValues, TrainConfig, Trainer};
