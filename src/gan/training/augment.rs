//! Differentiable augmentation for D (DiffAugment, Zhao et al. 2020). D sees real and generated
//! digits through the same random translations, so it cannot win by memorising where the
//! strokes of the few thousand training digits lie, and G is not pushed to shift its digits:
//! both sides are shifted alike, and the shift is differentiable, so G's gradient passes
//! through it.
//!
//! A translation is a lookup: every output pixel copies one input pixel, or is zero where the
//! shift brings the edge in. The lookups of all (2·shift + 1)² offsets live on the device as
//! one table, so shifting a batch is a `select` of each image's row and a `gather`, which
//! fusion merges into one kernel, whatever the offsets are.

use burn::prelude::*;
use rand::RngExt;

use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::gan::latent::SeededRng;

/// Images translated together: one offset per group of 16, as before the table existed, so the
/// same seed draws the same offsets.
pub const GROUP: usize = 16;

/// Every translation of up to `shift` pixels each way, as a table on the device.
#[derive(Clone, Debug)]
pub struct Translations<B: Backend> {
    shift: usize,
    /// `[offsets, 784]`: the input pixel each output pixel copies (0 where none does).
    sources: Tensor<B, 2, Int>,
    /// `[offsets, 784]`: 1 where the output pixel copies an input pixel, 0 at the edges.
    inside: Tensor<B, 2>,
}

impl<B: Backend> Translations<B> {
    pub fn new(shift: usize, device: &B::Device) -> Self {
        let span = 2 * shift + 1;
        let mut sources = Vec::with_capacity(span * span * IMAGE_PIXELS);
        let mut inside = Vec::with_capacity(span * span * IMAGE_PIXELS);
        for offset in 0..span * span {
            // Output (y, x) shows input (y + dy − shift, x + dx − shift).
            let (dy, dx) = (offset / span, offset % span);
            for y in 0..IMAGE_SIDE {
                for x in 0..IMAGE_SIDE {
                    let source = (
                        (y + dy).checked_sub(shift).filter(|&v| v < IMAGE_SIDE),
                        (x + dx).checked_sub(shift).filter(|&v| v < IMAGE_SIDE),
                    );
                    match source {
                        (Some(sy), Some(sx)) => {
                            sources.push((sy * IMAGE_SIDE + sx) as i32);
                            inside.push(1.0f32);
                        }
                        _ => {
                            sources.push(0);
                            inside.push(0.0);
                        }
                    }
                }
            }
        }
        let shape = [span * span, IMAGE_PIXELS];
        Self {
            shift,
            sources: Tensor::from_data(TensorData::new(sources, shape), device),
            inside: Tensor::from_data(TensorData::new(inside, shape), device),
        }
    }

    /// One offset (a row of the table) per image for `count` images, drawn a group at a time.
    pub fn draw(&self, count: usize, rng: &mut SeededRng) -> Vec<i32> {
        let span = 2 * self.shift + 1;
        let mut offsets = Vec::with_capacity(count);
        while offsets.len() < count {
            let dy = rng.random_range(0..span);
            let dx = rng.random_range(0..span);
            let group = GROUP.min(count - offsets.len());
            offsets.extend(std::iter::repeat_n((dy * span + dx) as i32, group));
        }
        offsets
    }

    /// `images` (`[n, 784]`) moved by their offsets (`[n]`, from [`Self::draw`]).
    pub fn apply(&self, images: Tensor<B, 2>, offsets: Tensor<B, 1, Int>) -> Tensor<B, 2> {
        let sources = self.sources.clone().select(0, offsets.clone());
        let inside = self.inside.clone().select(0, offsets);
        images.gather(1, sources) * inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Cpu;
    use crate::gan::latent::{Stream, rng_for};

    #[test]
    fn each_group_moves_by_one_offset_within_the_limit() {
        // Every image: background with one lit pixel in the middle, so its new place shows
        // the offset.
        let n = 80;
        let centre = 14 * IMAGE_SIDE + 14;
        let mut pixels = vec![-1.0f32; n * IMAGE_PIXELS];
        for image in pixels.chunks_exact_mut(IMAGE_PIXELS) {
            image[centre] = 1.0;
        }
        let device = Default::default();
        let images =
            Tensor::<Cpu, 2>::from_data(TensorData::new(pixels, [n, IMAGE_PIXELS]), &device);
        let translations = Translations::<Cpu>::new(2, &device);
        let offsets = translations.draw(n, &mut rng_for(1, Stream::Augment, 0));
        let offsets = Tensor::from_data(TensorData::new(offsets, [n]), &device);
        let moved: Vec<f32> = translations
            .apply(images, offsets)
            .into_data()
            .to_vec()
            .unwrap();
        let offsets: Vec<(isize, isize)> = moved
            .chunks_exact(IMAGE_PIXELS)
            .map(|image| {
                let lit: Vec<usize> = (0..IMAGE_PIXELS).filter(|&i| image[i] == 1.0).collect();
                assert_eq!(
                    lit.len(),
                    1,
                    "one lit pixel, the rest background or padding"
                );
                assert!(image.iter().all(|&v| v == 1.0 || v == -1.0 || v == 0.0));
                let (y, x) = (lit[0] / IMAGE_SIDE, lit[0] % IMAGE_SIDE);
                (y as isize - 14, x as isize - 14)
            })
            .collect();
        for group in offsets.chunks(GROUP) {
            assert!(group.iter().all(|&offset| offset == group[0]));
            assert!(group[0].0.abs() <= 2 && group[0].1.abs() <= 2);
        }
        // Five groups, drawn independently: not all at one offset.
        assert!(offsets.iter().any(|&offset| offset != offsets[0]));
    }

    #[test]
    fn the_edge_brings_in_zeros_and_the_content_moves_whole() {
        // An image whose every pixel holds its own index + 1: a shift shows as a fixed
        // difference between input and output, and zeros come in on the side it moves from.
        let device = Default::default();
        let pixels: Vec<f32> = (0..IMAGE_PIXELS).map(|i| i as f32 + 1.0).collect();
        let image =
            Tensor::<Cpu, 2>::from_data(TensorData::new(pixels, [1, IMAGE_PIXELS]), &device);
        let translations = Translations::<Cpu>::new(2, &device);
        // Offset (dy, dx) = (0, 4): output (y, x) shows input (y − 2, x + 2).
        let offsets = Tensor::from_data(TensorData::new(vec![4], [1]), &device);
        let out: Vec<f32> = translations
            .apply(image, offsets)
            .into_data()
            .to_vec()
            .unwrap();
        for y in 0..IMAGE_SIDE {
            for x in 0..IMAGE_SIDE {
                let expected = match (y.checked_sub(2), x + 2) {
                    (Some(sy), sx) if sx < IMAGE_SIDE => (sy * IMAGE_SIDE + sx) as f32 + 1.0,
                    _ => 0.0,
                };
                assert_eq!(out[y * IMAGE_SIDE + x], expected, "pixel ({y}, {x})");
            }
        }
    }
}
