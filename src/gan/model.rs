//! The two networks, built from configs the way burn's examples do, plus the presets.
//!
//! Weights are initialised from ganimate's own seeded RNG rather than the backend's, so a seed
//! gives the same initial networks on every backend and concurrent runs cannot disturb each
//! other's initialisation.

use burn::module::{Param, RunningState};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, LinearRecord};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, relu, tanh};
use rand::RngExt;

use super::latent::SeededRng;
use crate::data::IMAGE_PIXELS;

/// Architectures selectable everywhere (`--preset`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Stabilised MLP GAN: BatchNorm + LeakyReLU in G, one-sided label smoothing.
    Stable,
    /// The course's network exactly: Linear+ReLU generator, Linear+LeakyReLU discriminator.
    Course,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Stable => "stable",
            Preset::Course => "course",
        }
    }

    pub fn generator(self) -> GeneratorConfig {
        match self {
            Preset::Stable => GeneratorConfig::new(vec![256, 512, 1024])
                .with_batch_norm(true)
                .with_leaky_slope(0.2),
            Preset::Course => GeneratorConfig::new(vec![256, 512, 1024]),
        }
    }

    pub fn discriminator(self) -> DiscriminatorConfig {
        DiscriminatorConfig::new(vec![512, 256])
    }

    /// Target for real images in D's loss: below 1 is one-sided label smoothing.
    pub fn real_label(self) -> f64 {
        match self {
            Preset::Stable => 0.9,
            Preset::Course => 1.0,
        }
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// G: z ~ N(0, 1) → hidden layers → 784 pixels in [-1, 1].
#[derive(Config, Debug, PartialEq)]
pub struct GeneratorConfig {
    pub hidden: Vec<usize>,
    #[config(default = 100)]
    pub latent_dim: usize,
    #[config(default = false)]
    pub batch_norm: bool,
    /// Negative slope of the hidden activation; 0 is a plain ReLU.
    #[config(default = 0.0)]
    pub leaky_slope: f64,
}

#[derive(Module, Debug)]
pub struct Generator<B: Backend> {
    hidden: Vec<Linear<B>>,
    norms: Vec<BatchNorm<B>>,
    output: Linear<B>,
    leaky_slope: f64,
}

impl GeneratorConfig {
    pub fn init<B: Backend>(&self, rng: &mut SeededRng, device: &B::Device) -> Generator<B> {
        let widths = layer_widths(self.latent_dim, &self.hidden, IMAGE_PIXELS);
        let mut layers: Vec<Linear<B>> = widths
            .windows(2)
            .map(|w| init_linear(w[0], w[1], rng, device))
            .collect();
        let output = layers.pop().expect("at least one layer");
        let norms = if self.batch_norm {
            self.hidden
                .iter()
                .map(|&width| BatchNormConfig::new(width).init(device))
                .collect()
        } else {
            Vec::new()
        };
        Generator {
            hidden: layers,
            norms,
            output,
            leaky_slope: self.leaky_slope,
        }
    }
}

impl<B: Backend> Generator<B> {
    /// Maps noise `[batch, latent_dim]` to images `[batch, 784]` in [-1, 1].
    ///
    /// BatchNorm uses batch statistics on an autodiff backend (training) and running statistics
    /// otherwise, so sampling single images from `valid()` is well defined.
    pub fn forward(&self, z: Tensor<B, 2>) -> Tensor<B, 2> {
        let mut x = z;
        for (index, layer) in self.hidden.iter().enumerate() {
            x = layer.forward(x);
            if let Some(norm) = self.norms.get(index) {
                x = norm.forward(x);
            }
            x = activation(x, self.leaky_slope);
        }
        tanh(self.output.forward(x))
    }

    /// A copy that shares nothing mutable with `self`. burn's `clone` shares BatchNorm's
    /// running statistics (they live behind one lock), so training the original would change
    /// a plain clone's sampling too: the divergence guard's snapshots must not.
    pub fn detached_copy(&self) -> Self {
        let mut copy = self.clone();
        for norm in &mut copy.norms {
            norm.running_mean = detached(&norm.running_mean);
            norm.running_var = detached(&norm.running_var);
        }
        copy
    }

    /// Checks that `record` has this network's architecture. burn itself would panic on a
    /// different layer count and silently accept different widths.
    pub fn check_record(&self, record: &GeneratorRecord<B>) -> Result<(), String> {
        let mut expected = linear_shapes(&self.hidden);
        expected.push(self.output.weight.dims());
        let mut found = record_shapes(&record.hidden);
        found.push(record.output.weight.dims());
        compare("generator", &expected, &found)?;
        if record.norms.len() != self.norms.len() {
            return Err(format!(
                "generator has {} BatchNorm layers, this preset {}",
                record.norms.len(),
                self.norms.len()
            ));
        }
        Ok(())
    }

    pub fn latent_dim(&self) -> usize {
        self.hidden.first().unwrap_or(&self.output).weight.dims()[0]
    }
}

/// D: 784 pixels → hidden layers (LeakyReLU) → one logit; D(x) = sigmoid(logit).
#[derive(Config, Debug, PartialEq)]
pub struct DiscriminatorConfig {
    pub hidden: Vec<usize>,
    #[config(default = 0.2)]
    pub leaky_slope: f64,
}

#[derive(Module, Debug)]
pub struct Discriminator<B: Backend> {
    hidden: Vec<Linear<B>>,
    output: Linear<B>,
    leaky_slope: f64,
}

impl DiscriminatorConfig {
    pub fn init<B: Backend>(&self, rng: &mut SeededRng, device: &B::Device) -> Discriminator<B> {
        let widths = layer_widths(IMAGE_PIXELS, &self.hidden, 1);
        let mut layers: Vec<Linear<B>> = widths
            .windows(2)
            .map(|w| init_linear(w[0], w[1], rng, device))
            .collect();
        let output = layers.pop().expect("at least one layer");
        Discriminator {
            hidden: layers,
            output,
            leaky_slope: self.leaky_slope,
        }
    }
}

impl<B: Backend> Discriminator<B> {
    /// Checks that `record` has this network's architecture (see [`Generator::check_record`]).
    pub fn check_record(&self, record: &DiscriminatorRecord<B>) -> Result<(), String> {
        let mut expected = linear_shapes(&self.hidden);
        expected.push(self.output.weight.dims());
        let mut found = record_shapes(&record.hidden);
        found.push(record.output.weight.dims());
        compare("discriminator", &expected, &found)
    }

    /// Maps images `[batch, 784]` to logits `[batch, 1]`.
    pub fn forward(&self, images: Tensor<B, 2>) -> Tensor<B, 2> {
        let x = self.hidden.iter().fold(images, |x, layer| {
            activation(layer.forward(x), self.leaky_slope)
        });
        self.output.forward(x)
    }
}

/// A running statistic with its current value and id, under a lock of its own.
fn detached<B: Backend>(state: &RunningState<Tensor<B, 1>>) -> RunningState<Tensor<B, 1>> {
    let current = state.clone().into_record();
    RunningState::with_id(current.id, current.val())
}

fn linear_shapes<B: Backend>(layers: &[Linear<B>]) -> Vec<[usize; 2]> {
    layers.iter().map(|layer| layer.weight.dims()).collect()
}

fn record_shapes<B: Backend>(layers: &[LinearRecord<B>]) -> Vec<[usize; 2]> {
    layers.iter().map(|layer| layer.weight.dims()).collect()
}

fn compare(network: &str, expected: &[[usize; 2]], found: &[[usize; 2]]) -> Result<(), String> {
    if expected == found {
        return Ok(());
    }
    let describe = |shapes: &[[usize; 2]]| {
        let mut widths: Vec<String> = shapes.iter().map(|s| s[0].to_string()).collect();
        widths.extend(shapes.last().map(|s| s[1].to_string()));
        widths.join(" → ")
    };
    Err(format!(
        "{network} layers are {}, this preset's are {}",
        describe(found),
        describe(expected)
    ))
}

fn activation<B: Backend>(x: Tensor<B, 2>, leaky_slope: f64) -> Tensor<B, 2> {
    if leaky_slope == 0.0 {
        relu(x)
    } else {
        leaky_relu(x, leaky_slope)
    }
}

fn layer_widths(input: usize, hidden: &[usize], output: usize) -> Vec<usize> {
    std::iter::once(input)
        .chain(hidden.iter().copied())
        .chain(std::iter::once(output))
        .collect()
}

/// A `Linear` layer initialised like PyTorch's: weights and bias ~ U(-k, k), k = 1/√fan_in.
pub(crate) fn init_linear<B: Backend>(
    d_in: usize,
    d_out: usize,
    rng: &mut SeededRng,
    device: &B::Device,
) -> Linear<B> {
    let bound = 1.0 / (d_in as f32).sqrt();
    let mut uniform = |n: usize| -> Vec<f32> {
        (0..n)
            .map(|_| (rng.random::<f32>() * 2.0 - 1.0) * bound)
            .collect()
    };
    let weight = Tensor::from_data(
        TensorData::new(uniform(d_in * d_out), [d_in, d_out]),
        device,
    );
    let bias = Tensor::from_data(TensorData::new(uniform(d_out), [d_out]), device);
    let mut linear = LinearConfig::new(d_in, d_out).init(device);
    linear.weight = Param::from_tensor(weight);
    linear.bias = Some(Param::from_tensor(bias));
    linear
}
