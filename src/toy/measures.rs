//! How well generated points cover a toy distribution, with the mode-collapse papers' figures
//! (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018) and GAN Lab's divergences:
//!
//! - a generated point is **high quality** when it lies within 3σ of its nearest mode's centre;
//! - a mode is **covered** when at least one high-quality point is nearest to it;
//! - the **reverse KL** is KL(p_g ‖ uniform) of the histogram of the high-quality points over
//!   the modes: 0 when every mode gets its share, ln(modes) when all sit on one, and ln(modes)
//!   too when no point is high quality (the histogram is empty: nothing is spread);
//! - **KL and JS** compare the real and the generated points' histograms on a 30×30 grid (a 30-bin
//!   line in 1D) over the view, as GAN Lab does, so they apply to any data, drawn data included.

use crate::toy::shapes::Modes;

/// The mode figures of a set of generated points.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModeCoverage {
    pub modes: usize,
    pub covered: usize,
    /// Fraction of the points within 3σ of their nearest centre.
    pub high_quality: f64,
    pub reverse_kl: f64,
    /// Indices of the modes no high-quality point reached, to mark in the view.
    pub uncovered: Vec<usize>,
}

/// Points per figure in the papers' tables.
pub const SAMPLES: usize = 2_500;
/// Bins per axis of the divergences' histograms.
pub const BINS: usize = 30;

/// `points` (`n × dim`) against the mixture `modes`.
pub fn mode_coverage(points: &[f32], modes: &Modes) -> ModeCoverage {
    let dim = modes.centres.first().map_or(1, Vec::len);
    let mut counts = vec![0usize; modes.centres.len()];
    let mut high_quality = 0;
    let n = points.len() / dim;
    for point in points.chunks_exact(dim) {
        let (nearest, distance) = modes
            .centres
            .iter()
            .enumerate()
            .map(|(i, centre)| {
                let squared: f32 = centre.iter().zip(point).map(|(c, p)| (c - p).powi(2)).sum();
                (i, squared.sqrt())
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("a mixture has modes");
        if distance <= 3.0 * modes.sigma {
            counts[nearest] += 1;
            high_quality += 1;
        }
    }
    let uniform = 1.0 / counts.len() as f64;
    let reverse_kl = if high_quality == 0 {
        // An empty histogram is no better than one mode: a 0 here would read as perfect.
        (counts.len() as f64).ln()
    } else {
        counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / high_quality as f64;
                p * (p / uniform).ln()
            })
            .sum::<f64>()
            // Never −0 when every mode has its share.
            .max(0.0)
    };
    ModeCoverage {
        modes: counts.len(),
        covered: counts.iter().filter(|&&c| c > 0).count(),
        high_quality: high_quality as f64 / n.max(1) as f64,
        reverse_kl,
        uncovered: (0..counts.len()).filter(|&i| counts[i] == 0).collect(),
    }
}

/// GAN Lab's divergences between the real and the generated points' histograms.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Divergences {
    /// KL(p_real ‖ p_g), in nats.
    pub kl: f64,
    /// Jensen–Shannon divergence, in nats: 0 to ln 2.
    pub js: f64,
}

/// Histograms of `real` and `fake` (`n × dim`, `dim` 1 or 2) over the square of half-side
/// `extent` centred on 0, compared. Empty bins of the generated histogram get a small floor,
/// so that KL stays finite where G misses part of the data (as GAN Lab's smoothing does).
pub fn divergences(real: &[f32], fake: &[f32], dim: usize, extent: f32) -> Divergences {
    let p = histogram(real, dim, extent);
    let q = histogram(fake, dim, extent);
    const FLOOR: f64 = 1e-6;
    let kl_of = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .filter(|(x, _)| **x > 0.0)
            .map(|(x, y)| x * (x / y.max(FLOOR)).ln())
            .sum()
    };
    let mean: Vec<f64> = p.iter().zip(&q).map(|(a, b)| (a + b) / 2.0).collect();
    Divergences {
        kl: kl_of(&p, &q),
        js: (kl_of(&p, &mean) + kl_of(&q, &mean)) / 2.0,
    }
}

/// Normalised counts on `BINS` (or `BINS²`) cells; points outside the view are left out.
fn histogram(points: &[f32], dim: usize, extent: f32) -> Vec<f64> {
    let cells = BINS.pow(dim as u32);
    let mut counts = vec![0.0; cells];
    let bin = |v: f32| {
        let t = (v + extent) / (2.0 * extent);
        (0.0..1.0)
            .contains(&t)
            .then_some((t * BINS as f32) as usize)
    };
    let mut total = 0.0;
    for point in points.chunks_exact(dim) {
        let cell = match point {
            [x] => bin(*x),
            [x, y] => bin(*x).zip(bin(*y)).map(|(i, j)| j * BINS + i),
            _ => None,
        };
        if let Some(cell) = cell {
            counts[cell] += 1.0;
            total += 1.0;
        }
    }
    if total > 0.0 {
        counts.iter_mut().for_each(|c| *c /= total);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gan::latent::{Stream, rng_for};
    use crate::toy::shapes::Shape;

    fn ring_points(on: impl Fn(usize) -> usize, n: usize) -> Vec<f32> {
        let modes = Shape::Ring.modes().unwrap();
        (0..n).flat_map(|i| modes.centres[on(i)].clone()).collect()
    }

    #[test]
    fn points_on_every_mode_cover_them_all_evenly() {
        let coverage = mode_coverage(&ring_points(|i| i % 8, 800), &Shape::Ring.modes().unwrap());
        assert_eq!((coverage.modes, coverage.covered), (8, 8));
        assert_eq!(coverage.high_quality, 1.0);
        assert!(coverage.reverse_kl.abs() < 1e-12);
        assert!(coverage.uncovered.is_empty());
        // A real sample does as well, but for the points beyond 3σ: 1 − e^(−9/2) = 98.9 % of
        // a 2D Gaussian lies within.
        let sample = Shape::Grid.sample(SAMPLES, &mut rng_for(3, Stream::Sample, 0));
        let grid = mode_coverage(&sample, &Shape::Grid.modes().unwrap());
        assert_eq!(grid.covered, 25);
        assert!(
            (0.98..0.995).contains(&grid.high_quality),
            "{}",
            grid.high_quality
        );
        assert!(grid.reverse_kl < 0.02, "{}", grid.reverse_kl);
    }

    #[test]
    fn one_mode_is_collapse() {
        let coverage = mode_coverage(&ring_points(|_| 3, 500), &Shape::Ring.modes().unwrap());
        assert_eq!(coverage.covered, 1);
        assert_eq!(coverage.uncovered, [0, 1, 2, 4, 5, 6, 7]);
        assert!((coverage.reverse_kl - 8f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn points_between_modes_are_low_quality_and_cover_nothing() {
        // Halfway between neighbouring ring modes, far beyond 3σ of both.
        let modes = Shape::Ring.modes().unwrap();
        let between: Vec<f32> = (0..8)
            .flat_map(|k| {
                let angle = (k as f32 + 0.5) * std::f32::consts::PI / 4.0;
                [angle.cos(), angle.sin()]
            })
            .collect();
        let coverage = mode_coverage(&between, &modes);
        assert_eq!((coverage.covered, coverage.high_quality), (0, 0.0));
        assert_eq!(coverage.reverse_kl, 8f64.ln(), "no better than one mode");
        // Half on modes, half between: half the points are high quality.
        let mut mixed = ring_points(|i| i % 8, 8);
        mixed.extend(&between);
        assert_eq!(mode_coverage(&mixed, &modes).high_quality, 0.5);
    }

    #[test]
    fn divergences_are_zero_for_one_histogram_and_grow_apart() {
        let rng = |i| rng_for(4, Stream::Sample, i);
        let real = Shape::Ring.sample(5_000, &mut rng(0));
        let same = divergences(&real, &real, 2, 1.5);
        assert_eq!((same.kl, same.js), (0.0, 0.0));
        let other_sample = divergences(&real, &Shape::Ring.sample(5_000, &mut rng(1)), 2, 1.5);
        let collapsed = divergences(&real, &ring_points(|_| 0, 5_000), 2, 1.5);
        assert!(other_sample.js < 0.05, "{other_sample:?}");
        assert!(
            collapsed.js > 0.5 && collapsed.js <= 2f64.ln() + 1e-9,
            "{collapsed:?}"
        );
        assert!(collapsed.kl > other_sample.kl);
        // 1D too.
        let line = Shape::Mixture.sample(5_000, &mut rng(2));
        assert!(divergences(&line, &line, 1, 3.0).js.abs() < 1e-12);
    }
}
