//! One training step taken apart, for the toy lab's slow-motion step: a handful of samples
//! drawn as the step draws its batch, what D says of each, the two losses on them, the pull of
//! G's loss on each fake and, once the step has been taken, where the same z's land and what
//! D says then. Computed from detached players, so the app can do it between two steps.

use crate::gan::live::Sampler;
use crate::gan::training::loss::LossKind;
use crate::gan::what_d_sees::DiscriminatorProbe;
use crate::toy::{ToyData, in_data_units, normalized};

/// Samples of each kind the slow-motion step follows: few enough to label each one.
pub const SHOWN: usize = 6;

/// A handful of samples through one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepApart {
    pub dim: usize,
    pub extent: f32,
    pub loss: LossKind,
    pub latent_dim: usize,
    /// Generator steps taken before this one.
    pub step: u64,
    /// The fakes' noise, [`SHOWN`] × `latent_dim`, drawn from N(0, 1).
    pub noise: Vec<f32>,
    /// The real points, [`SHOWN`] × `dim`, in the data's units.
    pub real: Vec<f32>,
    /// The players before the step.
    pub before: Moment,
    /// The players after it, on the same z's and real points.
    pub after: Option<Moment>,
}

/// What G and D make of the step's samples at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    /// G(z) for each z, in the data's units.
    pub fake: Vec<f32>,
    /// D's verdicts ([`LossKind::d_output`]) on the real points and on the fakes.
    pub real_scores: Vec<f32>,
    pub fake_scores: Vec<f32>,
    /// −∂L_G/∂x at each fake, in G's output units.
    pub pull: Vec<f32>,
    /// D's and G's losses on these samples.
    pub d_loss: f32,
    pub g_loss: f32,
}

impl StepApart {
    /// Draws the samples of the step after `step` generator steps of a run of `seed` on
    /// `data`, and what the players make of them now.
    pub fn draw(
        discriminator: &dyn DiscriminatorProbe,
        generator: &dyn Sampler,
        data: &ToyData,
        latent_dim: usize,
        (seed, step): (u64, u64),
        real_label: f32,
    ) -> Self {
        // The stream of the shown samples is the step's, so each step shows new ones and a
        // recording shows the same ones again.
        let noise = crate::gan::sample::fixed_noise(seed ^ step.rotate_left(17), SHOWN, latent_dim);
        let real = data.batch(SHOWN, seed, step);
        let before = Moment::of(
            discriminator,
            generator,
            &noise,
            &normalized(&real, data.extent()),
            (data.extent(), real_label),
        );
        Self {
            dim: data.dim(),
            extent: data.extent(),
            loss: discriminator.loss(),
            latent_dim,
            step,
            noise,
            real,
            before,
            after: None,
        }
    }

    /// Looks at the same samples through the players as the step left them.
    pub fn update(
        &mut self,
        discriminator: &dyn DiscriminatorProbe,
        generator: &dyn Sampler,
        real_label: f32,
    ) {
        self.after = Some(Moment::of(
            discriminator,
            generator,
            &self.noise,
            &normalized(&self.real, self.extent),
            (self.extent, real_label),
        ));
    }
}

impl Moment {
    fn of(
        discriminator: &dyn DiscriminatorProbe,
        generator: &dyn Sampler,
        noise: &[f32],
        real: &[f32],
        (extent, real_label): (f32, f32),
    ) -> Self {
        let fake = generator.generate(noise);
        let pulls = discriminator.pulls(&fake);
        let real_scores = discriminator.scores(real);
        let (d_loss, g_loss) =
            discriminator
                .loss()
                .losses_of_verdicts(&real_scores, &pulls.scores, real_label);
        Self {
            fake: in_data_units(&fake, extent),
            real_scores,
            fake_scores: pulls.scores,
            pull: pulls.wanted,
            d_loss,
            g_loss,
        }
    }
}
