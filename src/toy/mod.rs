//! The toy lab's data and measures, without Bevy: GANs on 1D and 2D points, where D's verdict,
//! G's map and the pull on each fake can be drawn. Training is the digits' own core
//! ([`crate::gan`]) with a [`ToySetup`] in the config: the same networks, losses and loop,
//! with 1 or 2 values per sample instead of 784.

pub mod csv;
pub mod measures;
pub mod picture;
mod raster;
pub mod shapes;
pub mod step_apart;
pub mod view;

use std::path::{Path, PathBuf};

use crate::gan::config::ToySetup;
use crate::gan::latent::{Stream, rng_for};
use shapes::{Modes, Shape};

/// Points drawn from a built-in shape to train on: PacGAN's data sets hold 100,000.
pub const TRAINING_POINTS: usize = 100_000;

/// Where a toy run's points come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ToyData {
    Shape(Shape),
    /// Points read from a CSV file (or drawn in the app and saved as one).
    File {
        path: PathBuf,
        points: csv::Points,
    },
}

impl ToyData {
    /// `name` as the user typed it: a built-in shape's name, else a CSV file's path.
    pub fn open(name: &str) -> Result<Self, csv::CsvError> {
        match Shape::ALL.iter().find(|shape| shape.name() == name) {
            Some(&shape) => Ok(ToyData::Shape(shape)),
            None => {
                let path = Path::new(name).to_path_buf();
                let points = csv::read(&path)?;
                Ok(ToyData::File { path, points })
            }
        }
    }

    /// The data a run's setup names.
    pub fn of(setup: &ToySetup) -> Result<Self, csv::CsvError> {
        Self::open(&setup.data)
    }

    pub fn name(&self) -> String {
        match self {
            ToyData::Shape(shape) => shape.name().to_string(),
            ToyData::File { path, .. } => path.display().to_string(),
        }
    }

    pub fn dim(&self) -> usize {
        match self {
            ToyData::Shape(shape) => shape.dim(),
            ToyData::File { points, .. } => points.dim,
        }
    }

    /// Half the side of the view, centred on 0: the shape's own, or for a file the farthest
    /// coordinate plus a tenth, so that every point is inside and G's tanh can reach it.
    pub fn extent(&self) -> f32 {
        match self {
            ToyData::Shape(shape) => shape.extent(),
            ToyData::File { points, .. } => {
                let widest = points.values.iter().fold(0f32, |m, v| m.max(v.abs()));
                (widest * 1.1).max(1e-3)
            }
        }
    }

    /// The mixture's modes, where the data is one.
    pub fn modes(&self) -> Option<Modes> {
        match self {
            ToyData::Shape(shape) => shape.modes(),
            ToyData::File { .. } => None,
        }
    }

    /// The centres of the modes no generated point reached, to ring in the picture.
    pub fn missed_centres(&self, scores: &ToyScores) -> Vec<Vec<f32>> {
        let (Some(modes), Some(coverage)) = (self.modes(), scores.modes.as_ref()) else {
            return Vec::new();
        };
        coverage
            .uncovered
            .iter()
            .filter_map(|&i| modes.centres.get(i).cloned())
            .collect()
    }

    /// What a run on this data records in its config.
    pub fn setup(&self) -> ToySetup {
        ToySetup {
            dim: self.dim(),
            data: self.name(),
            extent: self.extent(),
        }
    }

    /// The points to train on, in the data's units: [`TRAINING_POINTS`] drawn from a shape
    /// with `seed`, or the file's own.
    pub fn training_points(&self, seed: u64) -> Vec<f32> {
        match self {
            ToyData::Shape(shape) => {
                shape.sample(TRAINING_POINTS, &mut rng_for(seed, Stream::Sample, 1))
            }
            ToyData::File { points, .. } => points.values.clone(),
        }
    }

    /// `n` real points drawn at random as a training batch draws them, batch `index` of
    /// `seed`'s stream: a fresh handful for each slow-motion step.
    pub fn batch(&self, n: usize, seed: u64, index: u64) -> Vec<f32> {
        let rng = &mut rng_for(seed, Stream::Shuffle, index);
        match self {
            ToyData::Shape(shape) => shape.sample(n, rng),
            ToyData::File { points, .. } => {
                let count = points.values.len() / points.dim;
                (0..n)
                    .flat_map(|_| {
                        let at = rand::RngExt::random_range(rng, 0..count.max(1)) * points.dim;
                        points.values[at..at + points.dim].iter().copied()
                    })
                    .collect()
            }
        }
    }

    /// `n` real points to compare generated ones with, drawn apart from the training points.
    pub fn reference_points(&self, n: usize, seed: u64) -> Vec<f32> {
        match self {
            ToyData::Shape(shape) => shape.sample(n, &mut rng_for(seed, Stream::Sample, 2)),
            ToyData::File { points, .. } => points
                .values
                .iter()
                .copied()
                .cycle()
                .take(n * points.dim)
                .collect(),
        }
    }
}

/// Points in the data's units divided by `extent`: what G draws and D reads, in [-1, 1].
pub fn normalized(points: &[f32], extent: f32) -> Vec<f32> {
    points.iter().map(|v| v / extent).collect()
}

/// G's output in [-1, 1] back in the data's units.
pub fn in_data_units(values: &[f32], extent: f32) -> Vec<f32> {
    values.iter().map(|v| v * extent).collect()
}

/// `n` points from `generator` in the data's units, from the sample stream of `seed`.
pub fn generate<B: burn::prelude::Backend>(
    generator: &crate::gan::Generator<B>,
    n: usize,
    seed: u64,
    extent: f32,
    device: &B::Device,
) -> Vec<f32> {
    let noise = crate::gan::sample::fixed_noise(seed, n, generator.latent_dim());
    in_data_units(
        &crate::gan::sample::generate_values(generator, &noise, device),
        extent,
    )
}

/// What a toy run's generated points score against its data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ToyScores {
    pub samples: usize,
    /// Where the data is a mixture of Gaussians (the ring, the grid, the 1D ones).
    pub modes: Option<measures::ModeCoverage>,
    pub divergences: measures::Divergences,
}

/// Scores `fake` (`n × dim`, in the data's units) against `data`, with reference points
/// drawn from `seed`.
pub fn score(data: &ToyData, fake: &[f32], seed: u64) -> ToyScores {
    let dim = data.dim();
    let samples = fake.len() / dim;
    let real = data.reference_points(samples.max(measures::SAMPLES), seed);
    ToyScores {
        samples,
        modes: data
            .modes()
            .map(|modes| measures::mode_coverage(fake, &modes)),
        divergences: measures::divergences(&real, fake, dim, data.extent()),
    }
}
