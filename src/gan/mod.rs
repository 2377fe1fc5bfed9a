//! The training core: models, losses, the trainer, checkpoints and latent math.
//! It knows nothing of windows or terminals, so the app, the CLI and the tests share it.
//!
//! - [`model`]: the presets and the two networks, with their closed-form input gradients.
//! - [`training`]: one guarded training loop ([`training::run::GuardedRun`]), the trainer
//!   and its parts (losses, Adam, augmentation, batches, the divergence guard).
//! - [`live`]: a run driven a step at a time by the app, inline or on a thread of its own.
//! - [`latent`]: latent-space math: noise, walks, truncation, directions, projection.
//! - [`what_d_sees`]: D's verdict, saliency and pull on images, for the app to draw.

pub mod checkpoint;
pub mod config;
pub mod latent;
pub mod live;
pub mod model;
pub mod sample;
pub mod timeline;
pub mod training;
pub mod what_d_sees;

pub use config::TrainConfig;
pub use latent::truncation::Truncation;
pub use model::{Discriminator, Generator, Preset};
pub use training::loss::LossKind;
pub use training::stats::{StepMode, StepStats, StepValues};
pub use training::trainer::{RealImages, Trainer};
