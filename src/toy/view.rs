//! What the toy lab shows of G and D at one moment: D's verdict over the plane (or the line),
//! G's fakes with the pull of G's loss on each, and G's map of latent space. Computed from
//! detached players, so the app does it off its frame loop and `toy train --video` the same way.

use crate::gan::live::Sampler;
use crate::gan::training::loss::LossKind;
use crate::gan::what_d_sees::DiscriminatorProbe;
use crate::toy::{ToyData, ToyScores, in_data_units};

/// D is evaluated on a square grid of this side over the view (this many points in 1D).
pub const LANDSCAPE_SIDE: usize = 48;
/// Lines of G's latent map in each direction, and the points along each.
pub const LATENT_LINES: usize = 11;
pub const LINE_POINTS: usize = 40;
/// The latent map spans ±this many standard deviations of z.
pub const LATENT_SPAN: f32 = 2.5;
/// Real points drawn beside the fakes.
pub const SHOWN_REAL: usize = 1_000;

/// What to look at: the data, and the fakes' fixed noise.
#[derive(Debug, Clone)]
pub struct ViewRequest {
    pub dim: usize,
    /// Half the view's side in the data's units (G's output in [-1, 1] times this).
    pub extent: f32,
    pub latent_dim: usize,
    /// The fakes' noise, `n × latent_dim`: fixed, so a fake moves only as G changes.
    pub noise: Vec<f32>,
    /// Real points in the data's units, `n × dim`.
    pub real: Vec<f32>,
}

impl ViewRequest {
    /// A request for `data`'s view with `fakes` fakes from the fixed noise of `seed`.
    pub fn new(data: &ToyData, latent_dim: usize, fakes: usize, seed: u64) -> Self {
        Self {
            dim: data.dim(),
            extent: data.extent(),
            latent_dim,
            noise: crate::gan::sample::fixed_noise(seed, fakes, latent_dim),
            // p_data's curve needs more points than a cloud of dots does.
            real: data.reference_points(SHOWN_REAL * if data.dim() == 1 { 10 } else { 1 }, seed),
        }
    }
}

/// G and D as the toy lab draws them.
#[derive(Debug, Clone, PartialEq)]
pub struct ToyView {
    pub dim: usize,
    pub extent: f32,
    pub loss: LossKind,
    pub latent_dim: usize,
    /// The fakes' noise, `n × latent_dim`.
    pub noise: Vec<f32>,
    /// Real and generated points in the data's units, `n × dim`.
    pub real: Vec<f32>,
    pub fake: Vec<f32>,
    pub real_scores: Vec<f32>,
    pub fake_scores: Vec<f32>,
    /// −∂L_G/∂x at each fake, `n × dim`, in G's output units: where G's loss pushes it.
    pub pull: Vec<f32>,
    /// D's verdict on the grid's cell centres: [`LANDSCAPE_SIDE`]² values, row by row from
    /// the top (2D), or [`LANDSCAPE_SIDE`] from the left (1D).
    pub landscape: Vec<f32>,
    /// G's map of latent space in the data's units. 2D: [`LATENT_LINES`] lines of constant
    /// z₁, then as many of constant z₂, [`LINE_POINTS`] points each (a slice z₃… = 0 where z
    /// has more dimensions). 1D: G(z) for a row of [`LINE_POINTS`] z's across the span.
    pub manifold: Vec<f32>,
}

impl ToyView {
    /// How far D is from ½, on average, on the real points and on the fakes: both near 0 at
    /// the equilibrium.
    pub fn distance_from_half(&self) -> (f32, f32) {
        let mean = |scores: &[f32]| {
            scores.iter().map(|s| (s - 0.5).abs()).sum::<f32>() / scores.len().max(1) as f32
        };
        (mean(&self.real_scores), mean(&self.fake_scores))
    }

    /// D's mean verdict on the fakes, and the mean length of the pull on them: under the
    /// minimax loss the pull vanishes as D rejects the fakes.
    pub fn fakes_verdict_and_pull(&self) -> (f32, f32) {
        let n = self.fake_scores.len().max(1) as f32;
        let verdict = self.fake_scores.iter().sum::<f32>() / n;
        let pull = self
            .pull
            .chunks(self.dim)
            .map(|g| g.iter().map(|v| v * v).sum::<f32>().sqrt())
            .sum::<f32>()
            / n;
        (verdict, pull)
    }

    /// The z's of the manifold's points, in the order of [`ToyView::manifold`].
    pub fn manifold_noise(dim: usize, latent_dim: usize) -> Vec<f32> {
        let along = |i: usize, count: usize| {
            -LATENT_SPAN + 2.0 * LATENT_SPAN * i as f32 / (count - 1) as f32
        };
        let mut noise = Vec::new();
        let mut push = |first: f32, second: f32| {
            noise.push(first);
            if latent_dim > 1 {
                noise.push(second);
            }
            noise.extend(std::iter::repeat_n(0.0, latent_dim.saturating_sub(2)));
        };
        if dim == 1 {
            (0..LINE_POINTS).for_each(|i| push(along(i, LINE_POINTS), 0.0));
        } else {
            for line in 0..LATENT_LINES {
                (0..LINE_POINTS)
                    .for_each(|i| push(along(line, LATENT_LINES), along(i, LINE_POINTS)));
            }
            for line in 0..LATENT_LINES {
                (0..LINE_POINTS)
                    .for_each(|i| push(along(i, LINE_POINTS), along(line, LATENT_LINES)));
            }
        }
        noise
    }
}

/// The centres of the landscape's cells in G's output units ([-1, 1]), `n × dim`, row by row
/// from the top.
pub fn landscape_points(dim: usize) -> Vec<f32> {
    let centre = |i: usize| -1.0 + (2 * i + 1) as f32 / LANDSCAPE_SIDE as f32;
    if dim == 1 {
        return (0..LANDSCAPE_SIDE).map(centre).collect();
    }
    (0..LANDSCAPE_SIDE)
        .flat_map(|row| {
            (0..LANDSCAPE_SIDE).flat_map(move |col| [centre(col), centre(LANDSCAPE_SIDE - 1 - row)])
        })
        .collect()
}

/// Looks at `generator` and `discriminator` as `request` asks.
pub fn look(
    discriminator: &dyn DiscriminatorProbe,
    generator: &dyn Sampler,
    request: &ViewRequest,
) -> ToyView {
    let (dim, extent) = (request.dim, request.extent);
    let fake = generator.generate(&request.noise);
    let pulls = discriminator.pulls(&fake);
    let real_scores = discriminator.scores(&crate::toy::normalized(&request.real, extent));
    let manifold = generator.generate(&ToyView::manifold_noise(dim, request.latent_dim));
    ToyView {
        dim,
        extent,
        loss: discriminator.loss(),
        latent_dim: request.latent_dim,
        noise: request.noise.clone(),
        real: request.real.clone(),
        fake: in_data_units(&fake, extent),
        real_scores,
        fake_scores: pulls.scores,
        pull: pulls.wanted,
        landscape: discriminator.scores(&landscape_points(dim)),
        manifold: in_data_units(&manifold, extent),
    }
}

/// The mode-collapse papers' figures for `sampler`'s points: [`crate::toy::measures::SAMPLES`]
/// of them, from the evaluation's own noise.
pub fn measure(sampler: &dyn Sampler, data: &ToyData, latent_dim: usize, seed: u64) -> ToyScores {
    let n = crate::toy::measures::SAMPLES;
    let noise = crate::gan::sample::fixed_noise(seed ^ 0x5eed, n, latent_dim);
    let fake = in_data_units(&sampler.generate(&noise), data.extent());
    crate::toy::score(data, &fake, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_landscape_grid_covers_the_view_from_the_top_left() {
        let points = landscape_points(2);
        assert_eq!(points.len(), 2 * LANDSCAPE_SIDE * LANDSCAPE_SIDE);
        let half_cell = 1.0 / LANDSCAPE_SIDE as f32;
        assert!((points[0] - (-1.0 + half_cell)).abs() < 1e-6);
        assert!(
            (points[1] - (1.0 - half_cell)).abs() < 1e-6,
            "first row at the top"
        );
        let last = &points[points.len() - 2..];
        assert!((last[0] - (1.0 - half_cell)).abs() < 1e-6);
        assert!((last[1] - (-1.0 + half_cell)).abs() < 1e-6);
        assert_eq!(landscape_points(1).len(), LANDSCAPE_SIDE);
    }

    #[test]
    fn the_latent_map_is_a_grid_of_lines_across_the_span() {
        let noise = ToyView::manifold_noise(2, 3);
        assert_eq!(noise.len(), 2 * LATENT_LINES * LINE_POINTS * 3);
        // The first line holds z₁ at −span and runs z₂ from −span to +span, z₃ = 0.
        assert_eq!(&noise[..3], &[-LATENT_SPAN, -LATENT_SPAN, 0.0]);
        let end = (LINE_POINTS - 1) * 3;
        assert_eq!(&noise[end..end + 3], &[-LATENT_SPAN, LATENT_SPAN, 0.0]);
        assert_eq!(ToyView::manifold_noise(1, 1).len(), LINE_POINTS);
    }
}
