//! The convolutional preset's image layers (DCGAN, Radford et al. 2016, at the size of the small
//! DCGAN the project measured in PyTorch): G's transposed convolutions draw the 28×28 digit
//! from a 7×7 feature map, and D's strided convolutions read a digit down to one.
//!
//! Each side also carries its gradient in closed form, as the dense layers do: the gradient of
//! a convolution with respect to its input is the transposed convolution with the same weights,
//! and the other way round. So R1, "What D sees", projection and the latent directions work on
//! this preset too, without double backward.

use burn::module::Param;
use burn::nn::conv::{
    Conv2d, Conv2dConfig, Conv2dRecord, ConvTranspose2d, ConvTranspose2dConfig,
    ConvTranspose2dRecord,
};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::tanh;
use burn::tensor::module::{conv_transpose2d, conv2d};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};

use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::gan::latent::{SeededRng, uniform};
use crate::gan::model::batch_norm::{detached_norm, normalize_inference};
use crate::gan::model::layers::{activation, activation_slope};

/// Kernel 4, stride 2, padding 1: each layer doubles (G) or halves (D) the side exactly,
/// 7 → 14 → 28, so no output padding is needed either way.
pub(super) const KERNEL: usize = 4;
const STRIDE: usize = 2;
const PADDING: usize = 1;

/// Side of the feature map between the dense layer and `layers` convolutions.
pub fn feature_side(layers: usize) -> usize {
    IMAGE_SIDE >> layers
}

fn conv_options() -> ConvOptions<2> {
    ConvOptions::new([STRIDE; 2], [PADDING; 2], [1, 1], 1)
}

fn transpose_options() -> ConvTransposeOptions<2> {
    ConvTransposeOptions::new([STRIDE; 2], [PADDING; 2], [0, 0], [1, 1], 1)
}

/// G's image half: BatchNorm and activation on the dense layer's output, a reshape into
/// `channels[0]` maps of 7×7, then transposed convolutions (BatchNorm and activation between
/// them) down to one channel of 28×28, and tanh.
#[derive(Module, Debug)]
pub struct Upsampler<B: Backend> {
    dense_norm: BatchNorm<B>,
    layers: Vec<ConvTranspose2d<B>>,
    /// After every transposed convolution but the last.
    norms: Vec<BatchNorm<B>>,
    leaky_slope: f64,
}

/// A pass of [`Upsampler::trace`], kept for [`Upsampler::pull_back`].
pub struct UpsamplerTrace<B: Backend> {
    /// `[batch, 784]` in [-1, 1].
    pub images: Tensor<B, 2>,
    /// `[batch, width]`: the dense activation's slope times BatchNorm's gain.
    dense_slope: Tensor<B, 2>,
    /// Per transposed convolution but the last, `[batch, channels, side, side]`.
    conv_slopes: Vec<Tensor<B, 4>>,
}

impl<B: Backend> Upsampler<B> {
    /// `channels` runs from the feature map's to the image's one channel, e.g. `[128, 64, 1]`.
    pub fn init(
        channels: &[usize],
        leaky_slope: f64,
        rng: &mut SeededRng,
        device: &B::Device,
    ) -> Self {
        let layer_count = channels.len() - 1;
        let side = feature_side(layer_count);
        let layers: Vec<ConvTranspose2d<B>> = channels
            .windows(2)
            .enumerate()
            .map(|(index, pair)| {
                // No bias before a BatchNorm, which would cancel it.
                let bias = index + 1 == layer_count;
                let mut layer = ConvTranspose2dConfig::new([pair[0], pair[1]], [KERNEL; 2])
                    .with_stride([STRIDE; 2])
                    .with_padding([PADDING; 2])
                    .with_bias(bias)
                    .init(device);
                // Each output pixel sums channels_in·(kernel/stride)² inputs.
                let fan_in = pair[0] * (KERNEL / STRIDE).pow(2);
                let shape = [pair[0], pair[1], KERNEL, KERNEL];
                layer.weight = random_param(rng, shape, fan_in, device);
                layer.bias = bias.then(|| random_param(rng, [pair[1]], fan_in, device));
                layer
            })
            .collect();
        let norms = channels[1..layer_count]
            .iter()
            .map(|&width| BatchNormConfig::new(width).init(device))
            .collect();
        Self {
            dense_norm: BatchNormConfig::new(channels[0] * side * side).init(device),
            layers,
            norms,
            leaky_slope,
        }
    }

    /// Maps the dense layer's output `[batch, width]` to images `[batch, 784]` in [-1, 1].
    /// BatchNorm uses batch statistics on an autodiff backend, running ones otherwise.
    pub fn forward(&self, dense: Tensor<B, 2>) -> Tensor<B, 2> {
        let batch = dense.dims()[0];
        let mut x = self.feature_map(activation(self.dense_norm.forward(dense), self.leaky_slope));
        for (index, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if let Some(norm) = self.norms.get(index) {
                x = activation(norm.forward(x), self.leaky_slope);
            }
        }
        tanh(x).reshape([batch, IMAGE_PIXELS])
    }

    /// The dense features after BatchNorm and activation, in inference mode: the first layer
    /// GANSpace can look at (see [`crate::gan::latent::directions`]).
    pub fn dense_features(&self, dense: Tensor<B, 2>) -> Tensor<B, 2> {
        activation(
            normalize_inference(&self.dense_norm, dense).0,
            self.leaky_slope,
        )
    }

    /// [`Upsampler::forward`] in inference mode, with the slopes its pull-back needs.
    pub fn trace(&self, dense: Tensor<B, 2>) -> UpsamplerTrace<B> {
        let batch = dense.dims()[0];
        let leak = self.leaky_slope;
        let (before, gain) = normalize_inference(&self.dense_norm, dense);
        let dense_slope = activation_slope(before.clone(), leak) * gain;
        let mut x = self.feature_map(activation(before, leak));
        let mut conv_slopes = Vec::with_capacity(self.norms.len());
        for (index, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if let Some(norm) = self.norms.get(index) {
                let (before, gain) = normalize_inference(norm, x);
                conv_slopes.push(activation_slope(before.clone(), leak) * gain);
                x = activation(before, leak);
            }
        }
        UpsamplerTrace {
            images: tanh(x).reshape([batch, IMAGE_PIXELS]),
            dense_slope,
            conv_slopes,
        }
    }

    /// The gradient with respect to the dense layer's output of a loss whose gradient with
    /// respect to `trace`'s images is `upstream`: back through tanh, then each transposed
    /// convolution as a convolution with its own weights, and the slopes between them.
    pub fn pull_back(&self, trace: UpsamplerTrace<B>, upstream: Tensor<B, 2>) -> Tensor<B, 2> {
        let [batch, width] = trace.dense_slope.dims();
        let tanh_slope = trace.images.square().neg().add_scalar(1.0);
        let mut gradient = (upstream * tanh_slope).reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE]);
        for (index, layer) in self.layers.iter().enumerate().rev() {
            gradient = conv2d(gradient, layer.weight.val(), None, conv_options());
            if index > 0 {
                gradient = gradient * trace.conv_slopes[index - 1].clone();
            }
        }
        gradient.reshape([batch, width]) * trace.dense_slope
    }

    /// A copy whose BatchNorm statistics are its own (see `Generator::detached_copy`).
    pub fn detached_copy(&self) -> Self {
        let mut copy = self.clone();
        copy.dense_norm = detached_norm(&self.dense_norm);
        copy.norms = self.norms.iter().map(detached_norm).collect();
        copy
    }

    /// The transposed convolutions' weight shapes.
    pub fn shapes(&self) -> Vec<[usize; 4]> {
        self.layers
            .iter()
            .map(|layer| layer.weight.dims())
            .collect()
    }

    /// The weight shapes `record` holds.
    pub fn record_shapes(record: &UpsamplerRecord<B>) -> Vec<[usize; 4]> {
        record
            .layers
            .iter()
            .map(|layer: &ConvTranspose2dRecord<B>| layer.weight.dims())
            .collect()
    }

    fn feature_map(&self, features: Tensor<B, 2>) -> Tensor<B, 4> {
        let batch = features.dims()[0];
        let channels = self.layers[0].weight.dims()[0];
        let side = feature_side(self.layers.len());
        features.reshape([batch, channels, side, side])
    }
}

/// D's image half: strided convolutions with LeakyReLU, from one channel of 28×28 to the
/// features its dense layers judge, flattened.
#[derive(Module, Debug)]
pub struct Downsampler<B: Backend> {
    layers: Vec<Conv2d<B>>,
    leaky_slope: f64,
}

impl<B: Backend> Downsampler<B> {
    /// `channels` are the convolutions' outputs, e.g. `[64, 128]`.
    pub fn init(
        channels: &[usize],
        leaky_slope: f64,
        rng: &mut SeededRng,
        device: &B::Device,
    ) -> Self {
        let inputs = std::iter::once(1).chain(channels.iter().copied());
        let layers = inputs
            .zip(channels)
            .map(|(input, &output)| {
                let mut layer = Conv2dConfig::new([input, output], [KERNEL; 2])
                    .with_stride([STRIDE; 2])
                    .with_padding(PaddingConfig2d::Explicit(
                        PADDING, PADDING, PADDING, PADDING,
                    ))
                    .init(device);
                let fan_in = input * KERNEL * KERNEL;
                layer.weight = random_param(rng, [output, input, KERNEL, KERNEL], fan_in, device);
                layer.bias = Some(random_param(rng, [output], fan_in, device));
                layer
            })
            .collect();
        Self {
            layers,
            leaky_slope,
        }
    }

    /// Number of features it leaves for the dense layers.
    pub fn output_width(&self) -> usize {
        let channels = self.layers.last().map_or(1, |layer| layer.weight.dims()[0]);
        channels * feature_side(self.layers.len()).pow(2)
    }

    /// Maps images `[batch, 784]` to features `[batch, output_width]`.
    pub fn forward(&self, images: Tensor<B, 2>) -> Tensor<B, 2> {
        let x = self.layers.iter().fold(as_images(images), |x, layer| {
            activation(layer.forward(x), self.leaky_slope)
        });
        x.flatten(1, 3)
    }

    /// [`Downsampler::forward`] and each layer's activation slope, for
    /// [`Downsampler::pull_back`].
    pub fn forward_with_slopes(&self, images: Tensor<B, 2>) -> (Tensor<B, 2>, Vec<Tensor<B, 4>>) {
        let mut slopes = Vec::with_capacity(self.layers.len());
        let x = self.layers.iter().fold(as_images(images), |x, layer| {
            let before = layer.forward(x);
            slopes.push(activation_slope(before.clone(), self.leaky_slope));
            activation(before, self.leaky_slope)
        });
        (x.flatten(1, 3), slopes)
    }

    /// The gradient with respect to the images, given `upstream`, the gradient with respect to
    /// the features (`[batch or 1, output_width]`): each slope, then each convolution back as
    /// a transposed convolution with its own weights.
    pub fn pull_back(&self, slopes: Vec<Tensor<B, 4>>, upstream: Tensor<B, 2>) -> Tensor<B, 2> {
        let Some([_, channels, side, _]) = slopes.last().map(|slope| slope.dims()) else {
            return upstream;
        };
        let rows = upstream.dims()[0];
        let mut gradient = upstream.reshape([rows, channels, side, side]);
        for (layer, slope) in self.layers.iter().zip(slopes).rev() {
            gradient = conv_transpose2d(
                gradient * slope,
                layer.weight.val(),
                None,
                transpose_options(),
            );
        }
        gradient.flatten(1, 3)
    }

    /// The convolutions' weight shapes.
    pub fn shapes(&self) -> Vec<[usize; 4]> {
        self.layers
            .iter()
            .map(|layer| layer.weight.dims())
            .collect()
    }

    /// The weight shapes `record` holds.
    pub fn record_shapes(record: &DownsamplerRecord<B>) -> Vec<[usize; 4]> {
        record
            .layers
            .iter()
            .map(|layer: &Conv2dRecord<B>| layer.weight.dims())
            .collect()
    }
}

fn as_images<B: Backend>(images: Tensor<B, 2>) -> Tensor<B, 4> {
    let batch = images.dims()[0];
    images.reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE])
}

fn random_param<B: Backend, const D: usize>(
    rng: &mut SeededRng,
    shape: [usize; D],
    fan_in: usize,
    device: &B::Device,
) -> Param<Tensor<B, D>> {
    let count = shape.iter().product();
    let values = uniform(rng, count, 1.0 / (fan_in as f32).sqrt());
    Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), device))
}
