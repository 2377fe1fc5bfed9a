//! What D sees: its verdict on images, its saliency ∂D/∂x, and the change G's loss asks of a
//! fake, −∂L_G/∂x. Both gradients come from D's closed-form input gradient
//! ([`Discriminator::forward_with_input_gradient`]): one forward pass, no autodiff, on any
//! backend. The app draws them on the digits, which makes the minimax game visible on images.

use burn::prelude::{Backend, Tensor, TensorData};

use crate::gan::model::Discriminator;
use crate::gan::training::loss::LossKind;

/// D as it was when taken, detached from training, whatever its backend.
pub trait DiscriminatorProbe: Send {
    fn loss(&self) -> LossKind;
    /// D's verdict on each of `images` (`n × 784` values in [-1, 1]): the probability of "real"
    /// for the BCE losses, the raw output for LSGAN ([`LossKind::d_output`]).
    fn scores(&self, images: &[f32]) -> Vec<f32>;
    /// What D makes of one image (784 values in [-1, 1]).
    fn inspect(&self, image: &[f32]) -> Inspection;
    /// D's verdict on each of `points` (`n × width` values) and the change G's loss asks of
    /// each, were it one of G's fakes: the toy lab's arrows, for a whole batch at once.
    fn pulls(&self, points: &[f32]) -> Pulls;
}

/// What D and G's loss make of many samples (see [`DiscriminatorProbe::pulls`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pulls {
    /// D's verdict on each sample, as [`DiscriminatorProbe::scores`] gives it.
    pub scores: Vec<f32>,
    /// −∂L_G/∂x of each sample's own loss, `n × width`: where G's loss pushes that fake.
    pub wanted: Vec<f32>,
}

/// D's view of one image.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// D's verdict, as [`DiscriminatorProbe::scores`] gives it.
    pub score: f32,
    pub logit: f32,
    /// ∂D/∂x: where brighter pixels would look more real to D (positive) or more fake.
    pub saliency: Vec<f32>,
    /// −∂L_G/∂x: the change G's loss asks of these pixels, were the image one of G's fakes.
    /// It points where the saliency points; its size is the loss's pull on the logit
    /// ([`LossKind::generator_pull`]), which is what vanishes under the minimax loss.
    pub wanted: Vec<f32>,
}

/// The discriminator of a [`Discriminator`] on backend `B`.
pub struct DetachedDiscriminator<B: Backend> {
    discriminator: Discriminator<B>,
    loss: LossKind,
    device: B::Device,
}

impl<B: Backend> DetachedDiscriminator<B> {
    pub fn new(discriminator: Discriminator<B>, loss: LossKind, device: B::Device) -> Self {
        Self {
            discriminator,
            loss,
            device,
        }
    }

    /// `values` as rows of D's input width (784 for digits, 1 or 2 for toy points).
    fn images(&self, values: Vec<f32>) -> Tensor<B, 2> {
        let width = self.discriminator.input_width();
        let rows = values.len() / width;
        Tensor::from_data(TensorData::new(values, [rows, width]), &self.device)
    }
}

fn read<B: Backend>(tensor: Tensor<B, 2>) -> Vec<f32> {
    tensor
        .into_data()
        .convert::<f32>()
        .to_vec::<f32>()
        .unwrap_or_default()
}

impl<B: Backend> DiscriminatorProbe for DetachedDiscriminator<B> {
    fn loss(&self) -> LossKind {
        self.loss
    }

    fn scores(&self, images: &[f32]) -> Vec<f32> {
        let width = self.discriminator.input_width();
        let count = images.len() / width;
        if count == 0 {
            return Vec::new();
        }
        let x = self.images(images[..count * width].to_vec());
        read(self.loss.d_output(self.discriminator.forward(x)))
    }

    fn pulls(&self, points: &[f32]) -> Pulls {
        let width = self.discriminator.input_width();
        let count = points.len() / width;
        if count == 0 {
            return Pulls::default();
        }
        let (logits, gradient) = self
            .discriminator
            .forward_with_input_gradient(self.images(points[..count * width].to_vec()));
        let logits = read(logits);
        let mut wanted = read(gradient);
        for (row, &logit) in wanted.chunks_mut(width).zip(&logits) {
            let pull = self.loss.generator_pull(logit);
            row.iter_mut().for_each(|g| *g *= pull);
        }
        Pulls {
            scores: logits.iter().map(|&l| self.loss.verdict(l)).collect(),
            wanted,
        }
    }

    fn inspect(&self, image: &[f32]) -> Inspection {
        let mut pixels = image.to_vec();
        pixels.resize(self.discriminator.input_width(), -1.0);
        let (logits, gradient) = self
            .discriminator
            .forward_with_input_gradient(self.images(pixels));
        let logit = read(logits).first().copied().unwrap_or(0.0);
        let gradient = read(gradient);
        let scaled = |by: f32| gradient.iter().map(|g| g * by).collect();
        Inspection {
            score: self.loss.verdict(logit),
            logit,
            saliency: scaled(self.loss.output_slope(logit)),
            wanted: scaled(self.loss.generator_pull(logit)),
        }
    }
}

/// D's verdicts on real and on generated digits, counted in bins over the range the loss's
/// verdicts take ([0, 1] for the BCE losses, [−0.5, 1.5] for LSGAN; outliers go to the end
/// bins).
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictHistogram {
    /// The low edge of the first bin and the high edge of the last.
    pub range: (f32, f32),
    pub real: Vec<u32>,
    pub fake: Vec<u32>,
    pub real_mean: f32,
    pub fake_mean: f32,
}

impl VerdictHistogram {
    pub fn new(loss: LossKind, real: &[f32], fake: &[f32], bins: usize) -> Self {
        let range = match loss {
            LossKind::Minimax | LossKind::NonSaturating => (0.0, 1.0),
            LossKind::Lsgan => (-0.5, 1.5),
        };
        let bins = bins.max(1);
        let count = |scores: &[f32]| {
            let mut counts = vec![0u32; bins];
            for &score in scores.iter().filter(|s| s.is_finite()) {
                let at = (score - range.0) / (range.1 - range.0) * bins as f32;
                counts[(at.max(0.0) as usize).min(bins - 1)] += 1;
            }
            counts
        };
        let mean = |scores: &[f32]| {
            let finite: Vec<f32> = scores.iter().copied().filter(|s| s.is_finite()).collect();
            finite.iter().sum::<f32>() / finite.len().max(1) as f32
        };
        Self {
            range,
            real: count(real),
            fake: count(fake),
            real_mean: mean(real),
            fake_mean: mean(fake),
        }
    }

    pub fn bin_width(&self) -> f32 {
        (self.range.1 - self.range.0) / self.real.len() as f32
    }

    /// The centre of bin `index`.
    pub fn bin_centre(&self, index: usize) -> f32 {
        self.range.0 + (index as f32 + 0.5) * self.bin_width()
    }

    /// How much the two distributions of verdicts overlap, from 0 (D tells every real digit
    /// from every fake) to 1 (D cannot tell them apart: the game's equilibrium).
    pub fn overlap(&self) -> f32 {
        let total = |counts: &[u32]| counts.iter().sum::<u32>().max(1) as f32;
        let (real_total, fake_total) = (total(&self.real), total(&self.fake));
        self.real
            .iter()
            .zip(&self.fake)
            .map(|(&r, &f)| (r as f32 / real_total).min(f as f32 / fake_total))
            .sum()
    }
}

/// The magnitude to draw `values` at full colour from: the 98th percentile of their sizes, so
/// that a few extreme pixels do not leave all the others black (0 when empty).
pub fn picture_scale(values: &[f32]) -> f32 {
    let mut sizes: Vec<f32> = values
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v.abs())
        .collect();
    if sizes.is_empty() {
        return 0.0;
    }
    let at = (sizes.len() - 1) * 98 / 100;
    *sizes.select_nth_unstable_by(at, f32::total_cmp).1
}

/// The cosine of the angle between `a` and `b`: how much two changes agree in direction.
/// `None` when either is zero.
pub fn cosine(a: &[f32], b: &[f32]) -> Option<f32> {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let norm = |v: &[f32]| v.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let norms = norm(a) * norm(b);
    (norms > 0.0 && norms.is_finite()).then(|| (dot / norms) as f32)
}

/// Red for "more real" (positive), blue for "more fake" (negative).
const REAL_RED: [f32; 3] = [255.0, 70.0, 40.0];
const FAKE_BLUE: [f32; 3] = [50.0, 120.0, 255.0];

/// Signed values as colours on black: red where positive, blue where negative, at full colour
/// from `scale` up.
pub fn signed_colours(values: &[f32], scale: f32) -> Vec<[u8; 3]> {
    values.iter().map(|&v| blend([0.0; 3], v, scale)).collect()
}

/// `image` (values in [-1, 1]) in dimmed grey, with signed `values` laid over it in
/// [`signed_colours`]' colours, so the digit shows through where D does not care.
pub fn overlay(image: &[f32], values: &[f32], scale: f32) -> Vec<[u8; 3]> {
    image
        .iter()
        .zip(values)
        .map(|(&x, &v)| {
            let grey = (x.clamp(-1.0, 1.0) + 1.0) * 0.5 * 170.0;
            blend([grey; 3], v, scale)
        })
        .collect()
}

fn blend(base: [f32; 3], value: f32, scale: f32) -> [u8; 3] {
    let strength = if scale > 0.0 && value.is_finite() {
        (value.abs() / scale).min(1.0)
    } else {
        0.0
    };
    let colour = if value >= 0.0 { REAL_RED } else { FAKE_BLUE };
    std::array::from_fn(|c| (base[c] + (colour[c] - base[c]) * strength).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Cpu;
    use crate::data::IMAGE_PIXELS;
    use crate::gan::latent::{Stream, normal, rng_for};
    use crate::gan::model::DiscriminatorConfig;

    fn largest_magnitude(values: &[f32]) -> f32 {
        values.iter().fold(0.0, |most: f32, v| most.max(v.abs()))
    }

    fn discriminator(loss: LossKind) -> DetachedDiscriminator<Cpu> {
        let discriminator = DiscriminatorConfig::new(vec![32, 16])
            .init(&mut rng_for(21, Stream::Init, 0), &Default::default());
        DetachedDiscriminator::new(discriminator, loss, Default::default())
    }

    /// G's loss on one image judged by `discriminator`'s D.
    fn generator_loss(discriminator: &DetachedDiscriminator<Cpu>, image: &[f32]) -> f32 {
        let logits = discriminator
            .discriminator
            .forward(discriminator.images(image.to_vec()));
        discriminator
            .loss
            .generator(logits)
            .into_data()
            .to_vec::<f32>()
            .unwrap()[0]
    }

    #[test]
    fn saliency_and_wanted_change_match_finite_differences() {
        let image: Vec<f32> = normal(&mut rng_for(22, Stream::Sample, 0), IMAGE_PIXELS)
            .iter()
            .map(|v| (v * 0.5).clamp(-1.0, 1.0))
            .collect();
        let eps = 1e-2;
        for loss in [LossKind::Minimax, LossKind::NonSaturating, LossKind::Lsgan] {
            let discriminator = discriminator(loss);
            let seen = discriminator.inspect(&image);
            assert_eq!(seen.score, discriminator.scores(&image)[0], "{loss}");
            let most = largest_magnitude(&seen.saliency);
            assert!(most > 0.0, "{loss}: D's saliency is all zero");
            for pixel in [0, 150, 300, 407, 600, 783] {
                let moved = |by: f32| {
                    let mut moved = image.clone();
                    moved[pixel] += by;
                    moved
                };
                let verdict = |by: f32| discriminator.scores(&moved(by))[0];
                let numeric = (verdict(eps) - verdict(-eps)) / (2.0 * eps);
                let exact = seen.saliency[pixel];
                assert!(
                    (numeric - exact).abs() < 2e-3 * most.max(1e-3),
                    "{loss} pixel {pixel}: ∂D/∂x {exact}, finite differences {numeric}"
                );
                let loss_at = |by: f32| generator_loss(&discriminator, &moved(by));
                let numeric = -(loss_at(eps) - loss_at(-eps)) / (2.0 * eps);
                let exact = seen.wanted[pixel];
                let most = largest_magnitude(&seen.wanted);
                assert!(
                    (numeric - exact).abs() < 2e-3 * most.max(1e-3),
                    "{loss} pixel {pixel}: −∂L_G/∂x {exact}, finite differences {numeric}"
                );
            }
        }
    }

    #[test]
    fn the_pull_on_each_toy_point_matches_finite_differences_of_its_loss() {
        let points = normal(&mut rng_for(24, Stream::Sample, 0), 2 * 5);
        let eps = 1e-2;
        for loss in [LossKind::Minimax, LossKind::NonSaturating, LossKind::Lsgan] {
            let discriminator = DiscriminatorConfig::new(vec![16, 16])
                .with_input_width(2)
                .init(&mut rng_for(25, Stream::Init, 0), &Default::default());
            let discriminator = DetachedDiscriminator::new(discriminator, loss, Default::default());
            let pulls = discriminator.pulls(&points);
            let scores = discriminator.scores(&points);
            assert_eq!(pulls.scores.len(), 5);
            for (pulled, scored) in pulls.scores.iter().zip(&scores) {
                assert!(
                    (pulled - scored).abs() < 1e-5,
                    "{loss}: {pulled} vs {scored}"
                );
            }
            assert_eq!(pulls.wanted.len(), points.len());
            let most = largest_magnitude(&pulls.wanted);
            assert!(most > 0.0, "{loss}: no pull at all");
            for at in 0..points.len() {
                let point = &points[at / 2 * 2..at / 2 * 2 + 2];
                let loss_at = |by: f32| {
                    let mut moved = point.to_vec();
                    moved[at % 2] += by;
                    generator_loss(&discriminator, &moved)
                };
                let numeric = -(loss_at(eps) - loss_at(-eps)) / (2.0 * eps);
                let exact = pulls.wanted[at];
                assert!(
                    (numeric - exact).abs() < 2e-3 * most.max(1e-3),
                    "{loss} value {at}: −∂L_G/∂x {exact}, finite differences {numeric}"
                );
            }
        }
    }

    #[test]
    fn scores_are_one_verdict_per_image() {
        let discriminator = discriminator(LossKind::NonSaturating);
        let images = normal(&mut rng_for(23, Stream::Sample, 0), 3 * IMAGE_PIXELS);
        let scores = discriminator.scores(&images);
        assert_eq!(scores.len(), 3);
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
        assert_eq!(scores[1], discriminator.scores(&images[IMAGE_PIXELS..])[0]);
        assert!(discriminator.scores(&images[..10]).is_empty());
    }

    #[test]
    fn the_histogram_counts_every_verdict_and_measures_the_overlap() {
        let real = [0.95, 0.9, 0.85, 0.7];
        let fake = [0.05, 0.1, 0.3, f32::NAN];
        let apart = VerdictHistogram::new(LossKind::NonSaturating, &real, &fake, 10);
        assert_eq!(apart.real.iter().sum::<u32>(), 4);
        assert_eq!(apart.fake.iter().sum::<u32>(), 3, "NaN is not counted");
        assert_eq!(apart.real[9], 2);
        assert_eq!(apart.fake[0], 1);
        assert!((apart.fake_mean - 0.15).abs() < 1e-6);
        assert_eq!(apart.overlap(), 0.0);
        let same = VerdictHistogram::new(LossKind::NonSaturating, &real, &real, 10);
        assert!((same.overlap() - 1.0).abs() < 1e-6);
        // LSGAN's raw outputs: wider range, outliers in the end bins.
        let lsgan = VerdictHistogram::new(LossKind::Lsgan, &[-3.0, 0.5, 9.0], &[], 4);
        assert_eq!(lsgan.real, vec![1, 0, 1, 1]);
        assert_eq!(lsgan.bin_centre(0), -0.25);
    }

    #[test]
    fn colours_say_real_in_red_and_fake_in_blue() {
        let colours = signed_colours(&[2.0, -2.0, 0.0, 0.5], 1.0);
        assert_eq!(colours[0], [255, 70, 40]);
        assert_eq!(colours[1], [50, 120, 255]);
        assert_eq!(colours[2], [0, 0, 0]);
        assert_eq!(colours[3], [128, 35, 20]);
        // Over a digit, no saliency leaves the digit's grey.
        assert_eq!(overlay(&[1.0, -1.0], &[0.0, 0.0], 1.0), [[170; 3], [0; 3]]);
        assert_eq!(cosine(&[1.0, 0.0], &[2.0, 0.0]), Some(1.0));
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, -3.0]), Some(0.0));
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), None);
        // One outlier among a hundred does not set the scale.
        let mut values: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
        values[0] = -50.0;
        assert_eq!(picture_scale(&values), 0.98);
        assert_eq!(picture_scale(&[]), 0.0);
    }
}
