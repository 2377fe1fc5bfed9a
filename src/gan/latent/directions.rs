//! The latent directions that change the digits most, two ways:
//! - **SeFa** (Shen & Zhou 2021, "Closed-Form Factorization of Latent Semantics in GANs"): the
//!   eigenvectors of W₁W₁ᵀ, where W₁ is G's first layer, strongest first. A step along
//!   direction k moves the first layer's output by √λₖ per unit, more than along any direction
//!   orthogonal to the stronger ones. They need the weights alone, so they can be recomputed
//!   while G learns.
//! - **GANSpace** (Härkönen et al. 2020): the principal components of G's first hidden layer
//!   (after BatchNorm and the activation, so unlike SeFa they see which units are active) over
//!   a few thousand samples, carried back to z by linear regression.

use burn::prelude::*;

use crate::gan::latent::{self, Stream};
use crate::gan::model::Generator;
use crate::linalg::{Square, mean_and_covariance, symmetric_eigen};

/// How directions are found (`walk --directions`, the app's directions window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Method {
    /// Closed form from G's first layer's weights.
    #[default]
    Sefa,
    /// Principal components of G's first hidden layer, mapped back to z.
    Ganspace,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Sefa => "SeFa",
            Method::Ganspace => "GANSpace",
        }
    }
}

/// Samples GANSpace's principal components are computed over.
pub const GANSPACE_SAMPLES: usize = 2048;
/// Directions GANSpace keeps: the components past these carry little variance.
pub const GANSPACE_DIRECTIONS: usize = 16;

/// `generator`'s directions by `method`, strongest first. This reads back from the device.
pub fn find<B: Backend>(
    generator: &Generator<B>,
    method: Method,
    device: &B::Device,
) -> Directions {
    let latent_dim = generator.latent_dim();
    match method {
        Method::Sefa => Directions::sefa(&generator.first_layer_weights(), latent_dim),
        Method::Ganspace => {
            let latents = latent::normal(
                &mut latent::rng_for(0, Stream::Directions, 0),
                GANSPACE_SAMPLES * latent_dim,
            );
            let z = Tensor::<B, 2>::from_data(
                TensorData::new(latents.clone(), [GANSPACE_SAMPLES, latent_dim]),
                device,
            );
            let hidden = generator
                .first_hidden(z)
                .into_data()
                .convert::<f32>()
                .to_vec::<f32>()
                .unwrap_or_default();
            Directions::ganspace(&latents, &hidden, latent_dim, GANSPACE_DIRECTIONS)
        }
    }
}

/// Unit vectors in latent space, strongest first, with how strongly each moves G's first layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Directions {
    /// `count × latent_dim`: direction k is `vectors[k]`.
    pub vectors: Vec<Vec<f32>>,
    /// λₖ: the squared length of the first layer's change per unit step along direction k.
    pub strengths: Vec<f64>,
}

impl Directions {
    /// SeFa's directions of a first layer whose weights are `weights`, `[latent_dim, width]`
    /// row-major (burn's `Linear` layout: x·W).
    pub fn sefa(weights: &[f32], latent_dim: usize) -> Self {
        let width = weights.len() / latent_dim.max(1);
        let mut gram = Square::zeros(latent_dim);
        for i in 0..latent_dim {
            let row_i = &weights[i * width..(i + 1) * width];
            for j in i..latent_dim {
                let row_j = &weights[j * width..(j + 1) * width];
                let dot: f64 = row_i
                    .iter()
                    .zip(row_j)
                    .map(|(a, b)| f64::from(*a) * f64::from(*b))
                    .sum();
                gram.values[i * latent_dim + j] = dot;
                gram.values[j * latent_dim + i] = dot;
            }
        }
        let (values, vectors) = symmetric_eigen(&gram);
        let mut order: Vec<usize> = (0..latent_dim).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        Self {
            vectors: order
                .iter()
                .map(|&k| (0..latent_dim).map(|i| vectors.get(i, k) as f32).collect())
                .collect(),
            strengths: order.iter().map(|&k| values[k].max(0.0)).collect(),
        }
    }

    /// GANSpace's `count` strongest directions from samples: `latents` (`n × latent_dim`) and
    /// the hidden features G computed from them (`n × width`). Each principal component v of
    /// the features becomes the z-direction u that best predicts the samples' coordinate along
    /// it, u ∝ Σⱼ xⱼ zⱼ with xⱼ = (hⱼ − μ)·v (least squares; the coordinates are uncorrelated,
    /// so each is fitted alone). Strengths are the components' variances.
    pub fn ganspace(latents: &[f32], hidden: &[f32], latent_dim: usize, count: usize) -> Self {
        let samples = latents.len() / latent_dim.max(1);
        let width = hidden.len() / samples.max(1);
        let (mean, covariance) = mean_and_covariance(hidden, width);
        let (values, vectors) = symmetric_eigen(&covariance);
        let mut order: Vec<usize> = (0..width).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        order.truncate(count.min(latent_dim));
        let mut directions = Vec::with_capacity(order.len());
        for &k in &order {
            let mut u = vec![0.0f64; latent_dim];
            for (z, h) in latents
                .chunks_exact(latent_dim)
                .zip(hidden.chunks_exact(width))
            {
                let x: f64 = (0..width)
                    .map(|i| (f64::from(h[i]) - mean[i]) * vectors.get(i, k))
                    .sum();
                for (u, &z) in u.iter_mut().zip(z) {
                    *u += x * f64::from(z);
                }
            }
            let norm = u
                .iter()
                .map(|v| v * v)
                .sum::<f64>()
                .sqrt()
                .max(f64::MIN_POSITIVE);
            directions.push(u.iter().map(|v| (v / norm) as f32).collect());
        }
        Self {
            vectors: directions,
            strengths: order.iter().map(|&k| values[k].max(0.0)).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }
}

/// `z` moved `distance` along the unit vector `direction`: in standard deviations of the noise,
/// since z ~ N(0, I) has unit spread along every unit vector.
pub fn along(z: &[f32], direction: &[f32], distance: f32) -> Vec<f32> {
    z.iter()
        .zip(direction)
        .map(|(value, step)| value + distance * step)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5)
    }

    #[test]
    fn matches_a_hand_computed_decomposition() {
        // W = [[3, 1], [1, 3]]: W Wᵀ = [[10, 6], [6, 10]], eigenvalues 16 along (1, 1)/√2 and 4
        // along (1, −1)/√2.
        let directions = Directions::sefa(&[3.0, 1.0, 1.0, 3.0], 2);
        assert_eq!(directions.len(), 2);
        assert!(
            (directions.strengths[0] - 16.0).abs() < 1e-9,
            "{directions:?}"
        );
        assert!(
            (directions.strengths[1] - 4.0).abs() < 1e-9,
            "{directions:?}"
        );
        let h = std::f32::consts::FRAC_1_SQRT_2;
        let (first, second) = (&directions.vectors[0], &directions.vectors[1]);
        // An eigenvector's sign is arbitrary.
        assert!(
            close(first, &[h, h]) || close(first, &[-h, -h]),
            "{first:?}"
        );
        assert!(
            close(second, &[h, -h]) || close(second, &[-h, h]),
            "{second:?}"
        );
    }

    #[test]
    fn the_first_direction_moves_the_first_layer_most() {
        // A 3 → 4 layer: no unit vector moves x·W further than the first direction.
        let weights = [
            0.5, -1.0, 2.0, 0.1, 1.5, 0.3, -0.7, 0.9, -0.2, 0.8, 0.4, -1.1,
        ];
        let directions = Directions::sefa(&weights, 3);
        let moved = |v: &[f32]| -> f64 {
            (0..4)
                .map(|col| {
                    let out: f64 = (0..3)
                        .map(|row| f64::from(v[row]) * f64::from(weights[row * 4 + col]))
                        .sum();
                    out * out
                })
                .sum()
        };
        let best = moved(&directions.vectors[0]);
        assert!((best - directions.strengths[0]).abs() < 1e-6);
        for k in 0..200 {
            let angle = k as f32 * 0.1;
            let v = [angle.cos(), angle.sin() * 0.6, angle.sin() * 0.8];
            assert!(moved(&v) <= best + 1e-6, "{v:?}");
        }
        for pair in directions.strengths.windows(2) {
            assert!(pair[0] >= pair[1]);
        }
    }

    #[test]
    fn ganspace_carries_the_strongest_feature_direction_back_to_z() {
        // Features h = (3·z·a, z·b, 0) of z ∈ R³, with a and b orthonormal: the first principal
        // component is h's first axis, which z·a alone predicts, so direction 1 is ±a; the
        // second is ±b.
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let (a, b) = ([s, s, 0.0], [0.0, 0.0, 1.0]);
        let dot = |z: &[f32], v: &[f32; 3]| z.iter().zip(v).map(|(x, y)| x * y).sum::<f32>();
        let latents = latent::normal(&mut latent::rng_for(1, Stream::Sample, 0), 3 * 4000);
        let hidden: Vec<f32> = latents
            .chunks_exact(3)
            .flat_map(|z| [3.0 * dot(z, &a), dot(z, &b), 0.0])
            .collect();
        let found = Directions::ganspace(&latents, &hidden, 3, 2);
        assert_eq!(found.len(), 2);
        let near = |u: &[f32], v: &[f32; 3]| dot(u, v).abs() > 0.99;
        assert!(near(&found.vectors[0], &a), "{found:?}");
        assert!(near(&found.vectors[1], &b), "{found:?}");
        // Variances 9 and 1, up to sampling error.
        assert!((found.strengths[0] - 9.0).abs() < 0.9, "{found:?}");
        assert!((found.strengths[1] - 1.0).abs() < 0.1, "{found:?}");
    }

    #[test]
    fn along_moves_by_the_distance() {
        assert_eq!(along(&[1.0, 2.0], &[0.6, 0.8], 5.0), vec![4.0, 6.0]);
    }
}
