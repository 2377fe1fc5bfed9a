//! What defines a training run: chosen on the command line or in the app, saved in every
//! checkpoint.

use crate::data::DatasetKind;
use crate::gan::model::{DiscriminatorConfig, GeneratorConfig, Preset};
use crate::gan::training::adam::FusedAdamConfig;
use crate::gan::training::loss::LossKind;

/// Everything that defines a run; saved in every checkpoint.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    pub dataset: DatasetKind,
    pub preset: Preset,
    pub loss: LossKind,
    pub batch_size: usize,
    pub lr_g: f64,
    pub lr_d: f64,
    pub beta1: f64,
    pub beta2: f64,
    /// Discriminator steps per generator step (the k of Goodfellow's algorithm 1).
    pub d_steps: usize,
    pub seed: u64,
    /// γ of the R1 penalty on D, γ/2·‖∇ₓD(x)‖² on real digits (Mescheder et al. 2018); 0 is
    /// none. Older checkpoints have none.
    #[serde(default)]
    pub r1_gamma: f64,
    /// R1 is applied on one D batch in this many, with γ times as large (StyleGAN2's lazy
    /// regularisation): the penalty's extra backward pass then costs a fraction of a step.
    /// Older checkpoints apply it on every batch.
    #[serde(default = "every_batch")]
    pub r1_every: u64,
    /// A toy lab run, on 1D or 2D points instead of digits; `None` for digits (and in every
    /// checkpoint from before the toy lab).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toy: Option<ToySetup>,
    /// Toy lab: dimensions of G's noise z where they are not the points' own (the app then
    /// draws G's map as a 2D slice through z).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_dim: Option<usize>,
}

/// The most noise dimensions a toy run's G takes.
pub const MAX_NOISE_DIM: usize = 256;

/// What a toy lab run trains on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ToySetup {
    /// Coordinates per point: 1 or 2.
    pub dim: usize,
    /// The data as the user named it: a built-in shape (`ring`) or a CSV file's path.
    pub data: String,
    /// Half the side of the square that G's output spans, in the data's units: the points are
    /// divided by it before training.
    pub extent: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            dataset: DatasetKind::Mnist,
            preset: Preset::Stable,
            loss: LossKind::NonSaturating,
            batch_size: 64,
            lr_g: 2e-4,
            lr_d: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
            d_steps: 1,
            seed: 42,
            r1_gamma: 0.0,
            r1_every: 1,
            toy: None,
            noise_dim: None,
        }
    }
}

fn every_batch() -> u64 {
    1
}

impl TrainConfig {
    /// A toy lab run of `preset` on `setup`'s points: batches of 256 (digits train at 64),
    /// with the preset's learning rates.
    pub fn toy(setup: ToySetup, preset: Preset) -> Self {
        Self {
            batch_size: 256,
            toy: Some(setup),
            ..Self::default()
        }
        .with_toy_preset(preset)
    }

    /// This toy run with `preset`'s networks, and the optimiser and penalty they train with:
    /// `course` keeps the seed's Adam (β₁ = 0.5) and no penalty, and lets D learn ten times
    /// slower than G (10⁻⁴ against 10⁻³, Metz et al.'s unrolled-GAN baseline), so that G
    /// piles its fakes onto one point at a time and they hop round the ring, the collapse of
    /// the lesson; with both at 10⁻³ it spreads over every mode in a few thousand steps.
    /// `stable` takes what `bench --toy` measured to cover every mode of the grid: Adam at
    /// 10⁻³ with β = (0, 0.99) and a light lazy R1 (γ = 0.01, on one D batch in 8).
    pub fn with_toy_preset(self, preset: Preset) -> Self {
        let (lr_g, lr_d, beta1, beta2, r1_gamma, r1_every) = match preset {
            Preset::Course => (1e-3, 1e-4, 0.5, 0.999, 0.0, 1),
            Preset::Stable | Preset::Dcgan | Preset::Conditional => {
                (1e-3, 1e-3, 0.0, 0.99, 0.01, 8)
            }
        };
        Self {
            preset,
            lr_g,
            lr_d,
            beta1,
            beta2,
            r1_gamma,
            r1_every,
            ..self
        }
    }

    pub(super) fn adam(&self) -> FusedAdamConfig {
        FusedAdamConfig::new()
            .with_beta_1(self.beta1 as f32)
            .with_beta_2(self.beta2 as f32)
            .with_epsilon(1e-8)
    }

    /// G's architecture: the preset's, for digits or for the toy's points.
    pub fn generator(&self) -> GeneratorConfig {
        match &self.toy {
            Some(toy) => self
                .preset
                .toy_generator(toy.dim)
                .with_latent_dim(self.noise_dim.unwrap_or(toy.dim)),
            None => self.preset.generator(),
        }
    }

    /// D's architecture: the preset's, for digits or for the toy's points.
    pub fn discriminator(&self) -> DiscriminatorConfig {
        match &self.toy {
            Some(toy) => self.preset.toy_discriminator(toy.dim),
            None => self.preset.discriminator(),
        }
    }

    /// The largest shift of the translations D sees digits through; none for points.
    pub fn augment_shift(&self) -> Option<usize> {
        self.toy
            .is_none()
            .then(|| self.preset.augment_shift())
            .flatten()
    }

    /// Checks values a user can type; returns what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.batch_size == 0 {
            return Err("batch size must be at least 1".into());
        }
        if self.d_steps == 0 {
            return Err("D steps per G step must be at least 1".into());
        }
        for (name, lr) in [("lr-g", self.lr_g), ("lr-d", self.lr_d)] {
            if !(lr.is_finite() && lr > 0.0 && lr < 1.0) {
                return Err(format!("--{name} must be in (0, 1), got {lr}"));
            }
        }
        if let Some(toy) = &self.toy {
            if matches!(self.preset, Preset::Dcgan | Preset::Conditional) {
                return Err(format!(
                    "the {} preset draws digits; the toy lab takes course or stable",
                    self.preset
                ));
            }
            if !(1..=2).contains(&toy.dim) {
                return Err(format!(
                    "toy points have 1 or 2 coordinates, not {}",
                    toy.dim
                ));
            }
            if !(toy.extent.is_finite() && toy.extent > 0.0) {
                return Err(format!(
                    "the toy view's extent must be positive, got {}",
                    toy.extent
                ));
            }
        }
        if !(self.r1_gamma.is_finite() && (0.0..=100.0).contains(&self.r1_gamma)) {
            return Err(format!(
                "--r1 must be between 0 and 100, got {}",
                self.r1_gamma
            ));
        }
        if let Some(dim) = self.noise_dim
            && !(1..=MAX_NOISE_DIM).contains(&dim)
        {
            return Err(format!(
                "--noise-dim must be between 1 and {MAX_NOISE_DIM}, got {dim}"
            ));
        }
        if self.r1_every == 0 {
            return Err("R1's interval must be at least one D batch".to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_from_before_lazy_r1_applies_it_on_every_batch() {
        let mut json = serde_json::to_value(TrainConfig {
            r1_gamma: 1.0,
            r1_every: 16,
            ..TrainConfig::default()
        })
        .unwrap();
        json.as_object_mut().unwrap().remove("r1_every");
        let config: TrainConfig = serde_json::from_value(json).unwrap();
        assert_eq!((config.r1_gamma, config.r1_every), (1.0, 1));
    }

    #[test]
    fn the_toy_presets_bring_their_optimiser_and_penalty() {
        let setup = ToySetup {
            dim: 2,
            data: "ring".into(),
            extent: 1.5,
        };
        let course = TrainConfig::toy(setup.clone(), Preset::Course);
        assert_eq!(
            (course.beta1, course.r1_gamma),
            (0.5, 0.0),
            "the seed's recipe"
        );
        assert!(course.lr_d < course.lr_g, "a slow D, so that G collapses");
        let stable = course.clone().with_toy_preset(Preset::Stable);
        assert_eq!(stable, TrainConfig::toy(setup, Preset::Stable));
        assert!(stable.r1_gamma > 0.0 && stable.r1_every > 1);
        assert_eq!(stable.with_toy_preset(Preset::Course), course);
        assert!(
            TrainConfig {
                r1_every: 0,
                ..course
            }
            .validate()
            .is_err()
        );
    }
}
