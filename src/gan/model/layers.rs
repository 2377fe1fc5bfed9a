//! Pieces that the dense and the convolutional layers share: the activation, its slope for
//! the closed-form gradients, and the layers' widths and initialisation.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, relu};

use crate::gan::latent::{SeededRng, uniform};

/// ReLU for a slope of 0, LeakyReLU otherwise.
pub(super) fn activation<B: Backend, const D: usize>(
    x: Tensor<B, D>,
    leaky_slope: f64,
) -> Tensor<B, D> {
    if leaky_slope == 0.0 {
        relu(x)
    } else {
        leaky_relu(x, leaky_slope)
    }
}

/// The activation's derivative at `before`: 1 where it is positive, the leak elsewhere
/// (constant almost everywhere, so the closed-form gradients need nothing else).
pub(super) fn activation_slope<B: Backend, const D: usize>(
    before: Tensor<B, D>,
    leaky_slope: f64,
) -> Tensor<B, D> {
    before
        .greater_elem(0.0)
        .float()
        .mul_scalar(1.0 - leaky_slope)
        .add_scalar(leaky_slope)
}

pub(super) fn layer_widths(input: usize, hidden: &[usize], output: usize) -> Vec<usize> {
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
    let weight = Tensor::from_data(
        TensorData::new(uniform(rng, d_in * d_out, bound), [d_in, d_out]),
        device,
    );
    let bias = Tensor::from_data(TensorData::new(uniform(rng, d_out, bound), [d_out]), device);
    let mut linear = LinearConfig::new(d_in, d_out).init(device);
    linear.weight = Param::from_tensor(weight);
    linear.bias = Some(Param::from_tensor(bias));
    linear
}
