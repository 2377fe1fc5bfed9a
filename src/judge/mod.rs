//! Judging generated digits: a classifier trained by ganimate itself, the quality figures it
//! gives (Inception Score, Fréchet distance, class histogram), and the detectors of the
//! course's classic failures with their lessons. Like `gan`, it knows nothing of windows.

pub mod bundled;
pub mod cache;
pub mod classifier;
pub mod detect;
pub mod metrics;
pub mod watch;

use std::path::{Path, PathBuf};

use burn::prelude::Backend;
use burn::tensor::backend::AutodiffBackend;

use cache::{JudgeError, JudgeInfo};
use classifier::{Classifier, Judged, Labelled, Schedule};
use metrics::{Reference, Scores};

use rand::seq::SliceRandom;

use crate::data::{Dataset, IMAGE_PIXELS};
use crate::gan::latent::{self, Stream};

/// Real digits the reference statistics are computed on (at most).
pub const REFERENCE_DIGITS: usize = 10_000;

/// A classifier ready to score generated digits against the real ones.
pub struct Judge<B: Backend> {
    pub classifier: Classifier<B>,
    pub info: JudgeInfo,
    pub reference: Reference,
    /// The judge's view of the reference digits, and their pixels (in [-1, 1]): what the
    /// "nearest real digit" view searches.
    pub real: Judged,
    pub real_pixels: Vec<f32>,
    device: B::Device,
}

impl<B: Backend> Judge<B> {
    /// Scores generated images (`n × 784` in [-1, 1]).
    pub fn score(&self, images: &[f32]) -> (Scores, Judged) {
        let judged = self.classifier.judge(images, &self.device);
        (Scores::of(&self.reference, &judged), judged)
    }

    /// Indices of the `k` reference digits closest to `features` in the judge's feature space.
    pub fn nearest_real(&self, features: &[f32], k: usize) -> Vec<usize> {
        let mut distances: Vec<(f32, usize)> = self
            .real
            .features
            .chunks_exact(classifier::FEATURES)
            .enumerate()
            .map(|(i, row)| {
                let d: f32 = row
                    .iter()
                    .zip(features)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                (d, i)
            })
            .collect();
        distances.sort_by(|a, b| a.0.total_cmp(&b.0));
        distances.into_iter().take(k).map(|(_, i)| i).collect()
    }
}

/// How a judge was obtained, for the user.
pub enum Provenance {
    /// The judge shipped in the binary (see [`bundled`]).
    Bundled,
    Cached(PathBuf),
    /// Trained now; `saved` to the path, or not (no cache dir, or too inaccurate). `replaced`
    /// says what was wrong with a damaged cached judge, if one was found.
    Trained {
        saved: Option<PathBuf>,
        replaced: Option<String>,
    },
}

/// Digits held out of the judge's training to measure its accuracy.
pub fn held_out_count(digits: usize) -> usize {
    (digits / 5).clamp(1000.min(digits / 2), 5000)
}

/// The judge of `dataset`: the bundled one where one ships for its kind, else as
/// [`obtain_trained`] finds or trains it.
pub fn obtain<B: AutodiffBackend>(
    dataset: &Dataset,
    cache_dir: Option<&Path>,
    device: &B::Device,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Judge<B::InnerBackend>, Provenance), JudgeError> {
    match bundled::for_dataset::<B::InnerBackend>(dataset.kind, device)? {
        Some((model, info)) => Ok((
            with_reference(model, info, dataset, device),
            Provenance::Bundled,
        )),
        None => obtain_trained::<B>(dataset, cache_dir, device, progress),
    }
}

/// The judge trained on `dataset` itself: from `cache_dir` when one was trained on exactly this
/// data, else trained now (a random `held_out_count` digits held out) and cached if accurate
/// enough.
pub fn obtain_trained<B: AutodiffBackend>(
    dataset: &Dataset,
    cache_dir: Option<&Path>,
    device: &B::Device,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Judge<B::InnerBackend>, Provenance), JudgeError> {
    let checksum = cache::dataset_checksum(dataset);
    let cache_file = cache_dir.map(|dir| cache::cache_path(dir, &checksum));
    // A damaged cache is replaced, not fatal: the judge can always be trained again.
    let (cached, replaced) = match &cache_file {
        Some(path) => match cache::load::<B::InnerBackend>(path, device) {
            Ok(cached) => (cached, None),
            Err(damaged @ JudgeError::Damaged { .. }) => (None, Some(damaged.to_string())),
            Err(err) => return Err(err),
        },
        None => (None, None),
    };
    let (model, info, provenance) = match cached {
        Some((model, info)) if info.dataset_checksum == checksum => {
            let path = cache_file.clone().expect("loaded from it");
            (model, info, Provenance::Cached(path))
        }
        _ => {
            let held_out = held_out_count(dataset.len());
            let split = dataset.len() - held_out;
            let pixels = dataset.normalized_pixels();
            // A seeded random split: held-out digits drawn like the training ones.
            let mut order: Vec<usize> = (0..dataset.len()).collect();
            order.shuffle(&mut latent::rng_for(0, Stream::Shuffle, u64::MAX));
            let gather = |indices: &[usize]| -> (Vec<f32>, Vec<u8>) {
                let pixels = indices
                    .iter()
                    .flat_map(|&i| &pixels[i * IMAGE_PIXELS..(i + 1) * IMAGE_PIXELS])
                    .copied()
                    .collect();
                (pixels, indices.iter().map(|&i| dataset.labels[i]).collect())
            };
            let (train_pixels, train_labels) = gather(&order[..split]);
            let (test_pixels, test_labels) = gather(&order[split..]);
            let train = Labelled {
                pixels: &train_pixels,
                labels: &train_labels,
            };
            let test = Labelled {
                pixels: &test_pixels,
                labels: &test_labels,
            };
            let schedule = Schedule::for_digits(train.len());
            let (model, mut info) =
                train_and_test::<B>(&schedule, &train, &test, checksum, device, progress);
            let saved = match &cache_file {
                Some(path) if info.accuracy >= classifier::MIN_ACCURACY => {
                    cache::save(&model, &mut info, path)?;
                    Some(path.clone())
                }
                _ => None,
            };
            (model, info, Provenance::Trained { saved, replaced })
        }
    };
    Ok((with_reference(model, info, dataset, device), provenance))
}

/// A judge trained on every digit of `train` (for `epochs`, or as many as its size calls for),
/// its accuracy measured on all of `test`: what `ganimate classifier --out` writes, and what
/// [`bundled`] ships for MNIST.
pub fn train_on_split<B: AutodiffBackend>(
    train: &Dataset,
    test: &Dataset,
    epochs: Option<usize>,
    device: &B::Device,
    progress: &mut dyn FnMut(usize, usize),
) -> (Classifier<B::InnerBackend>, JudgeInfo) {
    let (train_pixels, test_pixels) = (train.normalized_pixels(), test.normalized_pixels());
    let checksum = cache::dataset_checksum(train);
    let mut schedule = Schedule::for_digits(train.len());
    schedule.epochs = epochs.unwrap_or(schedule.epochs);
    train_and_test::<B>(
        &schedule,
        &Labelled {
            pixels: &train_pixels,
            labels: &train.labels,
        },
        &Labelled {
            pixels: &test_pixels,
            labels: &test.labels,
        },
        checksum,
        device,
        progress,
    )
}

fn train_and_test<B: AutodiffBackend>(
    schedule: &Schedule,
    train: &Labelled,
    test: &Labelled,
    dataset_checksum: String,
    device: &B::Device,
    progress: &mut dyn FnMut(usize, usize),
) -> (Classifier<B::InnerBackend>, JudgeInfo) {
    let model = classifier::train::<B>(train, schedule, device, progress);
    let info = JudgeInfo {
        version: classifier::VERSION,
        dataset_checksum,
        trained_on: train.len(),
        held_out: test.len(),
        accuracy: classifier::accuracy(&model, test, device),
        weights_md5: String::new(),
    };
    (model, info)
}

/// `model` ready to judge, with `dataset`'s real digits as the reference.
fn with_reference<B: Backend>(
    model: Classifier<B>,
    info: JudgeInfo,
    dataset: &Dataset,
    device: &B::Device,
) -> Judge<B> {
    // Only the reference digits: the whole training split would be ~190 MB of floats.
    let real_pixels = dataset.first_normalized(REFERENCE_DIGITS);
    let real = model.judge(&real_pixels, device);
    Judge {
        reference: Reference::new(&real, &real_pixels),
        classifier: model,
        info,
        real,
        real_pixels,
        device: device.clone(),
    }
}
