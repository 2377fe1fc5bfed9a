//! The toy lab's built-in data: 1D and 2D distributions small enough to draw every concept of
//! the game. The ring and the grid follow the mode-collapse benchmarks' definitions (VEEGAN,
//! Srivastava et al. 2017; PacGAN, Lin et al. 2018), so the figures of
//! [`crate::toy::measures`] compare with the papers'.

use std::f32::consts::{PI, TAU};

use rand::RngExt;

use crate::gan::latent::{SeededRng, normal};

/// A built-in toy distribution (`--data`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// 1D: one Gaussian, N(1, 0.5²), the data of Goodfellow et al.'s Figure 1.
    Gaussian,
    /// 1D: two Gaussians, N(±1.5, 0.3²), equally likely.
    Mixture,
    /// 2D: 8 Gaussians on the unit circle at k·45°, σ = 0.01.
    Ring,
    /// 2D: 25 Gaussians at {−4, −2, 0, 2, 4}², σ = 0.05.
    Grid,
    /// 2D: two interleaved half circles, with noise 0.05.
    Moons,
    /// 2D: a two-turn spiral, with noise 0.02.
    Spiral,
    /// 2D: a segment from (−1, −1) to (1, 1), with noise 0.02.
    Line,
}

/// Centres and spread of a mixture of equal Gaussians: what the mode measures count against.
#[derive(Debug, Clone, PartialEq)]
pub struct Modes {
    /// One row of `dim` coordinates per mode.
    pub centres: Vec<Vec<f32>>,
    pub sigma: f32,
}

impl Shape {
    pub const ALL: [Shape; 7] = [
        Shape::Gaussian,
        Shape::Mixture,
        Shape::Ring,
        Shape::Grid,
        Shape::Moons,
        Shape::Spiral,
        Shape::Line,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Gaussian => "gaussian",
            Shape::Mixture => "mixture",
            Shape::Ring => "ring",
            Shape::Grid => "grid",
            Shape::Moons => "moons",
            Shape::Spiral => "spiral",
            Shape::Line => "line",
        }
    }

    /// Coordinates per point: 1 or 2.
    pub fn dim(self) -> usize {
        match self {
            Shape::Gaussian | Shape::Mixture => 1,
            _ => 2,
        }
    }

    /// Half the side of the square (or segment) the view shows, centred on 0: every point of
    /// the distribution lies well inside it, and G's tanh output spans it.
    pub fn extent(self) -> f32 {
        match self {
            Shape::Gaussian => 4.0,
            Shape::Mixture => 3.0,
            Shape::Ring | Shape::Spiral | Shape::Line => 1.5,
            Shape::Grid => 5.0,
            Shape::Moons => 2.0,
        }
    }

    /// The mixture's modes, for the shapes that are mixtures of equal Gaussians.
    pub fn modes(self) -> Option<Modes> {
        match self {
            Shape::Gaussian => Some(Modes {
                centres: vec![vec![1.0]],
                sigma: 0.5,
            }),
            Shape::Mixture => Some(Modes {
                centres: vec![vec![-1.5], vec![1.5]],
                sigma: 0.3,
            }),
            Shape::Ring => Some(Modes {
                centres: (0..8)
                    .map(|k| {
                        let angle = k as f32 * PI / 4.0;
                        vec![angle.cos(), angle.sin()]
                    })
                    .collect(),
                sigma: 0.01,
            }),
            Shape::Grid => Some(Modes {
                centres: (0..25)
                    .map(|k| vec![(k / 5) as f32 * 2.0 - 4.0, (k % 5) as f32 * 2.0 - 4.0])
                    .collect(),
                sigma: 0.05,
            }),
            Shape::Moons | Shape::Spiral | Shape::Line => None,
        }
    }

    /// `n` points drawn from the distribution, `n × dim` values, in the shape's own
    /// coordinates.
    pub fn sample(self, n: usize, rng: &mut SeededRng) -> Vec<f32> {
        if let Some(modes) = self.modes() {
            let dim = self.dim();
            let noise = normal(rng, n * dim);
            let mut points = Vec::with_capacity(n * dim);
            for i in 0..n {
                let centre = &modes.centres[rng.random_range(0..modes.centres.len())];
                for (axis, c) in centre.iter().enumerate() {
                    points.push(c + modes.sigma * noise[i * dim + axis]);
                }
            }
            return points;
        }
        let noise = normal(rng, n * 2);
        let mut points = Vec::with_capacity(n * 2);
        for i in 0..n {
            let t: f32 = rng.random();
            let (x, y, spread) = match self {
                Shape::Moons => {
                    // sklearn's make_moons, centred: the upper moon, or the lower one shifted.
                    let angle = t * PI;
                    if rng.random::<bool>() {
                        (angle.cos() - 0.5, angle.sin() - 0.25, 0.05)
                    } else {
                        (0.5 - angle.cos(), 0.25 - angle.sin(), 0.05)
                    }
                }
                Shape::Spiral => {
                    let angle = t * 2.0 * TAU;
                    let radius = 0.1 + 0.9 * t;
                    (radius * angle.cos(), radius * angle.sin(), 0.02)
                }
                _ => (2.0 * t - 1.0, 2.0 * t - 1.0, 0.02),
            };
            points.push(x + spread * noise[2 * i]);
            points.push(y + spread * noise[2 * i + 1]);
        }
        points
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gan::latent::{Stream, rng_for};

    #[test]
    fn every_shape_draws_inside_its_view() {
        for shape in Shape::ALL {
            let points = shape.sample(5_000, &mut rng_for(1, Stream::Sample, 0));
            assert_eq!(points.len(), 5_000 * shape.dim());
            let widest = points.iter().fold(0f32, |m, v| m.max(v.abs()));
            assert!(widest < 0.95 * shape.extent(), "{shape}: {widest}");
        }
    }

    #[test]
    fn the_ring_and_the_grid_have_the_benchmarks_modes() {
        let ring = Shape::Ring.modes().unwrap();
        assert_eq!((ring.centres.len(), ring.sigma), (8, 0.01));
        assert!((ring.centres[2][0]).abs() < 1e-6 && (ring.centres[2][1] - 1.0).abs() < 1e-6);
        let grid = Shape::Grid.modes().unwrap();
        assert_eq!((grid.centres.len(), grid.sigma), (25, 0.05));
        assert!(grid.centres.contains(&vec![-4.0, 4.0]) && grid.centres.contains(&vec![0.0, 0.0]));
        // Every mode gets its share of a large sample.
        let points = Shape::Grid.sample(25_000, &mut rng_for(2, Stream::Sample, 0));
        for centre in &grid.centres {
            let near = points
                .chunks_exact(2)
                .filter(|p| (p[0] - centre[0]).hypot(p[1] - centre[1]) < 0.15)
                .count();
            assert!((800..1200).contains(&near), "{centre:?}: {near}");
        }
    }
}
