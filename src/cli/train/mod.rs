//! `ganimate train`: headless training with checkpoints and progress frames, a front over the
//! guarded loop ([`GuardedRun`]) that the app runs too.

pub(super) mod frames;
mod guarded_loop;

pub(in crate::cli) use self::guarded_loop::{Loop, run_loop};

use std::path::{Path, PathBuf};

use anyhow::bail;
use burn::tensor::backend::AutodiffBackend;
use clap::Args;

use self::frames::Frames;
use super::{DataArgs, Outcome};
use crate::backend::{BackendChoice, CpuBackend, GpuBackend, Resolved};
use crate::data::Dataset;
use crate::gan::model::classes::DIGIT_CLASSES;
use crate::gan::{LossKind, Preset, RealImages, TrainConfig, Trainer, checkpoint};
use crate::judge::detect::Lang;

#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Network architecture [default: stable]
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// Adversarial loss [default: non-saturating]
    #[arg(long, value_enum)]
    loss: Option<LossKind>,
    /// Train until this many generator steps in total [default: 10000]
    #[arg(long, conflicts_with = "epochs")]
    steps: Option<u64>,
    /// Train until D has seen the dataset this many times in total
    #[arg(long)]
    epochs: Option<f64>,
    /// Images per batch [default: 64]
    #[arg(long)]
    batch_size: Option<usize>,
    /// Generator learning rate [default: 0.0002]
    #[arg(long)]
    lr_g: Option<f64>,
    /// Discriminator learning rate [default: 0.0002]
    #[arg(long)]
    lr_d: Option<f64>,
    /// Discriminator steps per generator step [default: 1]
    #[arg(long)]
    d_steps: Option<usize>,
    /// R1 penalty γ on D's gradient at real digits (0 to 100; a resumed run keeps its own)
    #[arg(long, value_name = "GAMMA", allow_negative_numbers = true)]
    r1: Option<f64>,
    /// Where to train
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    backend: BackendChoice,
    /// Seed for initialisation, batches and noise [default: 42]
    #[arg(long)]
    seed: Option<u64>,
    /// Run folder: checkpoints and samples/ go here
    #[arg(long, value_name = "DIR", default_value = "runs/latest")]
    out: PathBuf,
    /// Continue the checkpoint in --out
    #[arg(long)]
    resume: bool,
    /// Save a checkpoint every N steps (and always at the end or on Ctrl-C)
    #[arg(long, default_value_t = 1000, value_name = "N")]
    save_every: u64,
    /// Write a PNG grid of fixed-noise digits every N steps (0: never)
    #[arg(long, default_value_t = 500, value_name = "N")]
    sample_every: u64,
    /// Also write those grids as a time-lapse video: .mp4 (ffmpeg), .gif, or a folder of PNGs
    #[arg(long, value_name = "PATH")]
    video: Option<PathBuf>,
    /// Language of the failure detectors' warnings
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
}

const DEFAULT_STEPS: u64 = 10_000;

pub fn run(args: TrainArgs) -> anyhow::Result<Outcome> {
    if args.save_every == 0 {
        bail!("--save-every must be at least 1");
    }
    if args.video.is_some() && args.sample_every == 0 {
        bail!("--video records one frame every --sample-every steps: give it a value above 0");
    }
    if let Some(epochs) = args.epochs
        && !(epochs.is_finite() && epochs > 0.0)
    {
        bail!("--epochs must be a positive number, got {epochs}");
    }
    check_resume(&args.out, args.resume)?;
    let resolved = super::resolve_backend(args.backend);
    match &resolved {
        Resolved::Gpu { adapter, software } => {
            eprintln!(
                "backend: gpu ({adapter}{})",
                if *software {
                    ", software adapter: slow"
                } else {
                    ""
                }
            );
            train::<GpuBackend>(&args, &resolved, &Default::default())
        }
        Resolved::Cpu { .. } => {
            eprintln!("backend: {}", Resolved::Cpu { reason: None }.describe());
            crate::backend::on_cpu_pool(|| {
                train::<CpuBackend>(&args, &resolved, &Default::default())
            })
        }
    }
}

/// Whether `out` holds a run to continue, checked against `--resume`: a run is never continued
/// without it, nor started over one.
pub(super) fn check_resume(out: &Path, resume: bool) -> anyhow::Result<bool> {
    let resuming = checkpoint::exists(out);
    if resume && !resuming {
        bail!(
            "--resume: {} holds no checkpoint to continue",
            out.display()
        );
    }
    if !resume && resuming {
        bail!(
            "{} already holds a checkpoint: pass --resume to continue it, or choose another --out",
            out.display()
        );
    }
    Ok(resuming)
}

/// The run's configuration: the checkpoint's when resuming, with live-changeable overrides.
fn config_for(args: &TrainArgs, resumed: Option<&TrainConfig>) -> anyhow::Result<TrainConfig> {
    let Some(saved) = resumed else {
        let defaults = TrainConfig::default();
        let config = TrainConfig {
            dataset: args.data.dataset,
            preset: args.preset.unwrap_or(defaults.preset),
            loss: args.loss.unwrap_or(defaults.loss),
            batch_size: args.batch_size.unwrap_or(defaults.batch_size),
            lr_g: args.lr_g.unwrap_or(defaults.lr_g),
            lr_d: args.lr_d.unwrap_or(defaults.lr_d),
            d_steps: args.d_steps.unwrap_or(defaults.d_steps),
            seed: args.seed.unwrap_or(defaults.seed),
            r1_gamma: args.r1.unwrap_or(defaults.r1_gamma),
            ..defaults
        };
        config.validate().map_err(anyhow::Error::msg)?;
        return Ok(config);
    };
    let fixed = [
        (
            "--preset",
            args.preset.map(|p| p.to_string()),
            saved.preset.to_string(),
        ),
        (
            "--loss",
            args.loss.map(|l| l.to_string()),
            saved.loss.to_string(),
        ),
        (
            "--batch-size",
            args.batch_size.map(|b| b.to_string()),
            saved.batch_size.to_string(),
        ),
        (
            "--seed",
            args.seed.map(|s| s.to_string()),
            saved.seed.to_string(),
        ),
        (
            "--r1",
            args.r1.map(|g| g.to_string()),
            saved.r1_gamma.to_string(),
        ),
        (
            "--dataset",
            Some(args.data.dataset.to_string()),
            saved.dataset.to_string(),
        ),
    ];
    for (flag, given, was) in fixed {
        if let Some(given) = given
            && given != was
        {
            bail!("{flag} {given}: the checkpoint was trained with {was}; a resumed run keeps it");
        }
    }
    let config = TrainConfig {
        lr_g: args.lr_g.unwrap_or(saved.lr_g),
        lr_d: args.lr_d.unwrap_or(saved.lr_d),
        d_steps: args.d_steps.unwrap_or(saved.d_steps),
        ..saved.clone()
    };
    config.validate().map_err(anyhow::Error::msg)?;
    Ok(config)
}

fn target_steps(args: &TrainArgs, config: &TrainConfig, dataset: &Dataset) -> u64 {
    match (args.steps, args.epochs) {
        (Some(steps), _) => steps,
        (None, Some(epochs)) => {
            let per_step = (config.batch_size * config.d_steps) as f64;
            (epochs * dataset.len() as f64 / per_step).ceil() as u64
        }
        (None, None) => DEFAULT_STEPS,
    }
}

fn train<B: AutodiffBackend>(
    args: &TrainArgs,
    resolved: &Resolved,
    device: &B::Device,
) -> anyhow::Result<Outcome> {
    let trainer = open_trainer::<B>(args, device)?;
    let config = trainer.config().clone();
    let dataset = super::load_dataset(&DataArgs {
        dataset: config.dataset,
        ..args.data.clone()
    })?;
    if dataset.len() < config.batch_size {
        bail!(
            "{}: {} images, fewer than one batch of {}",
            dataset.images_path.display(),
            dataset.len(),
            config.batch_size
        );
    }
    let target = target_steps(args, &config, &dataset);
    let data = RealImages::<B>::new(dataset.normalized_pixels(), device)
        .with_labels(&dataset.labels, DIGIT_CLASSES);
    announce(args, &config, resolved);
    let frames = Frames::open(&trainer, &args.out, args.video.as_deref(), device)?;
    run_loop(Loop {
        trainer,
        data,
        target,
        out: &args.out,
        save_every: args.save_every,
        frames: (args.sample_every > 0).then_some((frames, args.sample_every)),
        lang: args.lang,
    })
}

/// The run's trainer: `--out`'s checkpoint with `--resume` (with any learning rates and D
/// steps given now), else fresh networks from the options.
fn open_trainer<B: AutodiffBackend>(
    args: &TrainArgs,
    device: &B::Device,
) -> anyhow::Result<Trainer<B>> {
    if !args.resume {
        return Ok(Trainer::<B>::new(config_for(args, None)?, device));
    }
    let mut trainer = checkpoint::load_trainer::<B>(&args.out, device)?;
    let config = config_for(args, Some(trainer.config()))?;
    resumed(&mut trainer, &config, &args.out);
    Ok(trainer)
}

/// Gives a resumed run the settings that change live (learning rates, D steps) and says where
/// it continues.
pub(super) fn resumed<B: AutodiffBackend>(
    trainer: &mut Trainer<B>,
    config: &TrainConfig,
    out: &Path,
) {
    trainer.set_learning_rates(config.lr_g, config.lr_d);
    trainer.set_d_steps(config.d_steps);
    eprintln!(
        "resuming {} at step {}",
        out.display(),
        trainer.step_count()
    );
}

/// Says what is about to train, and warns where the preset is slow on this backend.
fn announce(args: &TrainArgs, config: &TrainConfig, resolved: &Resolved) {
    eprintln!(
        "training {} preset, {} loss, batch {}, {} D step(s) per G step, seed {} → {}",
        config.preset,
        config.loss,
        config.batch_size,
        config.d_steps,
        config.seed,
        args.out.display()
    );
    if let Some(slowdown) = config
        .preset
        .cpu_slowdown()
        .filter(|_| resolved.without_gpu())
    {
        eprintln!(
            "note: the {} preset is made for a GPU; {slowdown}",
            config.preset
        );
    }
}
