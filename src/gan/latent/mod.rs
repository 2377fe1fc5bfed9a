//! Latent-space math done on the host: seeded noise and interpolation between latent vectors.
//!
//! Noise comes from ganimate's own RNG, derived from (seed, purpose, index), so any batch of any
//! step can be regenerated exactly: this is what makes a resumed run identical to an unbroken one.

pub mod directions;
pub mod file;
pub mod projection;
pub mod truncation;
pub mod walk;

use rand::{RngExt, SeedableRng};

/// The generator of every random number ganimate draws (ChaCha8: fast, with a stable stream).
pub type SeededRng = rand::rngs::ChaCha8Rng;

/// What a random stream is used for, so that streams of one seed never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    Init = 1,
    Noise = 2,
    Shuffle = 3,
    FixedNoise = 4,
    Sample = 5,
    Walk = 6,
    Augment = 7,
    Projection = 8,
    Directions = 9,
    /// The classes a conditional G is asked for in training.
    Class = 10,
}

/// An RNG for item `index` of `stream` under `seed`.
pub fn rng_for(seed: u64, stream: Stream, index: u64) -> SeededRng {
    let mixed = splitmix64(splitmix64(seed ^ splitmix64(stream as u64)) ^ index);
    SeededRng::seed_from_u64(mixed)
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// `count` standard-normal numbers (Box–Muller).
pub fn normal(rng: &mut SeededRng, count: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(count + 1);
    while out.len() < count {
        // 1 - u keeps the logarithm's argument in (0, 1].
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random::<f64>();
        let radius = (-2.0 * u1.ln()).sqrt();
        let angle = std::f64::consts::TAU * u2;
        out.push((radius * angle.cos()) as f32);
        out.push((radius * angle.sin()) as f32);
    }
    out.truncate(count);
    out
}

/// `count` numbers from U(-bound, bound): PyTorch's default initialisation of a layer's
/// weights with bound = 1/√fan_in.
pub fn uniform(rng: &mut SeededRng, count: usize, bound: f32) -> Vec<f32> {
    (0..count)
        .map(|_| (rng.random::<f32>() * 2.0 - 1.0) * bound)
        .collect()
}

/// `count` classes drawn uniformly from `0..classes`.
pub fn uniform_classes(rng: &mut SeededRng, count: usize, classes: usize) -> Vec<u8> {
    (0..count)
        .map(|_| rng.random_range(0..classes) as u8)
        .collect()
}

/// Interpolation between two latent vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Interpolation {
    /// Along the great circle: keeps the norm typical of N(0, I) samples mid-way.
    #[default]
    Slerp,
    /// Along the straight line: mid-points have smaller norms than real samples.
    Lerp,
}

impl Interpolation {
    pub fn apply(self, a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
        match self {
            Interpolation::Slerp => slerp(a, b, t),
            Interpolation::Lerp => lerp(a, b, t),
        }
    }
}

pub fn lerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x + (y - x) * t).collect()
}

/// Spherical interpolation; falls back to `lerp` when the vectors are (anti)parallel.
pub fn slerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let (na, nb) = (norm(a), norm(b));
    if na == 0.0 || nb == 0.0 {
        return lerp(a, b, t);
    }
    let cos = (a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>() / (na * nb)).clamp(-1.0, 1.0);
    let omega = cos.acos();
    let sin = omega.sin();
    if sin.abs() < 1e-6 {
        return lerp(a, b, t);
    }
    let (wa, wb) = (((1.0 - t) * omega).sin() / sin, (t * omega).sin() / sin);
    a.iter().zip(b).map(|(x, y)| wa * x + wb * y).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_reproducible_and_standard() {
        let a = normal(&mut rng_for(7, Stream::Noise, 3), 20_000);
        let b = normal(&mut rng_for(7, Stream::Noise, 3), 20_000);
        let c = normal(&mut rng_for(7, Stream::Noise, 4), 20_000);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mean = a.iter().sum::<f32>() / a.len() as f32;
        let var = a.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / a.len() as f32;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn interpolations_hit_their_endpoints() {
        let a = [1.0, 0.0, 0.0];
        let b = [0.0, 2.0, 0.0];
        for interp in [Interpolation::Slerp, Interpolation::Lerp] {
            assert_eq!(interp.apply(&a, &b, 0.0), a.to_vec());
            let end = interp.apply(&a, &b, 1.0);
            assert!(
                end.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-6),
                "{end:?}"
            );
        }
    }

    #[test]
    fn slerp_follows_the_arc() {
        let a = [1.0, 0.0];
        let b = [0.0, 1.0];
        let mid = slerp(&a, &b, 0.5);
        let half = std::f32::consts::FRAC_1_SQRT_2;
        assert!(
            (mid[0] - half).abs() < 1e-6 && (mid[1] - half).abs() < 1e-6,
            "{mid:?}"
        );
        assert_eq!(lerp(&a, &b, 0.5), vec![0.5, 0.5]);
        // Parallel vectors fall back to a straight line instead of dividing by zero.
        assert_eq!(slerp(&a, &[2.0, 0.0], 0.5), vec![1.5, 0.0]);
    }
}
