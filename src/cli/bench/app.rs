//! `ganimate bench --app`: the desktop app's frame times with training running and paused,
//! and its training throughput against headless training on the same backend; with `--toy`,
//! in the toy lab on the ring.

use super::throughput::measure;
use super::{BenchArgs, BenchBackends, Digits};
use crate::backend::{CpuBackend, GpuBackend};
use crate::gan::Preset;
use crate::report::{AppReport, FrameSummary};

/// Runs this executable's app for `args.frames` frames and reads its report.
fn run_app(args: &BenchArgs, paused: bool) -> anyhow::Result<FrameSummary> {
    let exe = std::env::current_exe()?;
    let mut command = std::process::Command::new(exe);
    command
        .arg("app")
        .args(["--quit-after-frames", &args.frames.to_string()])
        .arg("--report");
    if args.toy {
        command.args(["--toy", "ring"]);
    } else {
        command.args(["--dataset", args.data.dataset.name()]);
    }
    if let Some(dir) = args.data.data.as_ref().filter(|_| !args.toy) {
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
    stdout
        .lines()
        .filter(|_| output.status.success())
        .find_map(|line| match AppReport::parse(line) {
            Some(AppReport::Frames(summary)) => Some(summary),
            _ => None,
        })
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the app did not finish its scripted run ({}); it needs a display: try `ganimate \
                 bench --app --headless` or `xvfb-run -a ganimate bench --app`",
                output.status
            )
        })
}

/// Frame times with training paused and running, and the app's training rate against the
/// headless loop's on the same backend: on `digits`, or in the toy lab without.
pub(super) fn run(args: &BenchArgs, digits: Option<&Digits>) -> anyhow::Result<()> {
    if args.backend == BenchBackends::Both {
        anyhow::bail!("--app measures one backend: pass --backend cpu or --backend gpu");
    }
    let paused = run_app(args, true)?;
    let training = run_app(args, false)?;
    println!(
        "app{}{}, {} frames, backend {}",
        if args.toy {
            ", toy lab on the ring"
        } else {
            ""
        },
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
    let on_gpu = training.backend.starts_with("gpu");
    let headless = match digits {
        Some(digits) if on_gpu => measure::<GpuBackend>(
            args,
            Preset::Stable,
            digits,
            "headless gpu",
            &Default::default(),
            None,
        ),
        Some(digits) => measure::<CpuBackend>(
            args,
            Preset::Stable,
            digits,
            "headless cpu",
            &Default::default(),
            None,
        ),
        None => {
            let steps = if on_gpu {
                super::toy::steps_per_second::<GpuBackend>(Preset::Stable)
            } else {
                crate::backend::on_cpu_pool(|| {
                    super::toy::steps_per_second::<CpuBackend>(Preset::Stable)
                })
            };
            let samples = steps * super::toy::BATCH as f64;
            println!("headless: {steps:.0} steps/s, {samples:.0} samples/s");
            samples
        }
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
