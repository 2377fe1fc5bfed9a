//! `ganimate bench --quality`: trains each preset and prints the judge's figures at intervals,
//! with the test split's own digits as the ceiling.

use burn::prelude::Backend;
use burn::tensor::backend::AutodiffBackend;

use crate::backend::{BackendChoice, CpuBackend, GpuBackend, Resolved};
use crate::cli::DataArgs;
use crate::cli::judge::{asked_classes, generate, obtain};
use crate::data::Dataset;
use crate::data::source::DataError;
use crate::gan::{Preset, Truncation};
use crate::judge::Judge;
use crate::judge::detect::{self, Lang, Level};
use crate::judge::metrics::{Scores, class_agreement};

/// `ganimate bench --quality`: trains a preset and prints the judge's figures at intervals.
/// Every preset, or only `preset`; without a GPU the slow ones only when named.
pub(super) fn run(
    data: &DataArgs,
    preset: Option<Preset>,
    run: QualityRun,
    backend: BackendChoice,
) -> anyhow::Result<()> {
    let dataset = crate::cli::load_dataset(data)?;
    let resolved = crate::cli::resolve_backend(backend);
    let presets: Vec<Preset> = match preset {
        Some(preset) => vec![preset],
        None => <Preset as clap::ValueEnum>::value_variants()
            .iter()
            .copied()
            .filter(|preset| {
                let slowdown = preset.cpu_slowdown().filter(|_| resolved.without_gpu());
                if let Some(slowdown) = slowdown {
                    println!(
                        "{preset}: skipped without a GPU ({slowdown}); --preset {preset} runs it"
                    );
                }
                slowdown.is_none()
            })
            .collect(),
    };
    match resolved {
        Resolved::Gpu { .. } => bench_quality_on::<GpuBackend>(&dataset, &presets, run, &resolved),
        Resolved::Cpu { .. } => bench_quality_on::<CpuBackend>(&dataset, &presets, run, &resolved),
    }
}

/// Length, scoring interval and seed of the quality benchmark's runs.
#[derive(Debug, Clone, Copy)]
pub(super) struct QualityRun {
    pub steps: u64,
    pub every: u64,
    pub seed: u64,
}

fn bench_quality_on<B: AutodiffBackend>(
    dataset: &Dataset,
    presets: &[Preset],
    run: QualityRun,
    resolved: &Resolved,
) -> anyhow::Result<()> {
    let device = Default::default();
    let judge = obtain::<B>(dataset, &device)?;
    let real = crate::gan::RealImages::<B>::new(dataset.normalized_pixels(), &device)
        .with_labels(&dataset.labels, crate::gan::model::classes::DIGIT_CLASSES);
    println!(
        "{:<8} {:>7} {:>7} {:>8} {:>9} {:>9} {:>7}   (judge {:.2} % accurate; {} samples each; {})",
        "preset",
        "step",
        "IS",
        "FD",
        "min class",
        "diversity",
        "time",
        judge.info.accuracy * 100.0,
        QUALITY_SAMPLES,
        resolved.describe()
    );
    match real_test_digits(dataset)? {
        Some(digits) => {
            print_quality_row(
                &judge,
                "real",
                "test",
                &digits,
                "",
                "the test split's digits",
                None,
            );
        }
        None => println!("real: no test split beside the training split to score"),
    }
    for &preset in presets {
        let config = crate::gan::TrainConfig {
            dataset: dataset.kind,
            preset,
            seed: run.seed,
            ..Default::default()
        };
        let started = std::time::Instant::now();
        let mut trainer = crate::gan::Trainer::<B>::new(config, &device);
        let mut milestones = IS_MILESTONES.map(|_| None);
        while trainer.step_count() < run.steps {
            trainer.step(&real);
            let step = trainer.step_count();
            if step.is_multiple_of(run.every) || step == run.steps {
                let generator = trainer.generator();
                let images = generate(
                    &generator,
                    run.seed,
                    QUALITY_SAMPLES,
                    Truncation::NONE,
                    &device,
                );
                let seconds = started.elapsed().as_secs_f64();
                let asked = asked_classes(&generator, QUALITY_SAMPLES);
                let scores = print_quality_row(
                    &judge,
                    preset.name(),
                    &step.to_string(),
                    &images,
                    &format!("{seconds:.0}s"),
                    "",
                    asked.as_deref(),
                );
                for (milestone, threshold) in milestones.iter_mut().zip(IS_MILESTONES) {
                    if milestone.is_none() && scores.inception_score >= threshold {
                        *milestone = Some((step, seconds));
                    }
                }
            }
        }
        for (milestone, threshold) in milestones.into_iter().zip(IS_MILESTONES) {
            match milestone {
                Some((step, seconds)) => println!(
                    "{}: IS ≥ {threshold:.1} first at step {step}, {seconds:.0} s",
                    preset.name()
                ),
                None => println!(
                    "{}: IS below {threshold:.1} through step {}",
                    preset.name(),
                    run.steps
                ),
            }
        }
    }
    Ok(())
}

/// The Inception Scores whose first crossings the quality benchmark reports: the time to
/// usable digits, and to the digits a conditional G aims at.
const IS_MILESTONES: [f64; 2] = [8.0, 9.0];

/// The first [`QUALITY_SAMPLES`] digits of the test split beside `dataset` (in [-1, 1]): digits a
/// bundled judge never saw, so their scores are the ceiling generated digits aim at. Where
/// `dataset` is the test split itself, they are also in the FD's reference. `None` where the
/// folder holds no test split.
fn real_test_digits(dataset: &Dataset) -> anyhow::Result<Option<Vec<f32>>> {
    if dataset.split == crate::data::Split::Test {
        return Ok(Some(dataset.first_normalized(QUALITY_SAMPLES)));
    }
    match crate::data::source::load_test_split(dataset.folder(), dataset.kind) {
        Ok(test) => Ok(Some(test.first_normalized(QUALITY_SAMPLES))),
        Err(DataError::NoFiles { .. }) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Scores `images` and prints them as one row of the quality table; returns the scores.
/// `asked` holds the class each image was asked to be, for a conditional preset.
fn print_quality_row<B: Backend>(
    judge: &Judge<B>,
    label: &str,
    step: &str,
    images: &[f32],
    time: &str,
    note: &str,
    asked: Option<&[u8]>,
) -> Scores {
    let (scores, judged) = judge.score(images);
    let diversity = judge.reference.diversity_ratio(images);
    let collapse = detect::mode_collapse(Some(&scores), Some(diversity), Lang::En);
    let mut note = if collapse.level == Level::Warning {
        format!("collapse: {}", collapse.headline)
    } else {
        note.to_string()
    };
    if let Some(asked) = asked {
        let agreement = class_agreement(&judged, asked) * 100.0;
        note = format!("class agreement {agreement:.1} % {note}");
    }
    println!(
        "{label:<8} {step:>7} {:>7.2} {:>8.2} {:>8.1}% {diversity:>9.2} {time:>7}   {note}",
        scores.inception_score,
        scores.frechet_distance,
        scores.smallest_share() * 100.0,
    );
    scores
}

/// Samples scored at each benchmark interval.
const QUALITY_SAMPLES: usize = 5_000;
