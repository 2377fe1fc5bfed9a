//! `ganimate toy train | sample | eval`: the toy lab from the command line. Training runs the
//! digits' guarded loop ([`super::train::run_loop`]) on 1D or 2D points.

use std::path::PathBuf;

use anyhow::{Context, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::{Args, Subcommand};

use super::Outcome;
use super::train::frames::Frames;
use super::train::{Loop, check_resume, resumed, run_loop};
use crate::backend::{BackendChoice, CpuBackend, GpuBackend, Resolved};
use crate::gan::{LossKind, Preset, RealImages, TrainConfig, Trainer, checkpoint};
use crate::judge::detect::Lang;
use crate::toy::{self, ToyData, measures};

/// Steps between two frames of `--video` when `--sample-every` is not given: the ring's modes
/// form in a few thousand steps, so this gives a time-lapse of some seconds.
const VIDEO_EVERY: u64 = 100;

#[derive(Args)]
pub struct ToyArgs {
    #[command(subcommand)]
    command: ToyCommand,
}

#[derive(Subcommand)]
enum ToyCommand {
    /// Train a GAN on 1D or 2D points, writing checkpoints to --out
    Train(ToyTrainArgs),
    /// Draw points from a toy checkpoint's generator, as CSV
    Sample(ToySampleArgs),
    /// Score a toy checkpoint: modes covered, high-quality share, reverse KL, KL and JS
    Eval(ToyEvalArgs),
}

#[derive(Args)]
struct ToyTrainArgs {
    /// The data: gaussian, mixture (1D); ring, grid, moons, spiral, line (2D); or a CSV file
    #[arg(long, default_value = "ring")]
    data: String,
    /// Networks: course (Linear+ReLU G, Linear+LeakyReLU D) or stable
    #[arg(long, value_enum, default_value_t = Preset::Stable)]
    preset: Preset,
    #[arg(long, value_enum, default_value_t = LossKind::NonSaturating)]
    loss: LossKind,
    /// Train until this many generator steps in total
    #[arg(long, default_value_t = 5_000)]
    steps: u64,
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    /// G's learning rate [default: 10⁻³]
    #[arg(long, value_name = "LR")]
    lr_g: Option<f64>,
    /// D's learning rate [default: stable 10⁻³, course 10⁻⁴]
    #[arg(long, value_name = "LR")]
    lr_d: Option<f64>,
    /// Discriminator steps per generator step
    #[arg(long, default_value_t = 1)]
    d_steps: usize,
    /// R1 penalty γ on D's gradient at real points (0 to 100) [default: stable 0.01, course 0]
    #[arg(long, value_name = "GAMMA")]
    r1: Option<f64>,
    /// Dimensions of G's noise z [default: as many as the points']
    #[arg(long, value_name = "N")]
    noise_dim: Option<usize>,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Where to train: networks this small train fastest on the CPU
    #[arg(long, value_enum, default_value_t = BackendChoice::Cpu)]
    backend: BackendChoice,
    /// Run folder for the checkpoints
    #[arg(long, value_name = "DIR", default_value = "runs/toy")]
    out: PathBuf,
    /// Continue the checkpoint in --out
    #[arg(long)]
    resume: bool,
    /// Save a checkpoint every N steps (and always at the end or on Ctrl-C)
    #[arg(long, default_value_t = 1000, value_name = "N")]
    save_every: u64,
    /// Write a PNG of the scene (D's landscape, the points, G's map) every N steps (0: never)
    #[arg(long, default_value_t = 0, value_name = "N")]
    sample_every: u64,
    /// Also write those pictures as a time-lapse video: .mp4 (ffmpeg), .gif, or a folder of
    /// PNGs; one every --sample-every steps (100 unless given)
    #[arg(long, value_name = "PATH")]
    video: Option<PathBuf>,
    /// Language of the failure detectors' warnings
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
}

#[derive(Args)]
struct ToySampleArgs {
    /// Toy checkpoint or run folder
    #[arg(long, value_name = "DIR")]
    checkpoint: PathBuf,
    #[arg(long, default_value_t = 2_500)]
    n: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// CSV file to write (`x` or `x,y` per line)
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Args)]
struct ToyEvalArgs {
    /// Toy checkpoint or run folder
    #[arg(long, value_name = "DIR")]
    checkpoint: PathBuf,
    /// Generated points scored (the papers' tables use 2,500)
    #[arg(long, default_value_t = measures::SAMPLES)]
    n: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the figures as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: ToyArgs) -> anyhow::Result<Outcome> {
    match args.command {
        ToyCommand::Train(args) => train(args),
        ToyCommand::Sample(args) => sample(args).map(|()| Outcome::Done),
        ToyCommand::Eval(args) => eval(args).map(|()| Outcome::Done),
    }
}

fn train(args: ToyTrainArgs) -> anyhow::Result<Outcome> {
    if args.save_every == 0 {
        bail!("--save-every must be at least 1");
    }
    let data = ToyData::open(&args.data)?;
    let preset_config = TrainConfig::toy(data.setup(), args.preset);
    let config = TrainConfig {
        loss: args.loss,
        batch_size: args.batch_size,
        lr_g: args.lr_g.unwrap_or(preset_config.lr_g),
        lr_d: args.lr_d.unwrap_or(preset_config.lr_d),
        d_steps: args.d_steps,
        seed: args.seed,
        r1_gamma: args.r1.unwrap_or(preset_config.r1_gamma),
        noise_dim: args.noise_dim.or(preset_config.noise_dim),
        ..preset_config
    };
    config.validate().map_err(anyhow::Error::msg)?;
    let resuming = check_resume(&args.out, args.resume)?;
    match super::resolve_backend(args.backend) {
        Resolved::Gpu { .. } => train_on::<GpuBackend>(&args, &data, config, resuming),
        Resolved::Cpu { .. } => {
            crate::backend::on_cpu_pool(|| train_on::<CpuBackend>(&args, &data, config, resuming))
        }
    }
}

fn train_on<B: AutodiffBackend>(
    args: &ToyTrainArgs,
    data: &ToyData,
    config: TrainConfig,
    resuming: bool,
) -> anyhow::Result<Outcome> {
    let device = Default::default();
    let trainer = if resuming {
        let mut trainer = checkpoint::load_trainer::<B>(&args.out, &device)?;
        if trainer.config().toy.as_ref().map(|t| &t.data) != Some(&data.name()) {
            bail!(
                "{} holds a run on other data; choose another --out",
                args.out.display()
            );
        }
        // A learning rate not given on the command line stays the checkpoint's own.
        let resumed_config = TrainConfig {
            lr_g: args.lr_g.unwrap_or(trainer.config().lr_g),
            lr_d: args.lr_d.unwrap_or(trainer.config().lr_d),
            ..config
        };
        resumed(&mut trainer, &resumed_config, &args.out);
        trainer
    } else {
        Trainer::<B>::new(config, &device)
    };
    let extent = data.extent();
    let points = toy::normalized(&data.training_points(trainer.config().seed), extent);
    if points.len() / data.dim() < trainer.config().batch_size {
        bail!(
            "{}: {} points, fewer than one batch of {}",
            data.name(),
            points.len() / data.dim(),
            trainer.config().batch_size
        );
    }
    eprintln!(
        "training {} on {} ({} points, {}D), {} loss, batch {} → {}",
        trainer.config().preset,
        data.name(),
        points.len() / data.dim(),
        data.dim(),
        trainer.config().loss,
        trainer.config().batch_size,
        args.out.display()
    );
    let real = RealImages::<B>::with_width(points, data.dim(), &device);
    let sample_every = match (args.sample_every, &args.video) {
        (0, Some(_)) => VIDEO_EVERY,
        (every, _) => every,
    };
    let frames = match sample_every {
        0 => None,
        every => Some((
            Frames::toy(
                &trainer,
                data.clone(),
                &args.out,
                args.video.as_deref(),
                &device,
            )?,
            every,
        )),
    };
    run_loop(Loop {
        trainer,
        data: real,
        target: args.steps,
        out: &args.out,
        save_every: args.save_every,
        frames,
        lang: args.lang,
    })
}

/// The generator of a toy checkpoint, on the CPU, with the data it was trained on.
fn open_checkpoint(
    path: &std::path::Path,
) -> anyhow::Result<(crate::gan::Generator<crate::backend::Cpu>, ToyData)> {
    let (generator, manifest) =
        checkpoint::load_generator::<crate::backend::Cpu>(path, &Default::default())?;
    let Some(setup) = manifest.config.toy else {
        bail!(
            "{}: a checkpoint of digits, not of the toy lab (use ganimate sample or eval)",
            path.display()
        );
    };
    let data = ToyData::of(&setup)
        .with_context(|| format!("{}: the data it was trained on", path.display()))?;
    Ok((generator, data))
}

/// `n` points from a toy checkpoint's generator, in its data's units, and that data.
fn generated(
    checkpoint: &std::path::Path,
    n: usize,
    seed: u64,
) -> anyhow::Result<(Vec<f32>, ToyData)> {
    if n == 0 {
        bail!("--n must be at least 1");
    }
    let (generator, data) = open_checkpoint(checkpoint)?;
    let points = toy::generate(&generator, n, seed, data.extent(), &Default::default());
    Ok((points, data))
}

fn sample(args: ToySampleArgs) -> anyhow::Result<()> {
    let (points, data) = generated(&args.checkpoint, args.n, args.seed)?;
    toy::csv::write(&args.out, &points, data.dim())?;
    println!("wrote {} points to {}", args.n, args.out.display());
    Ok(())
}

fn eval(args: ToyEvalArgs) -> anyhow::Result<()> {
    let (points, data) = generated(&args.checkpoint, args.n, args.seed)?;
    let scores = toy::score(&data, &points, args.seed);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
        return Ok(());
    }
    println!(
        "{} generated points against {}",
        scores.samples,
        data.name()
    );
    if let Some(modes) = &scores.modes {
        println!(
            "modes covered {}/{} · high-quality share {:.1} % · reverse KL {:.3}",
            modes.covered,
            modes.modes,
            modes.high_quality * 100.0,
            modes.reverse_kl
        );
    }
    println!(
        "KL {:.3} · JS {:.3} (on a {}×{} grid over the view)",
        scores.divergences.kl,
        scores.divergences.js,
        measures::BINS,
        measures::BINS
    );
    Ok(())
}
