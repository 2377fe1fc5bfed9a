//! `ganimate bench`: every measurement in one place. Training throughput per preset and
//! backend ([`throughput`]); `--profile`, the GPU calls of a step; `--app`, the desktop app's
//! frame times and training rate ([`app`]); `--soak`, the app in long use ([`soak`]);
//! `--quality`, the judge's figures as a preset trains ([`quality`]).

mod app;
mod peak;
mod quality;
pub(super) mod soak;
mod threads;
mod throughput;
mod toy;

use clap::Args;

use super::DataArgs;
use crate::gan::model::classes::DIGIT_CLASSES;
use crate::gan::{Preset, RealImages};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("app_runs").args(["app", "soak"])))]
pub struct BenchArgs {
    #[command(flatten)]
    pub(super) data: DataArgs,
    /// Timed steps per measurement (after warm-up)
    #[arg(long, default_value_t = 200)]
    pub(super) steps: u64,
    /// Batch size
    #[arg(long, default_value_t = 64)]
    pub(super) batch_size: usize,
    /// Which backends to measure
    #[arg(long, value_enum, default_value = "both")]
    pub(super) backend: BenchBackends,
    /// Measure the desktop app instead (needs a display; use xvfb-run on a server)
    #[arg(long)]
    pub(super) app: bool,
    /// Frames per app measurement
    #[arg(long, default_value_t = 300, requires = "app")]
    pub(super) frames: u32,
    /// Measure the app drawing into an image on the GPU, without a window (no display needed)
    #[arg(long, requires = "app_runs")]
    pub(super) headless: bool,
    /// Soak test instead: the app in long use for MINUTES (training, the walk, the judge,
    /// windows open, a recording every twelfth of the run), sampling memory, frame rate and
    /// training speed, then judged against the goals (60 for the full test)
    #[arg(long, value_name = "MINUTES", conflicts_with_all = ["app", "quality", "profile"])]
    pub(super) soak: Option<f64>,
    /// Measure sample quality instead: train each preset at batch 64 for --quality-steps
    /// steps and print the judge's figures every --quality-every steps (on the CPU unless
    /// --backend gpu)
    #[arg(long, conflicts_with = "app")]
    pub(super) quality: bool,
    #[arg(long, default_value_t = 20_000, requires = "quality")]
    pub(super) quality_steps: u64,
    #[arg(long, default_value_t = 1_000, requires = "quality")]
    pub(super) quality_every: u64,
    /// Seed of the quality runs
    #[arg(long, default_value_t = 42, requires = "quality")]
    pub(super) seed: u64,
    /// Benchmark only this preset [default: all; --quality on the CPU: stable and course]
    #[arg(long, value_enum)]
    pub(super) preset: Option<Preset>,
    /// Measure the toy lab instead: the stable preset on the grid and the ring and the course
    /// preset on the ring, per seed, against the mode-collapse papers' figures; with --app, the
    /// app's frame times in the toy lab on the ring
    #[arg(long, conflicts_with_all = ["quality", "soak"])]
    pub(super) toy: bool,
    /// Seeds per toy data set
    #[arg(long, default_value_t = 10, requires = "toy")]
    pub(super) toy_seeds: u64,
    /// Seconds of training per toy seed
    #[arg(long, default_value_t = 60.0, requires = "toy")]
    pub(super) toy_seconds: f64,
    /// Count what one training step asks of the GPU instead: kernel dispatches, queue
    /// submissions, uploads and reads per step, from wgpu's own trace of the calls
    #[arg(long, conflicts_with_all = ["app", "quality"])]
    pub(super) profile: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum BenchBackends {
    Gpu,
    Cpu,
    Both,
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.steps == 0 || args.batch_size == 0 {
        anyhow::bail!("--steps and --batch-size must be at least 1");
    }
    if let Some(minutes) = args.soak {
        return soak::run(soak::SoakRun {
            data: &args.data,
            minutes,
            backend: match args.backend {
                BenchBackends::Gpu => "gpu",
                BenchBackends::Cpu => "cpu",
                BenchBackends::Both => "auto",
            },
            headless: args.headless,
        });
    }
    if args.quality {
        return quality::run(
            &args.data,
            args.preset,
            quality::QualityRun {
                steps: args.quality_steps,
                every: args.quality_every.max(1),
                seed: args.seed,
            },
            match args.backend {
                BenchBackends::Gpu => crate::backend::BackendChoice::Gpu,
                BenchBackends::Cpu | BenchBackends::Both => crate::backend::BackendChoice::Cpu,
            },
        );
    }
    if args.app && args.toy {
        return app::run(&args, None);
    }
    if args.toy {
        let run = toy::ToyRun {
            seeds: args.toy_seeds.max(1),
            seconds: args.toy_seconds,
        };
        return match args.backend {
            BenchBackends::Gpu => {
                match crate::cli::resolve_backend(crate::backend::BackendChoice::Gpu) {
                    resolved @ crate::backend::Resolved::Gpu { .. } => {
                        toy::run::<crate::backend::GpuBackend>(run, &resolved.describe())
                    }
                    crate::backend::Resolved::Cpu { reason } => {
                        anyhow::bail!("no GPU: {}", reason.unwrap_or_default())
                    }
                }
            }
            BenchBackends::Cpu | BenchBackends::Both => crate::backend::on_cpu_pool(|| {
                toy::run::<crate::backend::CpuBackend>(
                    run,
                    &crate::backend::Resolved::Cpu { reason: None }.describe(),
                )
            }),
        };
    }
    let dataset = super::load_dataset(&args.data)?;
    let digits = Digits {
        pixels: dataset.normalized_pixels(),
        labels: dataset.labels,
    };
    if args.app {
        return app::run(&args, Some(&digits));
    }
    throughput::table(&args, &digits)
}

/// The digits a speed benchmark trains on, kept on the host so that each run uploads its own.
pub(super) struct Digits {
    pixels: Vec<f32>,
    labels: Vec<u8>,
}

impl Digits {
    /// The digits on `device`, with the labels a conditional preset needs.
    fn real<B: burn::tensor::backend::Backend>(&self, device: &B::Device) -> RealImages<B> {
        RealImages::new(self.pixels.clone(), device).with_labels(&self.labels, DIGIT_CLASSES)
    }
}
