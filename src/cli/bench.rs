//! `ganimate bench`: training throughput per preset and backend, printed as a table.

use std::time::Instant;

use burn::tensor::backend::AutodiffBackend;
use clap::Args;

use super::DataArgs;
use crate::backend::{CpuBackend, GpuBackend, Resolved};
use crate::gan::{Preset, RealImages, TrainConfig, Trainer};

#[derive(Args)]
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
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum BenchBackends {
    Gpu,
    Cpu,
    Both,
}

const WARMUP_STEPS: u64 = 10;

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.steps == 0 || args.batch_size == 0 {
        anyhow::bail!("--steps and --batch-size must be at least 1");
    }
    let dataset = super::load_dataset(&args.data)?;
    let pixels = dataset.normalized_pixels();
    println!(
        "{:<8} {:<28} {:>10} {:>12} {:>10}",
        "preset", "backend", "steps/s", "samples/s", "ms/step"
    );
    // Probe the GPU once, not once per preset.
    let gpu = (args.backend != BenchBackends::Cpu)
        .then(|| crate::backend::resolve(crate::backend::BackendChoice::Gpu));
    for preset in [Preset::Course, Preset::Stable] {
        if args.backend != BenchBackends::Gpu {
            measure::<CpuBackend>(&args, preset, &pixels, "cpu (ndarray)", &Default::default());
        }
        match &gpu {
            Some(resolved @ Resolved::Gpu { .. }) => measure::<GpuBackend>(
                &args,
                preset,
                &pixels,
                &resolved.describe(),
                &Default::default(),
            ),
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

fn measure<B: AutodiffBackend>(
    args: &BenchArgs,
    preset: Preset,
    pixels: &[f32],
    label: &str,
    device: &B::Device,
) {
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
}
