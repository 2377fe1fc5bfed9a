//! The training core on the CPU backend: it learns, it resumes exactly, its checkpoints survive.

use crate::common;

use burn::prelude::*;
use ganimate::backend::CpuBackend;
use ganimate::gan::{LossKind, Preset, RealImages, TrainConfig, Trainer, checkpoint, sample};

type Inner = ganimate::backend::Cpu;

fn mnist() -> Vec<f32> {
    common::mnist_dataset().normalized_pixels()
}

fn outputs(trainer: &Trainer<CpuBackend>) -> (Vec<f32>, Vec<f32>) {
    let device = Default::default();
    let noise = sample::fixed_noise(3, 16, 100);
    let z = Tensor::<Inner, 2>::from_data(TensorData::new(noise, [16, 100]), &device);
    let images = trainer.generator().forward(z);
    let verdicts = trainer.discriminator().forward(images.clone());
    (
        images.into_data().to_vec().unwrap(),
        verdicts.into_data().to_vec().unwrap(),
    )
}

fn mean(values: &[f32]) -> f32 {
    values.iter().sum::<f32>() / values.len() as f32
}

#[test]
fn a_short_run_learns() {
    let device = Default::default();
    let pixels = mnist();
    let real_mean = mean(&pixels);
    let data = RealImages::<CpuBackend>::new(pixels, &device);
    let config = TrainConfig {
        preset: Preset::Course,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::<CpuBackend>::new(config, &device);
    let (initial, _) = outputs(&trainer);

    let mut separations = Vec::new();
    for _ in 0..150 {
        let values = trainer.step(&data).read();
        assert!(values.is_finite(), "{values:?}");
        separations.push(values.d_real - values.d_fake);
    }
    // Untrained, D cannot tell real from fake; it soon can: D(x) rises above D(G(z)).
    assert!(
        separations[0].abs() < 0.05,
        "first step D(x) − D(G(z)) = {}",
        separations[0]
    );
    let widest = separations[..60].iter().cloned().fold(f32::MIN, f32::max);
    assert!(
        widest > 0.15,
        "widest D(x) − D(G(z)) in 60 steps = {widest}"
    );
    let later = mean(&separations[10..]);
    assert!(later > 0.02, "mean D(x) − D(G(z)) after step 10 = {later}");

    // G moves away from its initial noise towards the data: MNIST is mostly black background,
    // so the mean pixel of the fakes must approach the real mean (≈ −0.74).
    let (trained, _) = outputs(&trainer);
    let moved = initial
        .iter()
        .zip(&trained)
        .map(|(a, b)| (a - b).abs())
        .sum::<f32>()
        / initial.len() as f32;
    assert!(moved > 0.3, "mean pixel change {moved}");
    let (before, after) = (
        (mean(&initial) - real_mean).abs(),
        (mean(&trained) - real_mean).abs(),
    );
    assert!(
        after < before / 3.0,
        "distance to the real mean pixel: {before} → {after}"
    );
}

/// Trains `before` steps, saves a checkpoint, loads it into a new trainer and trains `after`
/// more: the checkpoint's folder and the resumed trainer.
fn save_and_resume(
    config: TrainConfig,
    data: &RealImages<CpuBackend>,
    before: u64,
    after: u64,
) -> (tempfile::TempDir, Trainer<CpuBackend>) {
    let device = Default::default();
    let dir = tempfile::tempdir().unwrap();
    let mut first = Trainer::<CpuBackend>::new(config, &device);
    for _ in 0..before {
        first.step(data);
    }
    checkpoint::save(&first, dir.path()).unwrap();
    drop(first);
    let mut resumed = checkpoint::load_trainer::<CpuBackend>(dir.path(), &device).unwrap();
    assert_eq!(resumed.step_count(), before);
    for _ in 0..after {
        resumed.step(data);
    }
    (dir, resumed)
}

#[test]
fn resuming_gives_the_same_weights_as_an_unbroken_run() {
    let device = Default::default();
    let data = RealImages::<CpuBackend>::new(mnist(), &device);
    let config = TrainConfig {
        loss: LossKind::Minimax,
        d_steps: 2,
        batch_size: 32,
        ..TrainConfig::default()
    };

    let mut unbroken = Trainer::<CpuBackend>::new(config.clone(), &device);
    for _ in 0..40 {
        unbroken.step(&data);
    }

    let (_dir, resumed) = save_and_resume(config, &data, 20, 20);
    assert!(
        outputs(&resumed) == outputs(&unbroken),
        "G and D outputs must match bit for bit"
    );
}

/// The convolutional preset trains on the CPU backend too: D learns to tell, a checkpoint resumes
/// it bit for bit, and a checkpoint of it cannot be read as another preset.
#[test]
fn the_convolutional_preset_learns_and_resumes_exactly() {
    let device = Default::default();
    let data = RealImages::<CpuBackend>::new(mnist(), &device);
    let config = TrainConfig {
        preset: Preset::Dcgan,
        batch_size: 16,
        r1_gamma: 1.0,
        ..TrainConfig::default()
    };
    let mut unbroken = Trainer::<CpuBackend>::new(config.clone(), &device);
    let mut separations = Vec::new();
    for _ in 0..30 {
        let values = unbroken.step(&data).read();
        assert!(values.is_finite(), "{values:?}");
        separations.push(values.d_real - values.d_fake);
    }
    let widest = separations.iter().cloned().fold(f32::MIN, f32::max);
    assert!(widest > 0.1, "widest D(x) − D(G(z)) in 30 steps = {widest}");

    let (dir, resumed) = save_and_resume(config, &data, 20, 10);
    assert!(
        outputs(&resumed) == outputs(&unbroken),
        "G and D outputs must match bit for bit"
    );

    // The same files under a manifest that claims the stable preset.
    common::claim_preset(dir.path(), Preset::Stable);
    let error = checkpoint::load_generator::<Inner>(dir.path(), &device)
        .expect_err("a dcgan generator is no stable one")
        .to_string();
    assert!(error.contains("stable preset"), "{error}");
}

#[test]
fn same_seed_same_networks_other_seed_other_networks() {
    let device = Default::default();
    let make = |seed| {
        Trainer::<CpuBackend>::new(
            TrainConfig {
                seed,
                ..TrainConfig::default()
            },
            &device,
        )
    };
    assert!(outputs(&make(5)) == outputs(&make(5)));
    assert!(outputs(&make(5)).0 != outputs(&make(6)).0);
}

#[test]
fn checkpoints_survive_interrupted_saves_and_report_damage() {
    let device = Default::default();
    let data = RealImages::<CpuBackend>::new(mnist(), &device);
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path();
    let mut trainer = Trainer::<CpuBackend>::new(TrainConfig::default(), &device);
    trainer.step(&data);
    let good = checkpoint::save(&trainer, run).unwrap();
    let expected = outputs(&trainer);

    // A save killed midway leaves a temporary folder; `latest` still names the good one.
    let partial = run.join(".ckpt-00000002.tmp-12345");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(partial.join("generator.mpk"), b"half of a file").unwrap();
    let reloaded = checkpoint::load_trainer::<CpuBackend>(run, &device).unwrap();
    assert!(outputs(&reloaded) == expected);

    // The next save cleans the leftover up; only the newest checkpoints are kept.
    for _ in 0..3 {
        trainer.step(&data);
        checkpoint::save(&trainer, run).unwrap();
    }
    let mut names: Vec<String> = std::fs::read_dir(run)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["ckpt-00000003", "ckpt-00000004", "latest"]);
    assert!(!good.exists());

    // A damaged file is named as such.
    let newest = checkpoint::resolve(run).unwrap();
    let generator = newest.join("generator.mpk");
    let mut bytes = std::fs::read(&generator).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&generator, &bytes).unwrap();
    let err = checkpoint::load_generator::<Inner>(run, &device)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("generator.mpk") && err.contains("damaged"),
        "{err}"
    );

    // Files of one architecture under a manifest naming another are refused.
    let older = run.join("ckpt-00000003");
    let manifest = std::fs::read_to_string(older.join("manifest.json")).unwrap();
    std::fs::write(
        older.join("manifest.json"),
        manifest.replace("\"stable\"", "\"course\""),
    )
    .unwrap();
    let Err(err) = checkpoint::load_trainer::<CpuBackend>(&older, &device) else {
        panic!("a checkpoint with another architecture loaded");
    };
    let err = err.to_string();
    assert!(err.contains("another architecture"), "{err}");

    let err = checkpoint::load_generator::<Inner>(dir.path().join("nowhere").as_path(), &device)
        .unwrap_err();
    assert!(err.to_string().contains("no such file"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let err = checkpoint::load_generator::<Inner>(empty.path(), &device).unwrap_err();
    assert!(
        err.to_string().contains("not a ganimate checkpoint"),
        "{err}"
    );
}

#[test]
fn a_nan_step_is_caught_and_rolled_back_to_finite_weights() {
    use ganimate::gan::training::guard::{Guard, Problem};
    use ganimate::gan::{StepStats, StepValues};

    let device = Default::default();
    let data = RealImages::<CpuBackend>::new(mnist(), &device);
    let mut trainer = Trainer::<CpuBackend>::new(TrainConfig::default(), &device);
    let mut guard = Guard::new(&trainer, 0);
    let mut review = |trainer: &mut Trainer<CpuBackend>, stats: Vec<StepStats<Inner>>| {
        let values: Vec<StepValues> = StepStats::read_all(stats);
        let step = trainer.step_count();
        guard.review(&values, trainer, step).map(|()| values)
    };
    let stats = (0..3).map(|_| trainer.step(&data)).collect();
    let values = review(&mut trainer, stats).expect("healthy steps");
    assert!(
        values
            .iter()
            .all(|v| v.g_grad_norm > 0.0 && v.d_grad_norm > 0.0)
    );
    let (good, _) = outputs(&trainer);

    // A batch with a NaN pixel poisons D's loss, then both networks' weights.
    let mut poisoned = vec![0.0; 64 * 784];
    poisoned[100] = f32::NAN;
    let poisoned = RealImages::<CpuBackend>::new(poisoned, &device);
    let stats = vec![
        trainer.step(&data),
        trainer.step(&poisoned),
        trainer.step(&data),
    ];
    // (G draws with the average of its weights, updated every few steps: D shows it first.)
    let (_, broken) = outputs(&trainer);
    assert!(broken.iter().any(|v| !v.is_finite()), "the NaN reached D");

    let divergence = review(&mut trainer, stats).expect_err("the guard must fire");
    assert_eq!((divergence.step, divergence.restored_step), (5, 3));
    assert!(matches!(divergence.problem, Problem::NonFiniteLoss { .. }));
    assert_eq!(trainer.step_count(), 3);
    let (restored, verdicts) = outputs(&trainer);
    assert!(restored.iter().chain(&verdicts).all(|v| v.is_finite()));
    assert_eq!(restored, good, "back exactly to the last good state");
    // And training goes on from there.
    let values = trainer.step(&data).read();
    assert!(values.is_finite() && values.step == 4, "{values:?}");
}

/// Lazy R1 (on one D batch in N, with γ × N) penalises the first batch as R1 with N·γ on every
/// batch does, and the penalty changes D.
#[test]
fn lazy_r1_penalises_its_batch_with_gamma_times_its_interval() {
    let device = Default::default();
    let data = RealImages::<CpuBackend>::new(mnist(), &device);
    let after_one_step = |r1_gamma, r1_every| {
        let config = TrainConfig {
            batch_size: 16,
            r1_gamma,
            r1_every,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::<CpuBackend>::new(config, &device);
        trainer.step(&data);
        outputs(&trainer)
    };
    let lazy = after_one_step(0.5, 4);
    assert!(
        lazy == after_one_step(2.0, 1),
        "the first batch takes γ × 4"
    );
    assert!(
        lazy.1 != after_one_step(0.0, 1).1,
        "R1 changed nothing in D"
    );
}
