//! Checkpoints: one folder per save, written whole under a temporary name and renamed into
//! place, then published by rewriting the `latest` pointer file atomically. A kill at any
//! moment leaves `latest` naming a complete checkpoint. Every file's MD5 is in the manifest,
//! so a damaged file is reported as such instead of being half-loaded.

use std::path::{Path, PathBuf};

use burn::module::{AutodiffModule, Module};
use burn::optim::Optimizer;
use burn::prelude::*;
use burn::record::Recorder;
use burn::tensor::backend::AutodiffBackend;
use md5::{Digest, Md5};

use crate::fsutil::write_atomic;
use crate::gan::config::TrainConfig;
use crate::gan::latent::SeededRng;
use crate::gan::model::Generator;
use crate::gan::training::trainer::Trainer;

const FORMAT_VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
const LATEST: &str = "latest";
/// Older checkpoints kept besides the newest, as a spare.
const KEEP: usize = 2;

/// The generator to sample from: the moving average where the preset keeps one.
const GENERATOR: &str = "generator.mpk";
/// The generator being trained, where it differs from [`GENERATOR`] (an averaging preset).
const GENERATOR_TRAINING: &str = "generator_training.mpk";
const DISCRIMINATOR: &str = "discriminator.mpk";
const OPTIM_G: &str = "optim_g.mpk";
const OPTIM_D: &str = "optim_d.mpk";

/// What a checkpoint says about itself.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub ganimate_version: String,
    pub config: TrainConfig,
    /// Generator steps taken.
    pub step: u64,
    /// Real batches D has seen: where the data stream resumes.
    pub d_batches: u64,
    /// File name → MD5 of its bytes.
    pub files: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// `error` is part of the message, not a separate source, so it is printed once.
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{}: not a ganimate checkpoint (no {MANIFEST}, nor a `{LATEST}` file naming one)",
        .0.display()
    )]
    NotACheckpoint(PathBuf),
    #[error("{}: damaged checkpoint: {problem}", path.display())]
    Damaged { path: PathBuf, problem: String },
    #[error("{}: {problem}", path.display())]
    Incompatible { path: PathBuf, problem: String },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + '_ {
    move |error| CheckpointError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Saves the whole training state into `run_dir` and points `latest` at it.
/// Returns the checkpoint folder.
pub fn save<B: AutodiffBackend>(
    trainer: &Trainer<B>,
    run_dir: &Path,
) -> Result<PathBuf, CheckpointError> {
    std::fs::create_dir_all(run_dir).map_err(io_error(run_dir))?;
    let name = format!("ckpt-{:08}", trainer.step);
    let final_dir = run_dir.join(&name);
    if final_dir.join(MANIFEST).is_file() && read_latest(run_dir).as_deref() == Some(name.as_str())
    {
        return Ok(final_dir); // This exact state is already saved and published.
    }

    let encode_err = |what: &str, err: burn::record::RecorderError| CheckpointError::Damaged {
        path: final_dir.clone(),
        problem: format!("cannot encode {what}: {err}"),
    };
    let recorder = crate::records::recorder();
    // With an average, `generator.mpk` is the average and the trained G gets a file of its own.
    let trained_file = match trainer.average {
        Some(_) => GENERATOR_TRAINING,
        None => GENERATOR,
    };
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    if let Some(average) = &trainer.average {
        let bytes = recorder
            .record(average.clone().into_record(), ())
            .map_err(|e| encode_err(GENERATOR, e))?;
        files.push((GENERATOR, bytes));
    }
    files.push((
        trained_file,
        recorder
            .record(trainer.generator.clone().into_record(), ())
            .map_err(|e| encode_err(trained_file, e))?,
    ));
    files.extend([
        (
            DISCRIMINATOR,
            recorder
                .record(trainer.discriminator.clone().into_record(), ())
                .map_err(|e| encode_err(DISCRIMINATOR, e))?,
        ),
        (
            OPTIM_G,
            recorder
                .record(trainer.optim_g.to_record(), ())
                .map_err(|e| encode_err(OPTIM_G, e))?,
        ),
        (
            OPTIM_D,
            recorder
                .record(trainer.optim_d.to_record(), ())
                .map_err(|e| encode_err(OPTIM_D, e))?,
        ),
    ]);

    let temp_dir = run_dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = write_folder(&temp_dir, trainer, &files).and_then(|()| {
        if final_dir.exists() {
            std::fs::remove_dir_all(&final_dir).map_err(io_error(&final_dir))?;
        }
        std::fs::rename(&temp_dir, &final_dir).map_err(io_error(&final_dir))?;
        sync_dir(run_dir);
        let latest = run_dir.join(LATEST);
        write_atomic(&latest, |out| {
            use std::io::Write;
            writeln!(out, "{name}")
        })
        .map_err(io_error(&latest))
    });
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&temp_dir);
    }
    // The temporary folder's name means nothing to the user: the error names the checkpoint.
    written.map_err(|err| match err {
        CheckpointError::Io { path, error } if path.starts_with(&temp_dir) => CheckpointError::Io {
            path: final_dir.clone(),
            error,
        },
        other => other,
    })?;
    prune(run_dir, &name);
    Ok(final_dir)
}

fn write_folder<B: AutodiffBackend>(
    dir: &Path,
    trainer: &Trainer<B>,
    files: &[(&str, Vec<u8>)],
) -> Result<(), CheckpointError> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let mut sums = std::collections::BTreeMap::new();
    for (file, bytes) in files {
        let path = dir.join(file);
        write_atomic(&path, |out| std::io::Write::write_all(out, bytes))
            .map_err(io_error(&path))?;
        sums.insert(file.to_string(), md5_hex(bytes));
    }
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        ganimate_version: env!("CARGO_PKG_VERSION").to_string(),
        config: trainer.config().clone(),
        step: trainer.step,
        d_batches: trainer.d_batches,
        files: sums,
    };
    let path = dir.join(MANIFEST);
    let json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    write_atomic(&path, |out| std::io::Write::write_all(out, &json)).map_err(io_error(&path))?;
    sync_dir(dir);
    Ok(())
}

/// Makes renames inside `dir` durable (best effort: not every platform can open a folder).
fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    format!("{:x}", Md5::digest(bytes))
}

fn read_latest(run_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(run_dir.join(LATEST)).ok()?;
    let name = text.trim();
    (!name.is_empty() && !name.contains(['/', '\\'])).then(|| name.to_string())
}

/// Removes leftovers of interrupted saves and all but the newest checkpoints.
fn prune(run_dir: &Path, newest: &str) {
    let Ok(entries) = std::fs::read_dir(run_dir) else {
        return;
    };
    let mut checkpoints = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".ckpt-") && name.contains(".tmp-") {
            let _ = std::fs::remove_dir_all(entry.path());
        } else if name.starts_with("ckpt-") && name.as_str() <= newest {
            checkpoints.push(name);
        }
    }
    checkpoints.sort();
    let excess = checkpoints.len().saturating_sub(KEEP);
    for name in &checkpoints[..excess] {
        let _ = std::fs::remove_dir_all(run_dir.join(name));
    }
}

/// The checkpoint folder `path` names: a checkpoint itself, or a run folder's latest.
pub fn resolve(path: &Path) -> Result<PathBuf, CheckpointError> {
    if path.join(MANIFEST).is_file() {
        return Ok(path.to_path_buf());
    }
    if !path.exists() {
        return Err(CheckpointError::Io {
            path: path.to_path_buf(),
            error: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
        });
    }
    match read_latest(path) {
        Some(name) if path.join(&name).join(MANIFEST).is_file() => Ok(path.join(name)),
        Some(name) => Err(CheckpointError::Damaged {
            path: path.join(LATEST),
            problem: format!("names {name}, which holds no {MANIFEST}"),
        }),
        None => Err(CheckpointError::NotACheckpoint(path.to_path_buf())),
    }
}

/// True when `run_dir` already holds a checkpoint to resume from.
pub fn exists(run_dir: &Path) -> bool {
    resolve(run_dir).is_ok()
}

/// Reads and checks the manifest of the checkpoint `path` names.
pub fn read_manifest(path: &Path) -> Result<(PathBuf, Manifest), CheckpointError> {
    let dir = resolve(path)?;
    let manifest_path = dir.join(MANIFEST);
    let bytes = std::fs::read(&manifest_path).map_err(io_error(&manifest_path))?;
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|err| CheckpointError::Damaged {
            path: manifest_path.clone(),
            problem: format!("unreadable manifest: {err}"),
        })?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(CheckpointError::Incompatible {
            path: manifest_path,
            problem: format!(
                "checkpoint format {} (ganimate {}), this ganimate reads format {FORMAT_VERSION}",
                manifest.format_version, manifest.ganimate_version
            ),
        });
    }
    Ok((dir, manifest))
}

/// Reads one file of a checkpoint, checking it against the manifest's checksum.
fn read_verified(dir: &Path, manifest: &Manifest, file: &str) -> Result<Vec<u8>, CheckpointError> {
    let path = dir.join(file);
    let expected = manifest
        .files
        .get(file)
        .ok_or_else(|| CheckpointError::Damaged {
            path: dir.join(MANIFEST),
            problem: format!("lists no {file}"),
        })?;
    let bytes = std::fs::read(&path).map_err(io_error(&path))?;
    let actual = md5_hex(&bytes);
    if &actual != expected {
        return Err(CheckpointError::Damaged {
            path,
            problem: format!(
                "checksum mismatch (MD5 {actual}, manifest says {expected}): the file was changed or cut short"
            ),
        });
    }
    Ok(bytes)
}

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
    let skeleton = preset.generator().init::<B>(&mut skeleton_rng(), device);
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

/// Writes the generator of checkpoint `path` alone into the new folder `out`: all that
/// sampling and latent walks need, a quarter of a full checkpoint.
pub fn export_generator(path: &Path, out: &Path) -> Result<PathBuf, CheckpointError> {
    let (dir, mut manifest) = read_manifest(path)?;
    let bytes = read_verified(&dir, &manifest, GENERATOR)?;
    if out.exists() {
        return Err(CheckpointError::Io {
            path: out.to_path_buf(),
            error: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "already exists; choose a new folder",
            ),
        });
    }
    manifest.files.retain(|file, _| file == GENERATOR);
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned());
    let temp = parent.join(format!(
        ".{}.tmp-{}",
        name.unwrap_or_default(),
        std::process::id()
    ));
    let written = (|| {
        std::fs::create_dir_all(&temp).map_err(io_error(&temp))?;
        let file = temp.join(GENERATOR);
        write_atomic(&file, |o| std::io::Write::write_all(o, &bytes)).map_err(io_error(&file))?;
        let file = temp.join(MANIFEST);
        let json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
        write_atomic(&file, |o| std::io::Write::write_all(o, &json)).map_err(io_error(&file))?;
        std::fs::rename(&temp, out).map_err(io_error(out))
    })();
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    written.map(|()| out.to_path_buf())
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
    let discriminator = preset
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
