//! The training core: models, losses, the trainer, checkpoints and latent math.
//! It knows nothing of windows or terminals, so the app, the CLI and the tests share it.

pub mod adam;
pub mod augment;
pub mod background;
pub mod checkpoint;
pub mod config;
pub mod conv;
pub mod critic;
pub mod directions;
pub mod guard;
pub mod inputs;
pub mod latent;
pub mod latent_file;
pub mod layers;
pub mod live;
pub mod loss;
pub mod model;
pub mod projection;
pub mod sample;
pub mod stats;
pub mod timeline;
pub mod trainer;
pub mod truncation;
pub mod walk;

pub use config::TrainConfig;
pub use loss::LossKind;
pub use model::{Discriminator, Generator, Preset};
pub use stats::{StepMode, StepStats, StepValues};
pub use trainer::{RealImages, Trainer};
pub use truncation::Truncation;
