//! Writing checkpoints: the folder written whole under a temporary name, renamed into place,
//! then published through `latest`; older ones pruned; a generator exported on its own.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::Optimizer;
use burn::record::Recorder;
use burn::tensor::backend::AutodiffBackend;

use super::{
    CheckpointError, DISCRIMINATOR, FORMAT_VERSION, GENERATOR, GENERATOR_TRAINING, KEEP, LATEST,
    MANIFEST, Manifest, OPTIM_D, OPTIM_G, io_error, md5_hex, read_latest, read_manifest,
    read_verified,
};
use crate::fsutil::write_atomic;
use crate::gan::training::trainer::Trainer;

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
