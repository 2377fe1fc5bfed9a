//! `ganimate bench --toy`: the toy lab against the mode-collapse papers' figures (PacGAN, Lin et
//! al. 2018, Table 1). Per seed, a preset trains on the grid or the ring for at most
//! `--toy-seconds`, scored on 2,500 points every few hundred steps; the table gives the final
//! figures and when the goal was first met, then the medians. Also the toy's training speed.

use std::time::Instant;

use burn::tensor::backend::AutodiffBackend;

use crate::gan::training::run::GuardedRun;
use crate::gan::{Preset, RealImages, StepMode, TrainConfig, Trainer};
use crate::toy::shapes::Shape;
use crate::toy::{self, ToyData, measures};

/// Steps between two scorings.
const SCORE_EVERY: u64 = 250;
/// The batch the goals are set at, and the toy lab's own.
pub(super) const BATCH: usize = 256;

/// Length and seeds of the toy benchmark.
#[derive(Debug, Clone, Copy)]
pub(super) struct ToyRun {
    pub(super) seeds: u64,
    pub(super) seconds: f64,
}

/// The papers' goals, as `bench --toy` checks them.
fn goal_met(shape: Shape, coverage: &measures::ModeCoverage) -> bool {
    match shape {
        Shape::Grid => {
            coverage.covered == 25 && coverage.high_quality >= 0.95 && coverage.reverse_kl <= 0.02
        }
        _ => coverage.covered == coverage.modes && coverage.high_quality >= 0.98,
    }
}

pub(super) fn run<B: AutodiffBackend>(run: ToyRun, backend: &str) -> anyhow::Result<()> {
    println!(
        "toy lab, batch {}, at most {:.0} s of training per seed, {backend}",
        BATCH, run.seconds
    );
    speed::<B>();
    println!(
        "{:<6} {:<7} {:>4} {:>6} {:>8} {:>8} {:>7} {:>9}",
        "data", "preset", "seed", "modes", "quality", "rev. KL", "steps", "goal at"
    );
    for (shape, preset) in [
        (Shape::Grid, Preset::Stable),
        (Shape::Ring, Preset::Stable),
        (Shape::Ring, Preset::Course),
    ] {
        let mut finals = Vec::new();
        for seed in 1..=run.seeds {
            let outcome = train_and_score::<B>(shape, preset, seed, run);
            println!(
                "{:<6} {:<7} {:>4} {:>3}/{:<2} {:>7.1}% {:>8.3} {:>7} {:>9}",
                shape.name(),
                preset.name(),
                seed,
                outcome.coverage.covered,
                outcome.coverage.modes,
                outcome.coverage.high_quality * 100.0,
                outcome.coverage.reverse_kl,
                outcome.steps,
                outcome
                    .goal_at
                    .map_or("not met".to_string(), |s| format!("{s:.1} s")),
            );
            finals.push(outcome);
        }
        let median = |mut values: Vec<f64>| {
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let met = finals.iter().filter(|o| o.goal_at.is_some()).count();
        let collapsed = finals
            .iter()
            .filter(|o| o.coverage.covered < o.coverage.modes)
            .count();
        println!(
            "{:<6} {:<7} median: {:.0} modes, {:.1} % high quality, reverse KL {:.3}; goal met in {met} of {} seeds; {collapsed} missed a mode",
            shape.name(),
            preset.name(),
            median(finals.iter().map(|o| o.coverage.covered as f64).collect()),
            median(
                finals
                    .iter()
                    .map(|o| o.coverage.high_quality * 100.0)
                    .collect()
            ),
            median(finals.iter().map(|o| o.coverage.reverse_kl).collect()),
            finals.len()
        );
    }
    Ok(())
}

struct Outcome {
    coverage: measures::ModeCoverage,
    steps: u64,
    /// Seconds of training when the goal was first met.
    goal_at: Option<f64>,
}

fn train_and_score<B: AutodiffBackend>(
    shape: Shape,
    preset: Preset,
    seed: u64,
    run: ToyRun,
) -> Outcome {
    let device = Default::default();
    let data = ToyData::Shape(shape);
    let config = TrainConfig {
        batch_size: BATCH,
        seed,
        ..TrainConfig::toy(data.setup(), preset)
    };
    let extent = data.extent();
    let points = toy::normalized(&data.training_points(seed), extent);
    let real = RealImages::<B>::with_width(points, data.dim(), &device);
    let modes = data.modes().expect("the ring and the grid are mixtures");
    let mut guarded = GuardedRun::new(Trainer::<B>::new(config, &device));
    let mut training = 0.0;
    let mut goal_at = None;
    loop {
        let started = Instant::now();
        for _ in 0..SCORE_EVERY {
            guarded.step(StepMode::Both, &real);
        }
        let _ = guarded.review();
        training += started.elapsed().as_secs_f64();
        let fake = toy::generate(
            &guarded.trainer().generator(),
            measures::SAMPLES,
            seed,
            extent,
            &device,
        );
        let coverage = measures::mode_coverage(&fake, &modes);
        if goal_at.is_none() && goal_met(shape, &coverage) {
            goal_at = Some(training);
        }
        if training >= run.seconds {
            return Outcome {
                coverage,
                steps: guarded.trainer().step_count(),
                goal_at,
            };
        }
    }
}

/// Steps per second of each preset on the ring, and the arithmetic they reach.
fn speed<B: AutodiffBackend>() {
    for preset in [Preset::Course, Preset::Stable] {
        let per_second = steps_per_second::<B>(preset);
        let flops = TrainConfig::toy(ToyData::Shape(Shape::Ring).setup(), preset).flops_per_step()
            * per_second;
        println!(
            "{preset:<7} training: {per_second:.0} steps/s, {:.1} GFLOP/s (goal for stable ≥ 2,000 steps/s)",
            flops / 1e9
        );
    }
}

/// Headless training steps per second of `preset` on the ring at the goals' batch, after a
/// warm-up.
pub(super) fn steps_per_second<B: AutodiffBackend>(preset: Preset) -> f64 {
    let device = Default::default();
    let data = ToyData::Shape(Shape::Ring);
    let points = toy::normalized(&data.training_points(1), data.extent());
    let real = RealImages::<B>::with_width(points, 2, &device);
    let config = TrainConfig {
        batch_size: BATCH,
        ..TrainConfig::toy(data.setup(), preset)
    };
    let mut trainer = Trainer::<B>::new(config, &device);
    for _ in 0..20 {
        trainer.step(&real);
    }
    trainer.step(&real).read();
    let steps = 500;
    let started = Instant::now();
    let mut last = None;
    for _ in 0..steps {
        last = Some(trainer.step(&real));
    }
    if let Some(stats) = last {
        stats.read();
    }
    steps as f64 / started.elapsed().as_secs_f64()
}
