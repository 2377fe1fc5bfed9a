//! Pieces that the dense and the convolutional layers share: the activation, its slope for
//! the closed-form gradients, BatchNorm in inference mode, and copies of BatchNorm's running
//! statistics.

use burn::module::RunningState;
use burn::nn::BatchNorm;
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, relu};

/// ReLU for a slope of 0, LeakyReLU otherwise.
pub fn activation<B: Backend, const D: usize>(x: Tensor<B, D>, leaky_slope: f64) -> Tensor<B, D> {
    if leaky_slope == 0.0 {
        relu(x)
    } else {
        leaky_relu(x, leaky_slope)
    }
}

/// The activation's derivative at `before`: 1 where it is positive, the leak elsewhere
/// (constant almost everywhere, so the closed-form gradients need nothing else).
pub fn activation_slope<B: Backend, const D: usize>(
    before: Tensor<B, D>,
    leaky_slope: f64,
) -> Tensor<B, D> {
    before
        .greater_elem(0.0)
        .float()
        .mul_scalar(1.0 - leaky_slope)
        .add_scalar(leaky_slope)
}

/// BatchNorm with its running statistics, for `[batch, channels, ...]` input, and its gain
/// (γ/√(var + ε), shaped to broadcast over `x`): the factor a gradient picks up going back
/// through it.
pub fn normalize_inference<B: Backend, const D: usize>(
    norm: &BatchNorm<B>,
    x: Tensor<B, D>,
) -> (Tensor<B, D>, Tensor<B, D>) {
    let mut shape = [1; D];
    shape[1] = x.dims()[1];
    let gain = (norm.gamma.val() / norm.running_var.value().add_scalar(norm.epsilon).sqrt())
        .reshape(shape);
    let mean = norm.running_mean.value().reshape(shape);
    let shift = norm.beta.val().reshape(shape);
    ((x - mean) * gain.clone() + shift, gain)
}

/// A copy of `norm` whose running statistics live under locks of their own. burn's `clone`
/// shares them, so training the original would move the copy's too.
pub fn detached_norm<B: Backend>(norm: &BatchNorm<B>) -> BatchNorm<B> {
    let mut copy = norm.clone();
    copy.running_mean = detached(&norm.running_mean);
    copy.running_var = detached(&norm.running_var);
    copy
}

fn detached<B: Backend>(state: &RunningState<Tensor<B, 1>>) -> RunningState<Tensor<B, 1>> {
    let current = state.clone().into_record();
    RunningState::with_id(current.id, current.val())
}
