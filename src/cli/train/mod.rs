//! `ganimate train`: headless training with checkpoints and progress frames, a front over the
//! guarded loop ([`GuardedRun`]) that the app runs too.

pub(super) mod frames;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;

use self::frames::Frames;
use super::{DataArgs, Outcome};
use crate::backend::{BackendChoice, CpuBackend, GpuBackend, Resolved};
use crate::data::Dataset;
use crate::gan::training::run::GuardedRun;
use crate::gan::{
    LossKind, Preset, RealImages, StepMode, StepValues, TrainConfig, Trainer, checkpoint,
};
use crate::judge::detect::Lang;
use crate::judge::watch::Watch;

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
/// Steps between read-backs of the statistics: each one waits for the GPU.
const STATS_EVERY: u64 = 20;

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
    let data = RealImages::<B>::new(dataset.normalized_pixels(), device);
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

/// One run of the guarded loop, as `train` and `toy train` hand it over.
pub(super) struct Loop<'a, B: AutodiffBackend> {
    pub(super) trainer: Trainer<B>,
    pub(super) data: RealImages<B>,
    /// Train until this many generator steps in total.
    pub(super) target: u64,
    pub(super) out: &'a Path,
    pub(super) save_every: u64,
    /// The digits' progress frames, and every how many steps they are drawn.
    pub(super) frames: Option<(Frames<B>, u64)>,
    pub(super) lang: Lang,
}

/// Trains to the target behind the divergence guard, with the lessons' watch, a progress bar,
/// checkpoints every `save_every` steps and on Ctrl-C, and the frames where there are any.
pub(super) fn run_loop<B: AutodiffBackend>(plan: Loop<'_, B>) -> anyhow::Result<Outcome> {
    let Loop {
        trainer,
        data,
        target,
        out,
        save_every,
        mut frames,
        lang,
    } = plan;
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupted.clone();
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
            .context("cannot install the Ctrl-C handler")?;
    }
    let start_step = trainer.step_count();
    let bar = super::progress::training_bar(start_step, target.max(start_step));
    let started = Instant::now();
    if let Some((frames, _)) = frames.as_mut() {
        frames.write(&trainer, start_step == 0)?;
    }
    let finish_frames = |frames: Option<(Frames<B>, u64)>| match frames {
        Some((frames, every)) => frames.finish(every),
        None => Ok(()),
    };
    let mut last: Option<StepValues> = None;
    let loss = trainer.config().loss;
    let mut run = GuardedRun::new(trainer).watched_by(Watch::new(loss, lang));
    while run.trainer().step_count() < target {
        if interrupted.load(Ordering::SeqCst) {
            bar.abandon();
            let (saved, reviewed) = run.save(out)?;
            reviewed.remarks.iter().for_each(|line| eprintln!("{line}"));
            if let Some(divergence) = reviewed.divergence {
                eprintln!("{divergence}");
            }
            eprintln!(
                "interrupted at step {}: checkpoint saved to {}; continue with --resume",
                run.trainer().step_count(),
                saved.display()
            );
            finish_frames(frames)?;
            return Ok(Outcome::Interrupted);
        }
        run.step(StepMode::Both, &data);
        let step = run.trainer().step_count();
        bar.set_position(step);
        let saving = step % save_every == 0 && step < target;
        if step % STATS_EVERY == 0 || step == target || saving {
            // One read-back for every step since the last; checked before anything is saved.
            let reviewed = run.review();
            for line in &reviewed.remarks {
                bar.suspend(|| eprintln!("{line}"));
            }
            if let Some(divergence) = reviewed.divergence {
                bar.abandon();
                let saved = run.save_reviewed(out)?;
                finish_frames(frames)?;
                bail!(
                    "{divergence}, saved as {}. Resume from there with lower learning rates \
                     (--resume --lr-g … --lr-d …)",
                    saved.display()
                );
            }
            if let Some(values) = reviewed.values.last() {
                let rate = real_images_seen(run.trainer(), start_step) as f64
                    / started.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(progress_message(
                    values,
                    run.trainer().epoch(data.len()),
                    rate,
                ));
                last = Some(*values);
            }
        }
        if let Some((frames, every)) = frames.as_mut()
            && step % *every == 0
        {
            frames.write(run.trainer(), true)?;
        }
        if saving {
            let saved = run.save_reviewed(out)?;
            if bar.is_hidden() {
                eprintln!("step {step}/{target}: checkpoint {}", saved.display());
            }
        }
    }
    bar.finish();
    let saved = run.save_reviewed(out)?;
    let frames_folder = frames
        .as_ref()
        .map(|(frames, _)| frames.folder().to_path_buf());
    finish_frames(frames)?;
    let trainer = run.trainer();
    let elapsed = started.elapsed().as_secs_f64();
    let trained = trainer.step_count() - start_step;
    let samples = real_images_seen(trainer, start_step);
    eprintln!(
        "trained {trained} steps in {elapsed:.1} s ({:.0} samples/s); checkpoint: {}{}",
        samples as f64 / elapsed.max(1e-9),
        saved.display(),
        frames_folder.map_or(String::new(), |folder| format!(
            "; frames: {}",
            folder.display()
        ))
    );
    if let Some(values) = last {
        println!(
            "step {} · D loss {:.4} · G loss {:.4} · D(x) {:.3} · D(G(z)) {:.3}",
            values.step, values.d_loss, values.g_loss, values.d_real, values.d_fake
        );
    }
    Ok(Outcome::Done)
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

/// The progress bar's line: where training is, and how fast.
fn progress_message(values: &StepValues, epoch: f64, samples_per_s: f64) -> String {
    format!(
        "epoch {epoch:.2} · D {:.3} · G {:.3} · D(x) {:.2} · D(G(z)) {:.2} · {samples_per_s:.0} \
         samples/s",
        values.d_loss, values.g_loss, values.d_real, values.d_fake
    )
}

/// Real images D has consumed since `start_step`: what "samples/s" counts.
fn real_images_seen<B: AutodiffBackend>(trainer: &Trainer<B>, start_step: u64) -> u64 {
    let per_step = trainer.config().batch_size * trainer.config().d_steps;
    (trainer.step_count() - start_step) * per_step as u64
}
