//! Training throughput per preset and backend, as a table, and `--profile`'s count of the GPU
//! calls of a step.

use std::time::Instant;

use burn::tensor::backend::{AutodiffBackend, Backend};

use super::threads::ThreadTimes;
use super::{BenchArgs, BenchBackends, Digits};
use crate::backend::{CpuBackend, GpuBackend, Resolved};
use crate::gan::{Preset, TrainConfig, Trainer};

const WARMUP_STEPS: u64 = 10;
/// Kernels listed under each row of `--profile`, most dispatched first.
const KERNELS_SHOWN: usize = 8;

/// Prints steps/s, samples/s and ms/step of every preset (or `--preset`) on each backend.
pub(super) fn table(args: &BenchArgs, digits: &Digits) -> anyhow::Result<()> {
    let presets = args.preset.map_or(
        vec![Preset::Course, Preset::Stable, Preset::Dcgan],
        |preset| vec![preset],
    );
    if args.profile {
        return profile(args, &presets, digits);
    }
    let peak = super::peak::cpu_peak();
    if let Some((_, how)) = &peak
        && args.backend != BenchBackends::Gpu
    {
        println!("CPU peak, estimated: {how}");
    }
    println!(
        "{:<8} {:<28} {:>10} {:>12} {:>10} {:>9} {:>7}",
        "preset", "backend", "steps/s", "samples/s", "ms/step", "GFLOP/s", "of peak"
    );
    // Probe the GPU once, not once per preset.
    let gpu = (args.backend != BenchBackends::Cpu)
        .then(|| crate::backend::resolve(crate::backend::BackendChoice::Gpu));
    for &preset in &presets {
        if args.backend != BenchBackends::Gpu {
            crate::backend::on_cpu_pool(|| {
                measure::<CpuBackend>(
                    args,
                    preset,
                    digits,
                    &Resolved::Cpu { reason: None }.describe(),
                    &Default::default(),
                    peak.as_ref().map(|(gflops, _)| *gflops),
                )
            });
        }
        match &gpu {
            Some(resolved @ Resolved::Gpu { .. }) => {
                measure::<GpuBackend>(
                    args,
                    preset,
                    digits,
                    &resolved.describe(),
                    &Default::default(),
                    None,
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
fn profile(args: &BenchArgs, presets: &[Preset], digits: &Digits) -> anyhow::Result<()> {
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
        let data = digits.real::<GpuBackend>(&gpu.device);
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
    host_times(args, presets, digits)?;
    if std::env::var_os("GANIMATE_KEEP_TRACE").is_some() {
        println!("trace kept in {}", folder.keep().display());
    }
    Ok(())
}

/// Prints the CPU time per step of the thread that trains, of burn's device runners (graph,
/// fusion, compilation, launches) and of the rest, the driver, over `args.steps` steps after
/// the warm-up. On a fast GPU the first two bound the step. It runs on burn's own GPU device:
/// the traced one above spends host time writing its trace.
fn host_times(args: &BenchArgs, presets: &[Preset], digits: &Digits) -> anyhow::Result<()> {
    let device = Default::default();
    println!("CPU time per step in ms (thread CPU time, untraced device, same steps)");
    println!(
        "{:<8} {:>9} {:>9} {:>12} {:>9}",
        "preset", "trainer", "runners", "host total", "driver"
    );
    for &preset in presets {
        let config = TrainConfig {
            preset,
            batch_size: args.batch_size,
            ..TrainConfig::default()
        };
        let data = digits.real::<GpuBackend>(&device);
        let mut trainer = Trainer::<GpuBackend>::new(config, &device);
        for _ in 0..WARMUP_STEPS {
            trainer.step(&data);
        }
        GpuBackend::sync(&device)?;
        let Some(before) = ThreadTimes::now() else {
            println!("(this system has no per-thread CPU times)");
            return Ok(());
        };
        for _ in 0..args.steps {
            trainer.step(&data);
        }
        GpuBackend::sync(&device)?;
        let Some(after) = ThreadTimes::now() else {
            return Ok(());
        };
        let time = after.since(&before);
        let per_step = |seconds: f64| seconds * 1e3 / args.steps as f64;
        println!(
            "{:<8} {:>9.2} {:>9.2} {:>12.2} {:>9.2}",
            preset,
            per_step(time.caller),
            per_step(time.runners),
            per_step(time.caller + time.runners),
            per_step(time.others)
        );
    }
    Ok(())
}

/// Times `args.steps` training steps after a warm-up and prints a table row, with the share
/// of `peak_gflops` where the device's peak is known; returns samples/s.
pub(super) fn measure<B: AutodiffBackend>(
    args: &BenchArgs,
    preset: Preset,
    digits: &Digits,
    label: &str,
    device: &B::Device,
    peak_gflops: Option<f64>,
) -> f64 {
    let config = TrainConfig {
        preset,
        batch_size: args.batch_size,
        ..TrainConfig::default()
    };
    let data = digits.real::<B>(device);
    let gflop_per_step = config.flops_per_step() / 1e9;
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
    let gflops = steps_per_s * gflop_per_step;
    println!(
        "{:<8} {:<28} {:>10.1} {:>12.0} {:>10.2} {:>9.1} {:>7}",
        preset,
        label,
        steps_per_s,
        steps_per_s * args.batch_size as f64,
        1000.0 / steps_per_s,
        gflops,
        peak_gflops.map_or("—".to_string(), |peak| format!(
            "{:.0}%",
            100.0 * gflops / peak
        ))
    );
    steps_per_s * args.batch_size as f64
}
