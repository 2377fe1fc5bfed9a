//! Reading checkpoints back: every file checked against the manifest's MD5 and the preset's
//! architecture before burn sees it.

use std::path::{Path, PathBuf};

use burn::module::{AutodiffModule, Module};
use burn::optim::Optimizer;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;

use super::{
    CheckpointError, DISCRIMINATOR, GENERATOR, GENERATOR_TRAINING, MANIFEST, Manifest, OPTIM_D,
    OPTIM_G, read_manifest, read_verified,
};
use crate::gan::latent::SeededRng;
use crate::gan::model::Generator;
use crate::gan::training::trainer::Trainer;

fn decode<B: Backend, R: burn::record::Record<B>>(
    dir: &Path,
    manifest: &Manifest,
    file: &str,
    device: &B::Device,
) -> Result<R, CheckpointError> {
    let bytes = read_verified(dir, manifest, file)?;
    crate::records::load(bytes, device).map_err(|err| CheckpointError::Incompatible {
        path: dir.join(file),
        problem: format!(
            "does not match the {} preset: {err}",
            manifest.config.preset
        ),
    })
}

fn incompatible(
    path: PathBuf,
    preset: crate::gan::model::Preset,
) -> impl FnOnce(String) -> CheckpointError {
    move |problem| CheckpointError::Incompatible {
        path,
        problem: format!(
            "holds another architecture than the {preset} preset it claims: {problem}"
        ),
    }
}

/// A throwaway RNG for building a module skeleton that a record then overwrites.
fn skeleton_rng() -> SeededRng {
    crate::gan::latent::rng_for(0, crate::gan::latent::Stream::Init, 0)
}

/// Loads the generator alone, for sampling (any backend, autodiff or not).
pub fn load_generator<B: Backend>(
    path: &Path,
    device: &B::Device,
) -> Result<(Generator<B>, Manifest), CheckpointError> {
    let (dir, manifest) = read_manifest(path)?;
    let bytes = read_verified(&dir, &manifest, GENERATOR)?;
    let generator = decode_generator(&dir, &manifest, GENERATOR, bytes, device)?;
    Ok((generator, manifest))
}

/// A generator-only checkpoint held in memory (the pretrained one built into the app).
pub fn generator_from_bytes<B: Backend>(
    label: &Path,
    manifest_json: &[u8],
    generator: &[u8],
    device: &B::Device,
) -> Result<(Generator<B>, Manifest), CheckpointError> {
    let manifest: Manifest =
        serde_json::from_slice(manifest_json).map_err(|err| CheckpointError::Damaged {
            path: label.join(MANIFEST),
            problem: format!("unreadable manifest: {err}"),
        })?;
    let generator = decode_generator(label, &manifest, GENERATOR, generator.to_vec(), device)?;
    Ok((generator, manifest))
}

fn decode_generator<B: Backend>(
    dir: &Path,
    manifest: &Manifest,
    file: &str,
    bytes: Vec<u8>,
    device: &B::Device,
) -> Result<Generator<B>, CheckpointError> {
    let preset = manifest.config.preset;
    let skeleton = manifest
        .config
        .generator()
        .init::<B>(&mut skeleton_rng(), device);
    let record =
        crate::records::load(bytes, device).map_err(|err| CheckpointError::Incompatible {
            path: dir.join(file),
            problem: format!("does not match the {preset} preset: {err}"),
        })?;
    skeleton
        .check_record(&record)
        .map_err(incompatible(dir.join(file), preset))?;
    Ok(skeleton.load_record(record))
}

/// True for a checkpoint that holds the generator alone (see [`export_generator`]).
pub fn is_generator_only(manifest: &Manifest) -> bool {
    !manifest.files.contains_key(DISCRIMINATOR)
}

/// Restores the whole training state: networks, optimisers and the data stream position.
/// A generator-only checkpoint gets a fresh discriminator and fresh optimisers.
pub fn load_trainer<B: AutodiffBackend>(
    path: &Path,
    device: &B::Device,
) -> Result<Trainer<B>, CheckpointError> {
    let (dir, manifest) = read_manifest(path)?;
    let config = manifest.config.clone();
    config
        .validate()
        .map_err(|problem| CheckpointError::Damaged {
            path: dir.join(MANIFEST),
            problem,
        })?;
    let preset = config.preset;
    let sampled = decode_generator(
        &dir,
        &manifest,
        GENERATOR,
        read_verified(&dir, &manifest, GENERATOR)?,
        device,
    )?;
    // Checkpoints from before averaging, and generator-only ones, hold one generator: training
    // continues from it and the average starts there.
    let (generator, average) = if manifest.files.contains_key(GENERATOR_TRAINING) {
        let training = read_verified(&dir, &manifest, GENERATOR_TRAINING)?;
        (
            decode_generator(&dir, &manifest, GENERATOR_TRAINING, training, device)?,
            Some(sampled.valid()),
        )
    } else {
        (sampled, None)
    };
    if is_generator_only(&manifest) {
        return Ok(Trainer::with_generator(
            config,
            generator,
            manifest.step,
            device,
        ));
    }
    let discriminator = config
        .discriminator()
        .init::<B>(&mut skeleton_rng(), device);
    let discriminator_record = decode::<B, _>(&dir, &manifest, DISCRIMINATOR, device)?;
    discriminator
        .check_record(&discriminator_record)
        .map_err(incompatible(dir.join(DISCRIMINATOR), preset))?;
    let discriminator = discriminator.load_record(discriminator_record);
    let mut trainer = Trainer::from_parts(
        config,
        generator,
        discriminator,
        manifest.step,
        manifest.d_batches,
        device,
    );
    trainer.optim_g = trainer
        .optim_g
        .clone()
        .load_record(decode::<B, _>(&dir, &manifest, OPTIM_G, device)?);
    trainer.optim_d = trainer
        .optim_d
        .clone()
        .load_record(decode::<B, _>(&dir, &manifest, OPTIM_D, device)?);
    if trainer.average.is_some() && average.is_some() {
        trainer.average = average;
    }
    Ok(trainer)
}
