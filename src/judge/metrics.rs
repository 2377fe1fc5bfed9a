//! Sample-quality figures from the judge's outputs: the classifier Inception Score, the Fréchet
//! distance on its features (MNIST's stand-in for FID), the class histogram, and the pixel
//! diversity of a batch. All host-side and cheap: the classifier's forward pass is the cost.

use super::classifier::{CLASSES, FEATURES, Judged};
use crate::data::IMAGE_PIXELS;
use crate::linalg::{Square, mean_and_covariance, trace_sqrt_product};

/// The real digits' side of every comparison, computed once per dataset.
#[derive(Debug, Clone)]
pub struct Reference {
    mean: Vec<f64>,
    covariance: Square,
    /// Mean pairwise distance between the first `DIVERSITY_DIGITS` real digits.
    diversity: f64,
}

/// Digits a diversity is measured on: the app's grid size. Pairs grow with the square, so a
/// batch this size is cheap and steady enough.
pub const DIVERSITY_DIGITS: usize = 64;

impl Reference {
    /// From the judge's view of real digits and their pixels (in [-1, 1]).
    pub fn new(real: &Judged, real_pixels: &[f32]) -> Self {
        let (mean, covariance) = mean_and_covariance(&real.features, FEATURES);
        Self {
            mean,
            covariance,
            diversity: mean_pairwise_distance(first_digits(real_pixels)),
        }
    }

    /// The diversity of the first `DIVERSITY_DIGITS` of `images` as a fraction of real
    /// digits': 1 is as varied as the data, near 0 is copies of one image.
    pub fn diversity_ratio(&self, images: &[f32]) -> f64 {
        mean_pairwise_distance(first_digits(images)) / self.diversity.max(1e-9)
    }

    /// Fréchet distance between Gaussians fitted to these and `features` (`n × FEATURES`).
    pub fn frechet_distance(&self, features: &[f32]) -> f64 {
        let (mean, covariance) = mean_and_covariance(features, FEATURES);
        let mean_term: f64 = mean
            .iter()
            .zip(&self.mean)
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        let trace = covariance.trace() + self.covariance.trace()
            - 2.0 * trace_sqrt_product(&self.covariance, &covariance);
        // Rounding can take an exact match a hair below zero.
        (mean_term + trace).max(0.0)
    }
}

/// Every figure for one set of generated digits.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scores {
    pub samples: usize,
    /// exp(E KL(p(y|x) ‖ p(y))): 1 when every image looks alike, 10 for confident, balanced digits.
    pub inception_score: f64,
    pub frechet_distance: f64,
    /// Share of the samples the judge puts in each class.
    pub class_shares: [f64; CLASSES],
}

impl Scores {
    pub fn of(reference: &Reference, judged: &Judged) -> Self {
        Self {
            samples: judged.len(),
            inception_score: inception_score(&judged.probabilities),
            frechet_distance: reference.frechet_distance(&judged.features),
            class_shares: class_shares(judged),
        }
    }

    /// The figures that need no real digits: the Fréchet distance is NaN (null in JSON).
    pub fn without_reference(judged: &Judged) -> Self {
        Self {
            samples: judged.len(),
            inception_score: inception_score(&judged.probabilities),
            frechet_distance: f64::NAN,
            class_shares: class_shares(judged),
        }
    }

    /// The rarest class's share: 0.1 is perfectly balanced, 0 is a class never drawn.
    pub fn smallest_share(&self) -> f64 {
        self.class_shares
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
    }

    /// Classes with less than `share` of the samples.
    pub fn rare_classes(&self, share: f64) -> Vec<usize> {
        (0..CLASSES)
            .filter(|&c| self.class_shares[c] < share)
            .collect()
    }
}

/// The classifier Inception Score of `n × 10` class probabilities.
pub fn inception_score(probabilities: &[f32]) -> f64 {
    let n = probabilities.len() / CLASSES;
    if n == 0 {
        return f64::NAN;
    }
    let mut marginal = [0.0f64; CLASSES];
    for row in probabilities.chunks_exact(CLASSES) {
        for (m, &p) in marginal.iter_mut().zip(row) {
            *m += f64::from(p) / n as f64;
        }
    }
    let mut kl = 0.0;
    for row in probabilities.chunks_exact(CLASSES) {
        for (&p, &m) in row.iter().zip(&marginal) {
            let p = f64::from(p);
            if p > 0.0 && m > 0.0 {
                kl += p * (p.ln() - m.ln());
            }
        }
    }
    (kl / n as f64).exp()
}

/// Share of the images the judge assigns to each class.
pub fn class_shares(judged: &Judged) -> [f64; CLASSES] {
    let mut counts = [0usize; CLASSES];
    let n = judged.len();
    for index in 0..n {
        counts[judged.class_of(index)] += 1;
    }
    counts.map(|count| count as f64 / n.max(1) as f64)
}

/// Share of the images the judge reads as the class they were asked to be, `asked[i]` for
/// image i: how well a conditional G obeys.
pub fn class_agreement(judged: &Judged, asked: &[u8]) -> f64 {
    let n = judged.len().min(asked.len());
    let agreeing = (0..n)
        .filter(|&index| judged.class_of(index) == usize::from(asked[index]))
        .count();
    agreeing as f64 / n.max(1) as f64
}

fn first_digits(images: &[f32]) -> &[f32] {
    &images[..(DIVERSITY_DIGITS * IMAGE_PIXELS).min(images.len())]
}

/// Mean Euclidean distance between every pair of images (`n × 784`): how different the images
/// of a batch are from each other. A collapsed generator draws near-copies.
pub fn mean_pairwise_distance(images: &[f32]) -> f64 {
    let rows: Vec<&[f32]> = images.chunks_exact(IMAGE_PIXELS).collect();
    let mut total = 0.0;
    let mut pairs = 0usize;
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            let squared: f32 = a.iter().zip(*b).map(|(x, y)| (x - y) * (x - y)).sum();
            total += f64::from(squared).sqrt();
            pairs += 1;
        }
    }
    if pairs == 0 {
        0.0
    } else {
        total / pairs as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_hot(classes: &[usize]) -> Vec<f32> {
        classes
            .iter()
            .flat_map(|&c| (0..CLASSES).map(move |k| if k == c { 1.0 } else { 0.0 }))
            .collect()
    }

    #[test]
    fn inception_score_bounds() {
        // Confident and balanced: the maximum, 10.
        let balanced: Vec<usize> = (0..100).map(|i| i % CLASSES).collect();
        assert!((inception_score(&one_hot(&balanced)) - 10.0).abs() < 1e-9);
        // One class only: 1.
        assert!((inception_score(&one_hot(&[3; 50])) - 1.0).abs() < 1e-9);
        // Unsure about every image: 1 as well.
        assert!((inception_score(&vec![0.1; 10 * CLASSES]) - 1.0).abs() < 1e-6);
        // Two balanced classes: 2.
        let two: Vec<usize> = (0..100).map(|i| i % 2).collect();
        assert!((inception_score(&one_hot(&two)) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn pairwise_distance_of_copies_is_zero() {
        let copies = vec![0.5; 4 * IMAGE_PIXELS];
        assert_eq!(mean_pairwise_distance(&copies), 0.0);
        let mut two = vec![0.0; 2 * IMAGE_PIXELS];
        two[IMAGE_PIXELS] = 3.0;
        two[IMAGE_PIXELS + 1] = 4.0;
        assert!((mean_pairwise_distance(&two) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn frechet_distance_is_zero_against_itself_and_grows_with_a_shift() {
        let features: Vec<f32> = (0..400 * FEATURES)
            .map(|i| ((i * 7919) % 113) as f32 / 113.0)
            .collect();
        let judged = Judged {
            probabilities: vec![0.1; 400 * CLASSES],
            features: features.clone(),
        };
        let reference = Reference::new(&judged, &[]);
        assert!(reference.frechet_distance(&features) < 1e-6);
        // Moving every feature by 1 adds |Δμ|² = FEATURES.
        let moved: Vec<f32> = features.iter().map(|v| v + 1.0).collect();
        let fd = reference.frechet_distance(&moved);
        assert!((fd - FEATURES as f64).abs() < 1e-3, "{fd}");
    }
}
