//! Checkpoints: one folder per save, written whole under a temporary name and renamed into
//! place, then published by rewriting the `latest` pointer file atomically. A kill at any
//! moment leaves `latest` naming a complete checkpoint. Every file's MD5 is in the manifest,
//! so a damaged file is reported as such instead of being half-loaded.

mod load;
mod save;

use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

pub use self::load::{generator_from_bytes, is_generator_only, load_generator, load_trainer};
pub use self::save::{export_generator, save};
use crate::gan::config::TrainConfig;

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

fn md5_hex(bytes: &[u8]) -> String {
    format!("{:x}", Md5::digest(bytes))
}

fn read_latest(run_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(run_dir.join(LATEST)).ok()?;
    let name = text.trim();
    (!name.is_empty() && !name.contains(['/', '\\'])).then(|| name.to_string())
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
