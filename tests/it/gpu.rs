//! The wgpu backend (a real GPU, or Mesa's lavapipe on machines without one): one process,
//! few steps, because the first run compiles and autotunes every kernel.

use crate::common;

use ganimate::backend::{self, BackendChoice, Cpu, GpuBackend, Resolved};
use ganimate::gan::{RealImages, TrainConfig, Trainer, checkpoint, sample};

#[test]
fn training_steps_on_the_gpu_backend_are_finite_and_checkpoint() {
    let resolved = backend::resolve(BackendChoice::Gpu);
    let Resolved::Gpu { adapter, .. } = &resolved else {
        panic!(
            "no wgpu adapter on this machine (install mesa-vulkan-drivers for lavapipe): {resolved:?}"
        );
    };
    eprintln!("adapter: {adapter}");
    let device = Default::default();
    let pixels: Vec<f32> = (0..256 * 784)
        .map(|i| ((i * 31 % 256) as f32) / 127.5 - 1.0)
        .collect();
    let data = RealImages::<GpuBackend>::new(pixels, &device);
    let mut trainer = Trainer::<GpuBackend>::new(TrainConfig::default(), &device);
    let first = trainer.step(&data).read();
    let second = trainer.step(&data).read();
    assert!(
        first.is_finite() && second.is_finite(),
        "{first:?} {second:?}"
    );
    assert!(
        (0.0..=1.0).contains(&second.d_real) && (0.0..=1.0).contains(&second.d_fake),
        "{second:?}"
    );

    // The same checkpoint format serves every backend: save on the GPU, sample on the CPU.
    let dir = tempfile::tempdir().unwrap();
    checkpoint::save(&trainer, dir.path()).unwrap();
    let cpu = Default::default();
    let (generator, manifest) = checkpoint::load_generator::<Cpu>(dir.path(), &cpu).unwrap();
    assert_eq!(manifest.step, 2);
    let noise = sample::fixed_noise(1, 4, 100);
    let on_cpu = sample::generate(&generator, &noise, &cpu);
    let on_gpu = sample::generate(&trainer.generator(), &noise, &device);
    let max_diff = on_cpu
        .pixels
        .iter()
        .zip(&on_gpu.pixels)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(
        max_diff <= 2,
        "CPU and GPU disagree on the same weights by {max_diff}/255"
    );
}

/// `ganimate bench --profile` counts the GPU calls of a training step from wgpu's own trace: in
/// steady state a step uploads and reads nothing (its inputs come a chunk of batches at a time,
/// its figures stay on the device), and it dispatches far fewer kernels than the 148 a course
/// step took before this was measured (90 on lavapipe since).
#[test]
fn a_steady_training_step_uploads_and_reads_nothing() {
    let data = common::mnist_dir();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .args([
            "bench",
            "--profile",
            "--preset",
            "course",
            "--steps",
            "20",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let row: Vec<f64> = stdout
        .lines()
        .find_map(|line| line.strip_prefix("course "))
        .unwrap_or_else(|| panic!("no course row: {stdout}"))
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let [dispatches, submissions, uploads, reads, arguments] = row[..] else {
        panic!("five counts expected: {stdout}");
    };
    assert_eq!((uploads, reads), (0.0, 0.0), "{stdout}");
    assert!((40.0..=110.0).contains(&dispatches), "{stdout}");
    assert!(submissions >= 1.0 && arguments >= dispatches, "{stdout}");
    assert!(stdout.contains("most dispatched: "), "{stdout}");
}
