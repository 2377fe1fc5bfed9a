//! Pieces that the dense and the convolutional layers share: the activation, its slope for
//! the closed-form gradients, and the layers' widths and initialisation.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, relu};

use crate::gan::latent::{SeededRng, uniform};

/// ReLU for a slope of 0, LeakyReLU otherwise.
///
/// Under autodiff, burn builds LeakyReLU from a compare, a scale and a select, and the
/// select's backward allocates and selects once per input: on the CPU that was a quarter of
/// a toy step. `x` times its slope, the slope held constant, has the same values and a
/// backward of one multiply.
pub(super) fn activation<B: Backend, const D: usize>(
    x: Tensor<B, D>,
    leaky_slope: f64,
) -> Tensor<B, D> {
    if leaky_slope == 0.0 {
        relu(x)
    } else if B::ad_enabled(&x.device()) {
        let slope = activation_slope(x.clone().detach(), leaky_slope);
        x * slope
    } else {
        leaky_relu(x, leaky_slope)
    }
}

/// The activation's derivative at `before`: 1 where it is positive, the leak elsewhere
/// (constant almost everywhere, so the closed-form gradients need nothing else). A mask
/// filled with the leak is exactly 1 or the leak, and on lavapipe a step with it dispatched
/// 10 kernels fewer (course) than with the slope scaled from a 0/1 float.
pub(super) fn activation_slope<B: Backend, const D: usize>(
    before: Tensor<B, D>,
    leaky_slope: f64,
) -> Tensor<B, D> {
    let negative = before.clone().lower_equal_elem(0.0);
    before.ones_like().mask_fill(negative, leaky_slope)
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
