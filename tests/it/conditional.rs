//! The conditional preset: G draws the digit it is asked for, its runs resume exactly, and a
//! conditional checkpoint is never taken for an unconditional one, nor the reverse.

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use burn::prelude::*;
use ganimate::backend::CpuBackend;
use ganimate::gan::model::classes::{DIGIT_CLASSES, cycling_labels, one_hot};
use ganimate::gan::{Preset, RealImages, TrainConfig, Trainer, checkpoint, sample};

type Inner = ganimate::backend::Cpu;

fn labelled_mnist() -> RealImages<CpuBackend> {
    let dataset = common::mnist_dataset();
    RealImages::new(dataset.normalized_pixels(), &Default::default())
        .with_labels(&dataset.labels, DIGIT_CLASSES)
}

/// G's digits for 16 fixed codes asking each class in turn, and D's verdicts on them given
/// those classes.
fn outputs(trainer: &Trainer<CpuBackend>) -> (Vec<f32>, Vec<f32>) {
    let device = Default::default();
    let labels = cycling_labels(16, DIGIT_CLASSES);
    let codes = sample::class_codes(&sample::fixed_noise(3, 16, 100), 100, &labels, 10);
    let codes = Tensor::<Inner, 2>::from_data(TensorData::new(codes, [16, 110]), &device);
    let classes = Tensor::<Inner, 2>::from_data(
        TensorData::new(one_hot(&labels, DIGIT_CLASSES), [16, 10]),
        &device,
    );
    let images = trainer.generator().forward(codes);
    let verdicts = trainer
        .discriminator()
        .forward_given(images.clone(), Some(classes));
    (
        images.into_data().to_vec().unwrap(),
        verdicts.into_data().to_vec().unwrap(),
    )
}

#[test]
fn a_conditional_run_resumes_exactly_and_its_checkpoint_says_it_is_conditional() {
    let device = Default::default();
    let data = labelled_mnist();
    let config = TrainConfig {
        preset: Preset::Conditional,
        batch_size: 32,
        r1_gamma: 1.0,
        ..TrainConfig::default()
    };
    let mut unbroken = Trainer::<CpuBackend>::new(config.clone(), &device);
    for _ in 0..30 {
        assert!(unbroken.step(&data).read().is_finite());
    }
    let dir = tempfile::tempdir().unwrap();
    let mut first = Trainer::<CpuBackend>::new(config, &device);
    for _ in 0..15 {
        first.step(&data);
    }
    checkpoint::save(&first, dir.path()).unwrap();
    drop(first);
    let mut resumed = checkpoint::load_trainer::<CpuBackend>(dir.path(), &device).unwrap();
    for _ in 0..15 {
        resumed.step(&data);
    }
    assert!(
        outputs(&resumed) == outputs(&unbroken),
        "G and D outputs must match bit for bit"
    );
    // Asked for another class, the same noise draws another digit.
    let (generator, _) = checkpoint::load_generator::<Inner>(dir.path(), &device).unwrap();
    assert_eq!(generator.classes(), 10);
    let noise = sample::fixed_noise(1, 1, 100);
    let three = sample::generate_classes(&generator, &noise, &[3], &device);
    let eight = sample::generate_classes(&generator, &noise, &[8], &device);
    assert_eq!(three.len(), 784);
    assert!(three != eight);

    // The same files under a manifest that claims the stable preset, whose networks have the
    // same layers but take no class.
    common::claim_preset(dir.path(), Preset::Stable);
    let error = checkpoint::load_generator::<Inner>(dir.path(), &device)
        .expect_err("a conditional generator is no stable one")
        .to_string();
    assert!(error.contains("generator is conditional"), "{error}");
    let error = checkpoint::load_trainer::<CpuBackend>(dir.path(), &device)
        .err()
        .expect("nor is the trainer")
        .to_string();
    assert!(error.contains("is conditional"), "{error}");
}

fn ganimate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .args(args)
        .env_remove("GANIMATE_DATA")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let info = decoder.read_info().unwrap().info().clone();
    (info.width, info.height)
}

/// A short CPU run already draws the class asked far more often than chance, `sample` lays
/// out classes and styles, and bad class requests are refused with what is allowed.
#[test]
fn a_short_conditional_run_draws_the_digit_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let (data, run_arg) = (
        common::mnist_dir().display().to_string(),
        run.display().to_string(),
    );
    let output = ganimate(&[
        "train",
        "--backend",
        "cpu",
        "--preset",
        "conditional",
        "--data",
        &data,
        "--steps",
        "300",
        "--out",
        &run_arg,
    ]);
    common::succeeded(&output);

    let output = ganimate(&[
        "eval",
        "--checkpoint",
        &run_arg,
        "--data",
        &data,
        "--n",
        "1000",
        "--json",
    ]);
    let (stdout, _) = common::succeeded(&output);
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let agreement = report["class_agreement"]
        .as_f64()
        .expect("a conditional eval");
    assert!(agreement > 0.3, "class agreement {agreement} (chance: 0.1)");

    // One row per class, --n styles in each: 6 columns of 30-pixel cells, 10 rows.
    let grid = dir.path().join("grid.png");
    let grid_arg = grid.display().to_string();
    let sample = |extra: &[&str]| {
        let mut args = vec!["sample", "--checkpoint", &run_arg, "--out", &grid_arg];
        args.extend_from_slice(extra);
        ganimate(&args)
    };
    common::succeeded(&sample(&["--classes", "0-9", "--n", "6"]));
    assert_eq!(png_size(&grid), (6 * 30 + 2, 10 * 30 + 2));
    common::succeeded(&sample(&["--class", "3", "--n", "16"]));
    assert_eq!(png_size(&grid), (4 * 30 + 2, 4 * 30 + 2));

    for (extra, says) in [
        (&["--class", "10"][..], "0 to 9, got '10'"),
        (&["--classes", "3,x"][..], "got 'x'"),
        (&["--classes", "7-2"][..], "got '7-2'"),
    ] {
        let output = sample(extra);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
    }

    // A command that cannot ask for a class yet says so, and writes nothing.
    let walk = dir.path().join("walk.gif");
    let output = ganimate(&[
        "walk",
        "--checkpoint",
        &run_arg,
        "--out",
        &walk.display().to_string(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("does not ask for a class"), "{stderr}");
    assert!(!walk.exists());

    // An unconditional checkpoint draws no class on request.
    let course = dir.path().join("course");
    common::succeeded(&ganimate(
        &common::course_training(32, &course)
            .iter()
            .map(String::as_str)
            .chain(["--steps", "2"])
            .collect::<Vec<_>>(),
    ));
    let output = ganimate(&[
        "sample",
        "--checkpoint",
        &course.display().to_string(),
        "--class",
        "3",
        "--out",
        &grid_arg,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unconditional"), "{stderr}");
}
