//! The wgpu backend (a real GPU, or Mesa's lavapipe on machines without one): one process,
//! few steps, because the first run compiles and autotunes every kernel.

use ganimate::backend::{self, BackendChoice, GpuBackend, Resolved};
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
    let (generator, manifest) =
        checkpoint::load_generator::<burn::backend::NdArray>(dir.path(), &cpu).unwrap();
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
