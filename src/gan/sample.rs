//! Turning the generator's output into images.

use burn::prelude::*;

use crate::data::{IMAGE_PIXELS, IMAGE_SIDE, Images};
use crate::gan::latent::{self, Stream};
use crate::gan::model::Generator;
use crate::gan::model::classes::one_hot;

/// `count` latent vectors from `seed`: the same seed always gives the same digits.
pub fn fixed_noise(seed: u64, count: usize, latent_dim: usize) -> Vec<f32> {
    latent::normal(
        &mut latent::rng_for(seed, Stream::FixedNoise, 0),
        count * latent_dim,
    )
}

/// Runs `generator` on `noise` (`count × latent_dim` values) and returns greyscale images.
/// This reads back from the device.
pub fn generate<B: Backend>(generator: &Generator<B>, noise: &[f32], device: &B::Device) -> Images {
    let values = generate_values(generator, noise, device);
    Images {
        count: values.len() / IMAGE_PIXELS,
        rows: IMAGE_SIDE,
        cols: IMAGE_SIDE,
        pixels: to_grey(&values),
    }
}

/// Runs `generator` on `noise` and returns its output in [-1, 1]: `count × 784` pixels for
/// digits, `count × dim` coordinates for toy points.
pub fn generate_values<B: Backend>(
    generator: &Generator<B>,
    noise: &[f32],
    device: &B::Device,
) -> Vec<f32> {
    let latent_dim = generator.latent_dim();
    let count = noise.len() / latent_dim;
    let z = Tensor::<B, 2>::from_data(
        TensorData::new(noise[..count * latent_dim].to_vec(), [count, latent_dim]),
        device,
    );
    read_output(generator, z)
}

/// Samples drawn a chunk of rows at a time, so that a large request never needs one huge
/// device buffer: for a conditional `generator` asking row i for class `asked[i]`, else from
/// the noise alone. Returns the output as [`generate_values`] does.
pub fn generate_asking<B: Backend>(
    generator: &Generator<B>,
    noise: &[f32],
    asked: Option<&[u8]>,
    device: &B::Device,
) -> Vec<f32> {
    const CHUNK_ROWS: usize = 1024;
    noise
        .chunks(CHUNK_ROWS * generator.latent_dim())
        .enumerate()
        .flat_map(|(chunk, noise)| match asked {
            Some(asked) => generate_classes(generator, noise, &asked[chunk * CHUNK_ROWS..], device),
            None => generate_values(generator, noise, device),
        })
        .collect()
}

/// Runs a conditional `generator` on `noise` (rows of `latent_dim`), asking row i for class
/// `labels[i]`; returns its output as [`generate_values`] does, one sample per label.
pub fn generate_classes<B: Backend>(
    generator: &Generator<B>,
    noise: &[f32],
    labels: &[u8],
    device: &B::Device,
) -> Vec<f32> {
    let latent_dim = generator.latent_dim();
    let count = labels.len().min(noise.len() / latent_dim);
    let codes = class_codes(
        &noise[..count * latent_dim],
        latent_dim,
        &labels[..count],
        generator.classes(),
    );
    let width = latent_dim + generator.classes();
    let codes = Tensor::<B, 2>::from_data(TensorData::new(codes, [count, width]), device);
    read_output(generator, codes)
}

/// G's output for `codes`, read back to the host.
fn read_output<B: Backend>(generator: &Generator<B>, codes: Tensor<B, 2>) -> Vec<f32> {
    generator
        .forward(codes)
        .into_data()
        .convert::<f32>()
        .to_vec::<f32>()
        .unwrap_or_default()
}

/// A conditional G's codes: each row of `noise` (`latent_dim` values) followed by its label's
/// one-hot row of `classes` values.
pub fn class_codes(noise: &[f32], latent_dim: usize, labels: &[u8], classes: usize) -> Vec<f32> {
    let asked = one_hot(labels, classes);
    let mut codes = Vec::with_capacity(labels.len() * (latent_dim + classes));
    for (z, class) in noise.chunks(latent_dim).zip(asked.chunks(classes.max(1))) {
        codes.extend_from_slice(z);
        codes.extend_from_slice(class);
    }
    codes
}

/// Maps values in [-1, 1] to bytes; NaN becomes black rather than poisoning a frame.
pub fn to_grey(values: &[f32]) -> Vec<u8> {
    values
        .iter()
        .map(|&v| {
            if v.is_nan() {
                0
            } else {
                ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8
            }
        })
        .collect()
}
