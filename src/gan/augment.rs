//! Differentiable augmentation for D (DiffAugment, Zhao et al. 2020). D sees real and generated
//! digits through the same random translations, so it cannot win by memorising where the
//! strokes of the few thousand training digits lie, and G is not pushed to shift its digits:
//! both sides are shifted alike, and the shift is differentiable, so G's gradient passes
//! through it.

use burn::prelude::*;
use burn::tensor::ops::PadMode;
use rand::RngExt;

use super::latent::SeededRng;
use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};

/// Images translated together: a shift per group rather than per image keeps it a handful of
/// slices, cheap on every backend.
const GROUP: usize = 16;

/// Moves each group of [`GROUP`] images (`[n, 784]`) by its own random offset of up to `shift`
/// pixels in each direction. Zeros come in at the edges, as in DiffAugment's own code.
pub fn translate<B: Backend>(
    images: Tensor<B, 2>,
    shift: usize,
    rng: &mut SeededRng,
) -> Tensor<B, 2> {
    let [n, _] = images.dims();
    let side = IMAGE_SIDE;
    let padded = images
        .reshape([n, side, side])
        .pad([(shift, shift), (shift, shift)], PadMode::Constant(0.0));
    let groups = (0..n)
        .step_by(GROUP)
        .map(|start| {
            let end = (start + GROUP).min(n);
            let dy = rng.random_range(0..=2 * shift);
            let dx = rng.random_range(0..=2 * shift);
            padded
                .clone()
                .slice([start..end, dy..dy + side, dx..dx + side])
        })
        .collect();
    Tensor::cat(groups, 0).reshape([n, IMAGE_PIXELS])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gan::latent::{Stream, rng_for};
    use burn::backend::NdArray;

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
        let images = Tensor::<NdArray, 2>::from_data(
            TensorData::new(pixels, [n, IMAGE_PIXELS]),
            &Default::default(),
        );
        let moved: Vec<f32> = translate(images, 2, &mut rng_for(1, Stream::Augment, 0))
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
}
