//! What defines a training run: chosen on the command line or in the app, saved in every
//! checkpoint.

use crate::data::DatasetKind;
use crate::gan::model::Preset;
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
        }
    }
}

impl TrainConfig {
    pub(super) fn adam(&self) -> FusedAdamConfig {
        FusedAdamConfig::new()
            .with_beta_1(self.beta1 as f32)
            .with_beta_2(self.beta2 as f32)
            .with_epsilon(1e-8)
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
        if !(self.r1_gamma.is_finite() && (0.0..=100.0).contains(&self.r1_gamma)) {
            return Err(format!(
                "--r1 must be between 0 and 100, got {}",
                self.r1_gamma
            ));
        }
        Ok(())
    }
}
