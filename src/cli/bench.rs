//! `ganimate bench`: training throughput per preset and backend, printed as a table; with
//! `--app`, the desktop app's frame times with training running and paused, and its training
//! throughput against headless training on the same backend.

use std::time::Instant;

use burn::tensor::backend::{AutodiffBackend, Backend};
use clap::Args;

use super::DataArgs;
use crate::backend::{CpuBackend, GpuBackend, Resolved};
use crate::gan::{Preset, RealImages, TrainConfig, Trainer};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("app_runs").args(["app", "soak"])))]
pub struct BenchArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Timed steps per measurement (after warm-up)
    #[arg(long, default_value_t = 200)]
    steps: u64,
    /// Batch size
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Which backends to measure
    #[arg(long, value_enum, default_value = "both")]
    backend: BenchBackends,
    /// Measure the desktop app instead (needs a display; use xvfb-run on a server)
    #[arg(long)]
    app: bool,
    /// Frames per app measurement
    #[arg(long, default_value_t = 300, requires = "app")]
    frames: u32,
    /// Measure the app drawing into an image on the GPU, without a window (no display needed)
    #[arg(long, requires = "app_runs")]
    headless: bool,
    /// Soak test instead: the app in long use for MINUTES (training, the walk, the judge,
    /// windows open, a recording every twelfth of the run), sampling memory, frame rate and
    /// training speed, then judged against the goals (60 for the full test)
    #[arg(long, value_name = "MINUTES", conflicts_with_all = ["app", "quality", "profile"])]
    soak: Option<f64>,
    /// Measure sample quality instead: train each preset at batch 64 for --quality-steps
    /// steps and print the judge's figures every --quality-every steps (on the CPU unless
    /// --backend gpu)
    #[arg(long, conflicts_with = "app")]
    quality: bool,
    #[arg(long, default_value_t = 20_000, requires = "quality")]
    quality_steps: u64,
    #[arg(long, default_value_t = 1_000, requires = "quality")]
    quality_every: u64,
    /// Seed of the quality runs
    #[arg(long, default_value_t = 42, requires = "quality")]
    seed: u64,
    /// Benchmark only this preset [default: all; --quality on the CPU: stable and course]
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// Count what one training step asks of the GPU instead: kernel dispatches, queue
    /// submissions, uploads and reads per step, from wgpu's own trace of the calls
    #[arg(long, conflicts_with_all = ["app", "quality"])]
    profile: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum BenchBackends {
    Gpu,
    Cpu,
    Both,
}

const WARMUP_STEPS: u64 = 10;
/// Kernels listed under each row of `--profile`, most dispatched first.
const KERNELS_SHOWN: usize = 8;

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.steps == 0 || args.batch_size == 0 {
        anyhow::bail!("--steps and --batch-size must be at least 1");
    }
    if let Some(minutes) = args.soak {
        return super::soak::run(super::soak::SoakRun {
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
        return super::judge::bench_quality(
            &args.data,
            args.preset,
            super::judge::QualityRun {
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
    let dataset = super::load_dataset(&args.data)?;
    let pixels = dataset.normalized_pixels();
    if args.app {
        return bench_app(&args, &pixels);
    }
    let presets = args.preset.map_or(
        vec![Preset::Course, Preset::Stable, Preset::Dcgan],
        |preset| vec![preset],
    );
    if args.profile {
        return profile(&args, &presets, &pixels);
    }
    println!(
        "{:<8} {:<28} {:>10} {:>12} {:>10}",
        "preset", "backend", "steps/s", "samples/s", "ms/step"
    );
    // Probe the GPU once, not once per preset.
    let gpu = (args.backend != BenchBackends::Cpu)
        .then(|| crate::backend::resolve(crate::backend::BackendChoice::Gpu));
    for &preset in &presets {
        if args.backend != BenchBackends::Gpu {
            crate::backend::on_cpu_pool(|| {
                measure::<CpuBackend>(
                    &args,
                    preset,
                    &pixels,
                    &Resolved::Cpu { reason: None }.describe(),
                    &Default::default(),
                )
            });
        }
        match &gpu {
            Some(resolved @ Resolved::Gpu { .. }) => {
                measure::<GpuBackend>(
                    &args,
                    preset,
                    &pixels,
                    &resolved.describe(),
                    &Default::default(),
                );
            }
            Some(Resolved::Cpu { reason }) => println!(
                "{:<8} {:<28} {}",
                preset,
                "gpu",
                reason.as_deref().unwrap_or_default()
            ),
            None => {}
        }
    }
    Ok(())
}

/// Prints the GPU calls per training step of each preset, counted over `args.steps` steps
/// after a warm-up (kernels compiled, memory pools grown).
fn profile(args: &BenchArgs, presets: &[Preset], pixels: &[f32]) -> anyhow::Result<()> {
    use crate::backend::counts::TracedGpu;
    let folder = tempfile::tempdir()?;
    let gpu = TracedGpu::open(folder.path()).map_err(anyhow::Error::msg)?;
    println!(
        "GPU calls per training step, batch {}, {} steps after {} of warm-up, on {}",
        args.batch_size, args.steps, WARMUP_STEPS, gpu.adapter
    );
    println!(
        "{:<8} {:>11} {:>12} {:>9} {:>7} {:>15}",
        "preset", "dispatches", "submissions", "uploads", "reads", "argument writes"
    );
    for &preset in presets {
        let config = TrainConfig {
            preset,
            batch_size: args.batch_size,
            ..TrainConfig::default()
        };
        let data = RealImages::<GpuBackend>::new(pixels.to_vec(), &gpu.device);
        let mut trainer = Trainer::<GpuBackend>::new(config, &gpu.device);
        for _ in 0..WARMUP_STEPS {
            trainer.step(&data);
        }
        GpuBackend::sync(&gpu.device)?;
        let start = gpu.mark();
        for _ in 0..args.steps {
            trainer.step(&data);
        }
        GpuBackend::sync(&gpu.device)?;
        let counts = gpu.count(start, gpu.mark()).map_err(anyhow::Error::msg)?;
        let per_step = |n: u64| n as f64 / args.steps as f64;
        println!(
            "{:<8} {:>11.1} {:>12.2} {:>9.2} {:>7.2} {:>15.1}",
            preset,
            per_step(counts.dispatches),
            per_step(counts.submissions),
            per_step(counts.uploads),
            per_step(counts.reads),
            per_step(counts.argument_writes)
        );
        let top: Vec<String> = counts
            .kernels
            .iter()
            .take(KERNELS_SHOWN)
            .map(|(name, n)| format!("{name} ×{:.1}", per_step(*n)))
            .collect();
        println!("         most dispatched: {}", top.join(", "));
    }
    if std::env::var_os("GANIMATE_KEEP_TRACE").is_some() {
        println!("trace kept in {}", folder.keep().display());
    }
    Ok(())
}

/// Times `args.steps` training steps after a warm-up and prints a table row; returns samples/s.
fn measure<B: AutodiffBackend>(
    args: &BenchArgs,
    preset: Preset,
    pixels: &[f32],
    label: &str,
    device: &B::Device,
) -> f64 {
    let config = TrainConfig {
        preset,
        batch_size: args.batch_size,
        ..TrainConfig::default()
    };
    let data = RealImages::<B>::new(pixels.to_vec(), device);
    let mut trainer = Trainer::<B>::new(config, device);
    for _ in 0..WARMUP_STEPS {
        trainer.step(&data);
    }
    trainer.step(&data).read(); // wait for the warm-up to finish
    let started = Instant::now();
    let mut last = None;
    for _ in 0..args.steps {
        last = Some(trainer.step(&data));
    }
    if let Some(stats) = last {
        stats.read(); // the clock stops when the device is done, not when work is queued
    }
    let seconds = started.elapsed().as_secs_f64();
    let steps_per_s = args.steps as f64 / seconds;
    println!(
        "{:<8} {:<28} {:>10.1} {:>12.0} {:>10.2}",
        preset,
        label,
        steps_per_s,
        steps_per_s * args.batch_size as f64,
        1000.0 / steps_per_s
    );
    steps_per_s * args.batch_size as f64
}

/// What one scripted app run reported.
struct AppRun {
    p50_ms: f64,
    p99_ms: f64,
    samples_per_s: f64,
    backend: String,
}

/// Runs this executable's app for `args.frames` frames and reads its summary line.
fn run_app(args: &BenchArgs, paused: bool) -> anyhow::Result<AppRun> {
    let exe = std::env::current_exe()?;
    let mut command = std::process::Command::new(exe);
    command
        .arg("app")
        .args(["--quit-after-frames", &args.frames.to_string()])
        .args(["--dataset", args.data.dataset.name()]);
    if let Some(dir) = &args.data.data {
        command.arg("--data").arg(dir);
    }
    command.args([
        "--backend",
        if args.backend == BenchBackends::Cpu {
            "cpu"
        } else {
            "auto"
        },
    ]);
    if paused {
        command.arg("--paused");
    }
    if args.headless {
        command.arg("--headless");
    }
    let output = command.stderr(std::process::Stdio::null()).output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("ganimate app:"))
        .filter(|_| output.status.success())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the app did not finish its scripted run ({}); it needs a display: try `ganimate bench --app --headless` or `xvfb-run -a ganimate bench --app`",
                output.status
            )
        })?;
    let number_after = |marker: &str| -> anyhow::Result<f64> {
        let rest = &line[line
            .find(marker)
            .ok_or_else(|| anyhow::anyhow!("no `{marker}` in: {line}"))?
            + marker.len()..];
        let text: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        Ok(text.parse()?)
    };
    Ok(AppRun {
        p50_ms: number_after("p50 ")?,
        p99_ms: number_after("p99 ")?,
        samples_per_s: number_after("trained at ")?,
        backend: line[line.find("backend ").map_or(line.len(), |i| i + 8)..].to_string(),
    })
}

fn bench_app(args: &BenchArgs, pixels: &[f32]) -> anyhow::Result<()> {
    if args.backend == BenchBackends::Both {
        anyhow::bail!("--app measures one backend: pass --backend cpu or --backend gpu");
    }
    let paused = run_app(args, true)?;
    let training = run_app(args, false)?;
    println!(
        "app{}, {} frames, backend {}",
        if args.headless { " (headless)" } else { "" },
        args.frames,
        training.backend
    );
    println!(
        "{:<10} {:>10} {:>10} {:>12}",
        "", "p50 ms", "p99 ms", "samples/s"
    );
    for (label, run) in [("paused", &paused), ("training", &training)] {
        println!(
            "{label:<10} {:>10.1} {:>10.1} {:>12.0}",
            run.p50_ms, run.p99_ms, run.samples_per_s
        );
    }
    let headless = if training.backend.starts_with("gpu") {
        measure::<GpuBackend>(
            args,
            Preset::Stable,
            pixels,
            "headless gpu",
            &Default::default(),
        )
    } else {
        measure::<CpuBackend>(
            args,
            Preset::Stable,
            pixels,
            "headless cpu",
            &Default::default(),
        )
    };
    let p99_ratio = training.p99_ms / paused.p99_ms.max(1e-3);
    let throughput_ratio = training.samples_per_s / headless.max(1e-3);
    let verdict = |ok: bool| if ok { "met" } else { "not met" };
    println!(
        "frame p99, training / paused: {p99_ratio:.2}× (goal ≤ 1.25×: {})",
        verdict(p99_ratio <= 1.25)
    );
    println!(
        "training samples/s, app / headless: {throughput_ratio:.2}× (goal ≥ 0.8×: {})",
        verdict(throughput_ratio >= 0.8)
    );
    Ok(())
}
