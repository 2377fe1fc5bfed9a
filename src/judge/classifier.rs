//! The judge: a small LeNet-style convnet that tells which digit an image shows. Its class
//! probabilities give the Inception Score and the class histogram, its hidden layer the features
//! of the Fréchet distance. ganimate trains it itself, once per dataset, and caches it.

use burn::module::{AutodiffModule, Param};
use burn::nn::Linear;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, relu, softmax};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::module::max_pool2d;
use rand::RngExt;
use rand::seq::SliceRandom;

use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::gan::latent::{self, SeededRng, Stream};

/// Digit classes.
pub const CLASSES: usize = 10;
/// Width of the feature layer the Fréchet distance is measured on.
pub const FEATURES: usize = 128;
/// Held-out accuracy below which the judge is not trusted (and not cached).
pub const MIN_ACCURACY: f64 = 0.985;
/// Bump when the architecture or training changes, so old caches are not read.
pub(super) const VERSION: u32 = 2;

/// conv 5×5 (16) → pool → conv 5×5 (32) → pool → 128 features → 10 classes.
///
/// The convolutions are burn's `Conv2d`: on burn-flex it judges 256 digits 3.5× faster than
/// the patches-times-a-matrix (im2col) it replaced, which burn-ndarray had needed.
#[derive(Module, Debug)]
pub struct Classifier<B: Backend> {
    /// 1 → 16 channels, then 16 → 32.
    conv1: Conv2d<B>,
    conv2: Conv2d<B>,
    hidden: Linear<B>,
    output: Linear<B>,
}

const KERNEL: usize = 5;

impl<B: Backend> Classifier<B> {
    /// Fresh weights from `seed` (PyTorch's default uniform ranges).
    pub fn init(seed: u64, device: &B::Device) -> Self {
        let mut rng = latent::rng_for(seed, Stream::Init, 2);
        let mut linear =
            |d_in, d_out| crate::gan::model::init_linear(d_in, d_out, &mut rng, device);
        Self {
            conv1: conv_of_patch_matrix(linear(KERNEL * KERNEL, 16), 1),
            conv2: conv_of_patch_matrix(linear(KERNEL * KERNEL * 16, 32), 16),
            hidden: linear(4 * 4 * 32, FEATURES),
            output: linear(FEATURES, CLASSES),
        }
    }

    /// Features `[n, FEATURES]` of images `[n, 1, 28, 28]`.
    fn features(&self, images: Tensor<B, 4>) -> Tensor<B, 2> {
        let n = images.dims()[0];
        let x = max_pool(relu(self.conv1.forward(images)));
        let x = max_pool(relu(self.conv2.forward(x)));
        // `hidden` reads the maps channels-last, the layout the judge was first trained in.
        relu(
            self.hidden
                .forward(x.permute([0, 2, 3, 1]).reshape([n as i32, -1])),
        )
    }

    /// Class logits `[n, 10]` of images `[n, 1, 28, 28]`.
    fn forward(&self, images: Tensor<B, 4>) -> Tensor<B, 2> {
        self.output.forward(self.features(images))
    }

    /// Class probabilities and features of images in [-1, 1], `n × 784` on the host, in batches.
    pub fn judge(&self, images: &[f32], device: &B::Device) -> Judged {
        let mut judged = Judged::default();
        for chunk in images.chunks(256 * IMAGE_PIXELS) {
            let n = chunk.len() / IMAGE_PIXELS;
            let features = self.features(images_tensor(chunk[..n * IMAGE_PIXELS].to_vec(), device));
            let probabilities = softmax(self.output.forward(features.clone()), 1);
            // One read-back per batch for both.
            let both = Tensor::cat(vec![probabilities, features], 1)
                .into_data()
                .convert::<f32>()
                .to_vec::<f32>()
                .unwrap_or_default();
            for row in both.chunks_exact(CLASSES + FEATURES) {
                judged.probabilities.extend_from_slice(&row[..CLASSES]);
                judged.features.extend_from_slice(&row[CLASSES..]);
            }
        }
        judged
    }
}

/// What the classifier says about a set of images, on the host.
#[derive(Debug, Clone, Default)]
pub struct Judged {
    /// `n × 10` class probabilities.
    pub probabilities: Vec<f32>,
    /// `n × FEATURES`.
    pub features: Vec<f32>,
}

impl Judged {
    pub fn len(&self) -> usize {
        self.probabilities.len() / CLASSES
    }

    pub fn is_empty(&self) -> bool {
        self.probabilities.is_empty()
    }

    /// The most likely class of image `index`.
    pub fn class_of(&self, index: usize) -> usize {
        argmax(&self.probabilities[index * CLASSES..(index + 1) * CLASSES])
    }
}

pub fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

/// Images `n × 784` on the host as a tensor `[n, 1, 28, 28]`.
fn images_tensor<B: Backend>(images: Vec<f32>, device: &B::Device) -> Tensor<B, 4> {
    let n = images.len() / IMAGE_PIXELS;
    Tensor::from_data(
        TensorData::new(images, [n, 1, IMAGE_SIDE, IMAGE_SIDE]),
        device,
    )
}

/// The convolution whose every 5×5 patch of `channels`, flattened (row, column, channel),
/// times `linear` (`[25 · channels, out]`) gives its output: how the judge's layers were first
/// written, and how the bundled judge's weights were converted.
fn conv_of_patch_matrix<B: Backend>(linear: Linear<B>, channels: usize) -> Conv2d<B> {
    let [_, out] = linear.weight.dims();
    let mut conv =
        Conv2dConfig::new([channels, out], [KERNEL, KERNEL]).init(&linear.weight.device());
    let weight = linear
        .weight
        .val()
        .reshape([KERNEL, KERNEL, channels, out])
        .permute([3, 2, 0, 1])
        // A new leaf: under autodiff the reshaped weight would otherwise keep its history.
        .detach();
    conv.weight = Param::from_tensor(weight);
    conv.bias = linear
        .bias
        .map(|bias| Param::from_tensor(bias.val().detach()));
    conv
}

/// 2×2 max pooling of `[n, c, h, w]`.
fn max_pool<B: Backend>(x: Tensor<B, 4>) -> Tensor<B, 4> {
    max_pool2d(x, [2, 2], [2, 2], [0, 0], [1, 1], false)
}

/// How the judge is trained.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// Random warps, up to these, of every training digit: shift (pixels), rotation (degrees)
    /// and scale (fraction). Cheap augmentation that small training sets need.
    pub max_shift: f32,
    pub max_rotation: f32,
    pub max_scale: f32,
    pub seed: u64,
}

impl Schedule {
    /// About 1,500 batches however small the training set, at least 3 epochs.
    pub fn for_digits(digits: usize) -> Self {
        Self {
            epochs: 96_000usize.div_ceil(digits.max(1)).max(3),
            ..Self::default()
        }
    }
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            epochs: 3,
            batch_size: 64,
            learning_rate: 1e-3,
            max_shift: 2.0,
            max_rotation: 12.0,
            max_scale: 0.1,
            seed: 7,
        }
    }
}

/// Labelled images in [-1, 1].
pub struct Labelled<'a> {
    pub pixels: &'a [f32],
    pub labels: &'a [u8],
}

impl Labelled<'_> {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    fn image(&self, index: usize) -> &[f32] {
        &self.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
    }
}

/// Trains a judge on `train`; `progress(done, total)` is called after every batch.
pub fn train<B: AutodiffBackend>(
    train: &Labelled,
    schedule: &Schedule,
    device: &B::Device,
    progress: &mut dyn FnMut(usize, usize),
) -> Classifier<B::InnerBackend> {
    let mut model = Classifier::<B>::init(schedule.seed, device);
    let mut optimizer = AdamConfig::new().init::<B, Classifier<B>>();
    let batch = schedule.batch_size.max(1);
    let batches_per_epoch = train.len().div_ceil(batch);
    let total = batches_per_epoch * schedule.epochs;
    let mut done = 0;
    for epoch in 0..schedule.epochs {
        let mut rng = latent::rng_for(schedule.seed, Stream::Shuffle, epoch as u64);
        let mut order: Vec<usize> = (0..train.len()).collect();
        order.shuffle(&mut rng);
        for indices in order.chunks(batch) {
            let (pixels, targets) = augmented_batch(train, indices, schedule, &mut rng);
            let n = indices.len();
            let x = images_tensor::<B>(pixels, device);
            let one_hot = Tensor::<B, 2>::from_data(TensorData::new(targets, [n, CLASSES]), device);
            let loss = (log_softmax(model.forward(x), 1) * one_hot)
                .sum_dim(1)
                .mean()
                .neg();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            // The last third at a tenth of the rate: settles into a sharper minimum.
            let rate = if epoch * 3 >= schedule.epochs * 2 {
                schedule.learning_rate / 10.0
            } else {
                schedule.learning_rate
            };
            model = optimizer.step(rate, model, grads);
            done += 1;
            progress(done, total);
        }
    }
    model.valid()
}

/// The images at `indices`, each randomly warped (see [`Warp`]), and one-hot targets.
fn augmented_batch(
    data: &Labelled,
    indices: &[usize],
    schedule: &Schedule,
    rng: &mut SeededRng,
) -> (Vec<f32>, Vec<f32>) {
    let mut pixels = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
    let mut targets = vec![0.0; indices.len() * CLASSES];
    for (row, &index) in indices.iter().enumerate() {
        let warp = Warp::random(schedule, rng);
        pixels.extend(warp.apply(data.image(index)));
        targets[row * CLASSES + usize::from(data.labels[index]) % CLASSES] = 1.0;
    }
    (pixels, targets)
}

/// A small rotation, scaling and shift about the image centre: the variations of handwriting,
/// which a judge trained on few digits would otherwise not see.
#[derive(Debug, Clone, Copy)]
struct Warp {
    angle: f32,
    scale: f32,
    dx: f32,
    dy: f32,
}

impl Warp {
    fn random(schedule: &Schedule, rng: &mut SeededRng) -> Self {
        let mut symmetric = |reach: f32| (rng.random::<f32>() * 2.0 - 1.0) * reach;
        Self {
            angle: symmetric(schedule.max_rotation.to_radians()),
            scale: 1.0 + symmetric(schedule.max_scale),
            dx: symmetric(schedule.max_shift),
            dy: symmetric(schedule.max_shift),
        }
    }

    /// The warped image, sampled bilinearly; background (-1) comes in from outside.
    fn apply(self, image: &[f32]) -> impl Iterator<Item = f32> + '_ {
        let side = IMAGE_SIDE as f32;
        let centre = (side - 1.0) / 2.0;
        let (sin, cos) = self.angle.sin_cos();
        let pixel = move |x: i32, y: i32| {
            if (0..IMAGE_SIDE as i32).contains(&x) && (0..IMAGE_SIDE as i32).contains(&y) {
                image[y as usize * IMAGE_SIDE + x as usize]
            } else {
                -1.0
            }
        };
        (0..IMAGE_SIDE).flat_map(move |y| {
            (0..IMAGE_SIDE).map(move |x| {
                // Where this output pixel comes from: the inverse transform.
                let (u, v) = (x as f32 - centre - self.dx, y as f32 - centre - self.dy);
                let sx = (cos * u + sin * v) / self.scale + centre;
                let sy = (-sin * u + cos * v) / self.scale + centre;
                let (x0, y0) = (sx.floor(), sy.floor());
                let (fx, fy) = (sx - x0, sy - y0);
                let (x0, y0) = (x0 as i32, y0 as i32);
                let top = pixel(x0, y0) * (1.0 - fx) + pixel(x0 + 1, y0) * fx;
                let bottom = pixel(x0, y0 + 1) * (1.0 - fx) + pixel(x0 + 1, y0 + 1) * fx;
                top * (1.0 - fy) + bottom * fy
            })
        })
    }
}

/// Share of `data` the classifier labels correctly.
pub fn accuracy<B: Backend>(model: &Classifier<B>, data: &Labelled, device: &B::Device) -> f64 {
    let judged = model.judge(data.pixels, device);
    let correct = (0..judged.len())
        .filter(|&i| judged.class_of(i) == usize::from(data.labels[i]))
        .count();
    correct as f64 / judged.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warps_move_pixels_and_fill_background() {
        let mut image = vec![-1.0; IMAGE_PIXELS];
        image[5 * IMAGE_SIDE + 5] = 1.0;
        let identity = Warp {
            angle: 0.0,
            scale: 1.0,
            dx: 0.0,
            dy: 0.0,
        };
        assert_eq!(identity.apply(&image).collect::<Vec<_>>(), image);
        let shift = Warp {
            dx: 2.0,
            dy: -1.0,
            ..identity
        };
        let moved: Vec<f32> = shift.apply(&image).collect();
        assert_eq!(moved[4 * IMAGE_SIDE + 7], 1.0);
        assert_eq!(moved.iter().filter(|&&v| v > -1.0).count(), 1);
        let away = Warp {
            dx: 40.0,
            ..identity
        };
        assert!(away.apply(&image).all(|v| v == -1.0));
        // A quarter turn about the centre maps (5, 5) to (22, 5).
        let turn = Warp {
            angle: std::f32::consts::FRAC_PI_2,
            ..identity
        };
        let turned: Vec<f32> = turn.apply(&image).collect();
        assert!(
            (turned[5 * IMAGE_SIDE + 22] - 1.0).abs() < 1e-4,
            "{}",
            turned[5 * IMAGE_SIDE + 22]
        );
    }
}
