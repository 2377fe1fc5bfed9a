//! The arithmetic of one training step, from the networks' shapes and the step's passes as
//! [`crate::gan::Trainer::step`] runs them, so that `bench` can print GFLOP/s.

use crate::gan::TrainConfig;

impl TrainConfig {
    /// Floating-point operations of one step (k D rounds and a G step) at this batch.
    ///
    /// A backward pass costs a forward for the weights' gradients and another for the
    /// inputs', less the first layer's where the input needs no gradient (the digits, z, the
    /// detached fakes of D's round). R1's closed-form input gradient is one more input pass
    /// over D's batch, and its backward two, on one D round in `r1_every`.
    pub fn flops_per_step(&self) -> f64 {
        let g = self.generator().forward_flops();
        let d = self.discriminator().forward_flops();
        let batch = self.batch_size as f64;
        let d_batch = 2.0 * batch; // real and fake in one pass
        let penalty = if self.r1_gamma > 0.0 {
            3.0 * d_batch * d.total / self.r1_every as f64
        } else {
            0.0
        };
        let d_round = batch * g.total // the fakes, whose graph the G step reuses
            + d_batch * (3.0 * d.total - d.first_layer)
            + penalty;
        let g_step = batch * (2.0 * d.total) // D's forward and input gradient, not its weights'
            + batch * (2.0 * g.total - g.first_layer);
        self.d_steps as f64 * d_round + g_step
    }
}

#[cfg(test)]
mod tests {
    use crate::gan::{Preset, TrainConfig};

    #[test]
    fn a_course_step_at_batch_64_is_about_a_gigaflop() {
        let config = TrainConfig {
            preset: Preset::Course,
            batch_size: 64,
            ..TrainConfig::default()
        };
        let g = config.generator().forward_flops();
        let d = config.discriminator().forward_flops();
        let by_hand = 64.0 * g.total
            + 128.0 * (3.0 * d.total - d.first_layer)
            + 64.0 * 2.0 * d.total
            + 64.0 * (2.0 * g.total - g.first_layer);
        assert_eq!(config.flops_per_step(), by_hand);
        assert!((1.0e9..1.05e9).contains(&config.flops_per_step()));
        // A second D round adds its pass; a batch twice as large doubles everything.
        let k2 = TrainConfig {
            d_steps: 2,
            ..config.clone()
        };
        let round = 64.0 * g.total + 128.0 * (3.0 * d.total - d.first_layer);
        assert!((k2.flops_per_step() - config.flops_per_step() - round).abs() < 1.0);
        let doubled = TrainConfig {
            batch_size: 128,
            ..config.clone()
        };
        assert!((doubled.flops_per_step() - 2.0 * config.flops_per_step()).abs() < 1.0);
    }
}
