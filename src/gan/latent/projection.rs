//! Projection: the latent vector whose digit best matches a given image (GAN inversion, as
//! iGAN does for sketches, Zhu et al. 2016).
//!
//! Gradient descent (Adam) on z minimises the pixel error to the target plus a light pull of z
//! towards the noise's typical region, from a batch of random restarts at once: G's digits are
//! not a convex function of z, and one start often settles on a nearby digit of another shape.
//! The gradient is G's closed-form pull-back ([`Generator::pull_back`]) on the inner backend,
//! so any backend runs it and BatchNorm uses its running statistics, as sampling does.

use burn::prelude::*;

use crate::data::IMAGE_PIXELS;
use crate::gan::latent::{self, Stream};
use crate::gan::model::Generator;

#[derive(Config, Debug, PartialEq)]
pub struct ProjectionConfig {
    /// Random starting points searched together; the best one wins.
    #[config(default = 16)]
    pub restarts: usize,
    /// Adam steps.
    #[config(default = 300)]
    pub steps: usize,
    /// Adam's step size at the start; it decays to a tenth by the end (cosine).
    #[config(default = 0.1)]
    pub learning_rate: f64,
    /// Weight of the prior ‖z‖²/d next to the mean squared pixel error (in [-1, 1] units).
    #[config(default = 0.002)]
    pub prior: f64,
    /// Seed of the starting points.
    #[config(default = 0)]
    pub seed: u64,
}

/// One restart's current latent vector and how well its digit fits.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub z: Vec<f32>,
    /// Its digit, 784 values in [-1, 1].
    pub image: Vec<f32>,
    /// Root-mean-square pixel difference from the target, as a fraction of full brightness.
    pub pixel_error: f32,
}

/// Where a projection stands: every restart, best fit first.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub step: usize,
    pub candidates: Vec<Candidate>,
}

impl Snapshot {
    pub fn best(&self) -> &Candidate {
        &self.candidates[0]
    }
}

/// A projection in progress, advanced a few steps at a time so a front end can show it.
pub struct Projection<B: Backend> {
    generator: Generator<B>,
    target: Tensor<B, 2>,
    z: Tensor<B, 2>,
    first_moment: Tensor<B, 2>,
    second_moment: Tensor<B, 2>,
    step: usize,
    config: ProjectionConfig,
}

const BETA_1: f64 = 0.9;
const BETA_2: f64 = 0.999;
const EPSILON: f64 = 1e-8;

impl<B: Backend> Projection<B> {
    /// Starts projecting `target` (784 values in [-1, 1]) into `generator`'s latent space.
    pub fn new(
        generator: Generator<B>,
        target: &[f32],
        config: ProjectionConfig,
        device: &B::Device,
    ) -> Self {
        assert_eq!(target.len(), IMAGE_PIXELS, "a target is one 28×28 image");
        let dim = generator.latent_dim();
        let restarts = config.restarts.max(1);
        let starts = latent::normal(
            &mut latent::rng_for(config.seed, Stream::Projection, 0),
            restarts * dim,
        );
        let z = Tensor::from_data(TensorData::new(starts, [restarts, dim]), device);
        Self {
            target: Tensor::from_data(TensorData::new(target.to_vec(), [1, IMAGE_PIXELS]), device),
            first_moment: z.zeros_like(),
            second_moment: z.zeros_like(),
            z,
            generator,
            step: 0,
            config,
        }
    }

    pub fn finished(&self) -> bool {
        self.step >= self.config.steps
    }

    /// Takes up to `count` more steps (none past the configured number).
    pub fn advance(&mut self, count: usize) {
        let dim = self.z.dims()[1] as f64;
        for _ in 0..count.min(self.config.steps.saturating_sub(self.step)) {
            let trace = self.generator.trace(self.z.clone());
            let upstream =
                (trace.images.clone() - self.target.clone()).mul_scalar(2.0 / IMAGE_PIXELS as f64);
            let gradient = self.generator.pull_back(trace, upstream)
                + self.z.clone().mul_scalar(2.0 * self.config.prior / dim);
            self.step += 1;
            let t = self.step as i32;
            self.first_moment = self.first_moment.clone().mul_scalar(BETA_1)
                + gradient.clone().mul_scalar(1.0 - BETA_1);
            self.second_moment = self.second_moment.clone().mul_scalar(BETA_2)
                + gradient.square().mul_scalar(1.0 - BETA_2);
            let step_size =
                self.learning_rate() * (1.0 - BETA_2.powi(t)).sqrt() / (1.0 - BETA_1.powi(t));
            let update =
                self.first_moment.clone() / self.second_moment.clone().sqrt().add_scalar(EPSILON);
            self.z = self.z.clone() - update.mul_scalar(step_size);
        }
    }

    /// The cosine-decayed step size of the next step.
    fn learning_rate(&self) -> f64 {
        let progress = self.step as f64 / self.config.steps.max(1) as f64;
        let floor = 0.1;
        self.config.learning_rate
            * (floor + (1.0 - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()))
    }

    /// Reads every restart back from the device, best fit first.
    pub fn snapshot(&self) -> Snapshot {
        let read = |t: Tensor<B, 2>| {
            t.into_data()
                .convert::<f32>()
                .to_vec::<f32>()
                .unwrap_or_default()
        };
        let dim = self.z.dims()[1];
        let z = read(self.z.clone());
        let images = read(self.generator.trace(self.z.clone()).images);
        let target = read(self.target.clone());
        let mut candidates: Vec<Candidate> = z
            .chunks_exact(dim)
            .zip(images.chunks_exact(IMAGE_PIXELS))
            .map(|(z, image)| Candidate {
                z: z.to_vec(),
                image: image.to_vec(),
                pixel_error: pixel_error(image, &target),
            })
            .collect();
        candidates.sort_by(|a, b| a.pixel_error.total_cmp(&b.pixel_error));
        Snapshot {
            step: self.step,
            candidates,
        }
    }
}

/// A projection whatever its backend, for front ends that never name one.
pub trait ProjectionRun: Send {
    fn advance(&mut self, count: usize);
    fn finished(&self) -> bool;
    fn snapshot(&self) -> Snapshot;
}

impl<B: Backend> ProjectionRun for Projection<B> {
    fn advance(&mut self, count: usize) {
        Projection::advance(self, count);
    }

    fn finished(&self) -> bool {
        Projection::finished(self)
    }

    fn snapshot(&self) -> Snapshot {
        Projection::snapshot(self)
    }
}

/// Root-mean-square difference of two images in [-1, 1], as a fraction of full brightness.
pub fn pixel_error(image: &[f32], target: &[f32]) -> f32 {
    let squared: f32 = image
        .iter()
        .zip(target)
        .map(|(a, b)| (a - b) * (a - b))
        .sum();
    (squared / image.len().max(1) as f32).sqrt() / 2.0
}

/// Projects `target` with all of `config`'s steps and returns the result.
pub fn project<B: Backend>(
    generator: Generator<B>,
    target: &[f32],
    config: ProjectionConfig,
    device: &B::Device,
) -> Snapshot {
    let mut projection = Projection::new(generator, target, config, device);
    let steps = projection.config.steps;
    projection.advance(steps);
    projection.snapshot()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Cpu;
    use crate::gan::checkpoint;
    use crate::gan::sample;

    #[test]
    fn digits_the_generator_drew_are_recovered_closely() {
        let device = Default::default();
        let (generator, _) =
            checkpoint::load_generator::<Cpu>(std::path::Path::new("assets/pretrained"), &device)
                .unwrap();
        let noise = sample::fixed_noise(7, 4, generator.latent_dim());
        let targets = sample::generate_values(&generator, &noise, &device);
        for (index, target) in targets.chunks_exact(IMAGE_PIXELS).enumerate() {
            let mut projection =
                Projection::new(generator.clone(), target, ProjectionConfig::new(), &device);
            let start = projection.snapshot().best().pixel_error;
            projection.advance(usize::MAX);
            assert!(projection.finished());
            let found = projection.snapshot();
            assert_eq!(found.step, 300);
            let best = found.best();
            // The search starts far away and ends within 3 % of full brightness (RMS).
            assert!(
                start > 0.15,
                "digit {index}: a random start is already close ({start})"
            );
            assert!(
                best.pixel_error < 0.03,
                "digit {index}: best pixel error {} (from {start})",
                best.pixel_error
            );
            // The reported error is the error of the reported z's digit.
            let redrawn = sample::generate_values(&generator, &best.z, &device);
            assert!((pixel_error(&redrawn, target) - best.pixel_error).abs() < 1e-4);
        }
    }
}
