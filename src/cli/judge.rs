//! `ganimate classifier` (train or find the judge of a dataset) and `ganimate eval` (score a
//! checkpoint's digits with it), plus the quality benchmark `ganimate bench --quality`.

use std::path::PathBuf;

use anyhow::Context;
use burn::prelude::Backend;
use burn::tensor::backend::AutodiffBackend;
use clap::Args;

use super::DataArgs;
use crate::backend::{BackendChoice, CpuBackend, GpuBackend, Resolved};
use crate::data::Dataset;
use crate::data::source::DataError;
use crate::gan::{Truncation, checkpoint, sample};
use crate::judge::detect::{self, Lang, Level};
use crate::judge::metrics::{Scores, class_agreement};
use crate::judge::{self, Judge, Provenance, cache, classifier};

#[derive(Args)]
pub struct ClassifierArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Where to run the training
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    backend: BackendChoice,
    /// Train on the whole training split, measure on the test split beside it, and write the
    /// judge to this folder (how `assets/judge` is made) instead of the cache
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Epochs of training with --out [default: about 1,500 batches, at least 3 epochs]
    #[arg(long, requires = "out", value_parser = clap::value_parser!(u16).range(1..=100))]
    epochs: Option<u16>,
}

#[derive(Args)]
pub struct EvalArgs {
    /// A run folder written by `ganimate train --out`, or one checkpoint folder in it
    #[arg(long, value_name = "DIR")]
    checkpoint: PathBuf,
    /// Generated digits to score
    #[arg(long, default_value_t = 10_000)]
    n: usize,
    /// Noise seed [default: the run's seed]
    #[arg(long)]
    seed: Option<u64>,
    /// Truncation ψ of the noise the digits are drawn from (0 < ψ ≤ 2; 1: none)
    #[arg(long, value_name = "PSI", default_value = "1", allow_negative_numbers = true, value_parser = Truncation::parse)]
    truncation: Truncation,
    /// Print one JSON object instead of text
    #[arg(long)]
    json: bool,
    /// Language of the lessons
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
    /// Folder of the dataset the judge is trained on (default: as for `train`)
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Never download the dataset
    #[arg(long)]
    offline: bool,
    #[arg(long, value_enum, default_value_t = BackendChoice::Cpu)]
    backend: BackendChoice,
}

pub fn run_classifier(args: ClassifierArgs) -> anyhow::Result<()> {
    let dataset = super::load_dataset(&args.data)?;
    if let Some(out) = &args.out {
        let epochs = args.epochs.map(usize::from);
        return match super::resolve_backend(args.backend) {
            Resolved::Gpu { .. } => {
                write_judge::<GpuBackend>(&dataset, out, epochs, &Default::default())
            }
            Resolved::Cpu { .. } => {
                write_judge::<CpuBackend>(&dataset, out, epochs, &Default::default())
            }
        };
    }
    let info = match super::resolve_backend(args.backend) {
        Resolved::Gpu { .. } => {
            obtain_with::<GpuBackend>(&dataset, &Default::default(), false)?.info
        }
        Resolved::Cpu { .. } => {
            obtain_with::<CpuBackend>(&dataset, &Default::default(), false)?.info
        }
    };
    println!(
        "judge: {:.2} % of {} held-out digits right (trained on {})",
        info.accuracy * 100.0,
        info.held_out,
        info.trained_on
    );
    Ok(())
}

/// Trains a judge on `dataset` (a training split) and writes it to `out`, measured on the test
/// split in the same folder.
fn write_judge<B: AutodiffBackend>(
    dataset: &Dataset,
    out: &std::path::Path,
    epochs: Option<usize>,
    device: &B::Device,
) -> anyhow::Result<()> {
    let folder = dataset.folder();
    if dataset.split != crate::data::Split::Train {
        anyhow::bail!(
            "{}: --out needs the training split to train on and the test split to measure on; only the test split is here",
            folder.display()
        );
    }
    let test = crate::data::source::load_test_split(folder, dataset.kind)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let bar = super::progress::count_bar(0, "training the judge");
    let (model, mut info) =
        judge::train_on_split::<B>(dataset, &test, epochs, device, &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        });
    bar.finish_and_clear();
    let path = out.join(format!("{}.mpk", dataset.kind.name()));
    cache::save(&model, &mut info, &path)?;
    println!(
        "judge: {:.2} % of {} test digits right (trained on {}); wrote {}",
        info.accuracy * 100.0,
        info.held_out,
        info.trained_on,
        path.display()
    );
    Ok(())
}

/// The dataset's judge: bundled, cached, or trained now with a progress bar; says which.
pub(super) fn obtain<B: AutodiffBackend>(
    dataset: &Dataset,
    device: &B::Device,
) -> anyhow::Result<Judge<B::InnerBackend>> {
    obtain_with::<B>(dataset, device, true)
}

/// As [`obtain`]; `bundled_first: false` skips the bundled judge, for `ganimate classifier`,
/// whose job is the judge trained on the data.
fn obtain_with<B: AutodiffBackend>(
    dataset: &Dataset,
    device: &B::Device,
    bundled_first: bool,
) -> anyhow::Result<Judge<B::InnerBackend>> {
    let cache = crate::data::source::cache_dir(dataset.kind);
    let bar = super::progress::count_bar(0, "training the judge");
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let find = if bundled_first {
        judge::obtain::<B>
    } else {
        judge::obtain_trained::<B>
    };
    let (judge, provenance) = find(dataset, cache.as_deref(), device, &mut progress)?;
    bar.finish_and_clear();
    if let Provenance::Trained {
        replaced: Some(problem),
        ..
    } = &provenance
    {
        eprintln!("warning: {problem}: trained a new judge instead");
    }
    match provenance {
        Provenance::Bundled => eprintln!(
            "judge: the bundled one ({:.2} % of {} test digits right)",
            judge.info.accuracy * 100.0,
            judge.info.held_out
        ),
        Provenance::Cached(path) => eprintln!("judge: cached {}", path.display()),
        Provenance::Trained {
            saved: Some(path), ..
        } => eprintln!("judge: trained, saved {}", path.display()),
        Provenance::Trained { saved: None, .. }
            if judge.info.accuracy < classifier::MIN_ACCURACY =>
        {
            eprintln!(
                "warning: the judge reached only {:.2} % on held-out digits (needs {:.1} %): not \
             cached, and its figures are rough. More training digits help (the training split).",
                judge.info.accuracy * 100.0,
                classifier::MIN_ACCURACY * 100.0
            )
        }
        Provenance::Trained { saved: None, .. } => {
            eprintln!("judge: trained (no cache folder to keep it in)")
        }
    }
    Ok(judge)
}

/// What `eval` prints with `--json`.
#[derive(serde::Serialize)]
struct Report {
    checkpoint: PathBuf,
    step: u64,
    truncation: f32,
    /// Its Fréchet distance is null (NaN) without real digits to compare with.
    #[serde(flatten)]
    scores: Scores,
    /// Mean pairwise distance of 64 fixed-noise digits over that of 64 real ones; null without
    /// real digits.
    diversity: Option<f64>,
    judge_accuracy: f64,
    mode_collapse: bool,
    /// A conditional checkpoint's share of digits the judge reads as the class asked; absent
    /// for an unconditional one.
    #[serde(skip_serializing_if = "Option::is_none")]
    class_agreement: Option<f64>,
}

pub fn run_eval(args: EvalArgs) -> anyhow::Result<()> {
    if args.n < 2 || args.n > 100_000 {
        anyhow::bail!("--n must be between 2 and 100000, got {}", args.n);
    }
    // Read the checkpoint first: a wrong path should fail before any training.
    let (_, manifest) = checkpoint::read_manifest(&args.checkpoint)?;
    let data = DataArgs {
        data: args.data.clone(),
        dataset: manifest.config.dataset,
        offline: args.offline,
    };
    let dataset = match super::load_dataset(&data) {
        Ok(dataset) => Some(dataset),
        // No digits anywhere: the bundled judge still gives IS and the class histogram.
        Err(err)
            if args.data.is_none()
                && no_data_here(&err)
                && judge::bundled::ships_for(data.dataset) =>
        {
            eprintln!(
                "note: no {} digits on this machine: the Fréchet distance and the diversity \
                 need real digits (pass --data DIR); IS and the class histogram come from the \
                 bundled judge",
                data.dataset
            );
            None
        }
        Err(err) => return Err(err),
    };
    match super::resolve_backend(args.backend) {
        Resolved::Gpu { .. } => eval::<GpuBackend>(&args, dataset.as_ref(), &Default::default()),
        Resolved::Cpu { .. } => eval::<CpuBackend>(&args, dataset.as_ref(), &Default::default()),
    }
}

/// The dataset is nowhere and cannot be fetched (not: a folder given that is wrong).
fn no_data_here(err: &anyhow::Error) -> bool {
    matches!(
        err.downcast_ref::<DataError>(),
        Some(DataError::Offline { .. } | DataError::NoCacheDir)
    )
}

/// Scores the checkpoint's digits against `dataset`, or with the bundled judge alone where
/// there is none (no Fréchet distance nor diversity then: both compare with real digits).
fn eval<B: AutodiffBackend>(
    args: &EvalArgs,
    dataset: Option<&Dataset>,
    device: &B::Device,
) -> anyhow::Result<()> {
    let (generator, manifest) =
        checkpoint::load_generator::<B::InnerBackend>(&args.checkpoint, device)?;
    let seed = args.seed.unwrap_or(manifest.config.seed);
    let images = generate(&generator, seed, args.n, args.truncation, device);
    let (scores, judged, diversity, judge_accuracy) = match dataset {
        Some(dataset) => {
            let judge = obtain::<B>(dataset, device)?;
            let (scores, judged) = judge.score(&images);
            let diversity = judge.reference.diversity_ratio(&images);
            (scores, judged, Some(diversity), judge.info.accuracy)
        }
        None => {
            let (classifier, info) =
                judge::bundled::for_dataset::<B::InnerBackend>(manifest.config.dataset, device)?
                    .context("no bundled judge for this dataset")?;
            let judged = classifier.judge(&images, device);
            (
                Scores::without_reference(&judged),
                judged,
                None,
                info.accuracy,
            )
        }
    };
    let class_agreement =
        asked_classes(&generator, args.n).map(|asked| class_agreement(&judged, &asked));
    let collapse = detect::mode_collapse(Some(&scores), diversity, args.lang);
    if args.json {
        let report = Report {
            checkpoint: args.checkpoint.clone(),
            step: manifest.step,
            truncation: args.truncation.psi(),
            scores,
            diversity,
            judge_accuracy,
            mode_collapse: collapse.level == Level::Warning,
            class_agreement,
        };
        println!("{}", serde_json::to_string(&report).context("report")?);
        return Ok(());
    }
    let against_real = match diversity {
        Some(diversity) => format!(
            " · FD {:.2} · smallest class {:.1} % · diversity {diversity:.2}",
            scores.frechet_distance,
            scores.smallest_share() * 100.0
        ),
        None => format!(
            " · smallest class {:.1} % · FD needs real digits (--data)",
            scores.smallest_share() * 100.0
        ),
    };
    println!(
        "step {} · {} samples · truncation {} · IS {:.2}{against_real}",
        manifest.step, scores.samples, args.truncation, scores.inception_score,
    );
    let histogram: Vec<String> = scores
        .class_shares
        .iter()
        .enumerate()
        .map(|(digit, share)| format!("{digit}: {:.1} %", share * 100.0))
        .collect();
    println!("classes: {}", histogram.join(" · "));
    if let Some(agreement) = class_agreement {
        println!(
            "class agreement: {:.1} % of the digits read as the class asked (each class asked \
             for in turn)",
            agreement * 100.0
        );
    }
    println!(
        "{}: {}",
        detect::Detector::ModeCollapse.title(args.lang),
        collapse.headline
    );
    if !collapse.lesson.is_empty() {
        println!("  {}", collapse.lesson);
    }
    Ok(())
}

/// `n` generated digits (`n × 784` in [-1, 1]) from the sample stream of `seed`, scaled by
/// `truncation`.
pub(super) fn generate<B: Backend>(
    generator: &crate::gan::Generator<B>,
    seed: u64,
    n: usize,
    truncation: Truncation,
    device: &B::Device,
) -> Vec<f32> {
    let noise = truncation.apply(&sample::fixed_noise(seed, n, generator.latent_dim()));
    let asked = asked_classes(generator, n);
    sample::generate_asking(generator, &noise, asked.as_deref(), device)
}

/// The classes [`generate`] asks a conditional G for, each in turn (digit i is class i mod
/// 10); `None` for an unconditional G.
pub(super) fn asked_classes<B: Backend>(
    generator: &crate::gan::Generator<B>,
    n: usize,
) -> Option<Vec<u8>> {
    let classes = generator.classes();
    (classes > 0).then(|| crate::gan::model::classes::cycling_labels(n, classes))
}
