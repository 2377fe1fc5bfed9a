//! The judge on disk: its weights and the info beside them (what it was trained on, how well it
//! does, the weights' MD5), cached per dataset so a damaged or stale file is retrained rather
//! than half-loaded.

use std::path::{Path, PathBuf};

use burn::prelude::*;
use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder};
use md5::{Digest, Md5};

use crate::data::Dataset;
use crate::fsutil::write_atomic;
use crate::judge::classifier::{Classifier, VERSION};

/// What the cache file says besides the weights.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct JudgeInfo {
    pub version: u32,
    /// MD5 of the dataset's pixels and labels the judge was trained on.
    pub dataset_checksum: String,
    pub trained_on: usize,
    pub held_out: usize,
    pub accuracy: f64,
    /// MD5 of the weights file, so a damaged cache is retrained rather than half-loaded.
    pub weights_md5: String,
}

/// MD5 of a dataset's pixels and labels: names its judge in the cache.
pub fn dataset_checksum(dataset: &Dataset) -> String {
    let mut hasher = Md5::new();
    hasher.update(&dataset.images.pixels);
    hasher.update(&dataset.labels);
    format!("{:x}", hasher.finalize())
}

/// The cache file of the judge for a dataset with this checksum, under `cache_dir`.
pub fn cache_path(cache_dir: &Path, checksum: &str) -> PathBuf {
    cache_dir.join(format!(
        "judge-v{VERSION}-{}.mpk",
        &checksum[..checksum.len().min(16)]
    ))
}

fn info_path(weights: &Path) -> PathBuf {
    weights.with_extension("json")
}

#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: damaged judge: {problem}", path.display())]
    Damaged { path: PathBuf, problem: String },
}

/// Saves the judge and its info (each file atomically; the info last, as the "complete" mark).
pub fn save<B: Backend>(
    model: &Classifier<B>,
    info: &mut JudgeInfo,
    path: &Path,
) -> Result<(), JudgeError> {
    let bytes = NamedMpkBytesRecorder::<FullPrecisionSettings>::default()
        .record(model.clone().into_record(), ())
        .map_err(|e| JudgeError::Damaged {
            path: path.to_path_buf(),
            problem: e.to_string(),
        })?;
    info.weights_md5 = format!("{:x}", Md5::digest(&bytes));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| JudgeError::Io { path, error }
    };
    write_atomic(path, |out| std::io::Write::write_all(out, &bytes)).map_err(io(path))?;
    let info_file = info_path(path);
    let json = serde_json::to_vec_pretty(info).expect("info serialises");
    write_atomic(&info_file, |out| std::io::Write::write_all(out, &json)).map_err(io(&info_file))
}

/// Loads a cached judge; `None` when there is none (or only half of one).
pub fn load<B: Backend>(
    path: &Path,
    device: &B::Device,
) -> Result<Option<(Classifier<B>, JudgeInfo)>, JudgeError> {
    let info_file = info_path(path);
    if !path.is_file() || !info_file.is_file() {
        return Ok(None);
    }
    let damaged = |problem: String| JudgeError::Damaged {
        path: path.to_path_buf(),
        problem,
    };
    let read = |p: &Path| {
        std::fs::read(p).map_err(|error| JudgeError::Io {
            path: p.to_path_buf(),
            error,
        })
    };
    let info: JudgeInfo =
        serde_json::from_slice(&read(&info_file)?).map_err(|e| damaged(e.to_string()))?;
    let model = decode(read(path)?, &info, path, device)?;
    Ok(Some((model, info)))
}

/// The judge in `bytes` (read from `origin`), once they match `info`'s MD5 and version.
pub fn decode<B: Backend>(
    bytes: Vec<u8>,
    info: &JudgeInfo,
    origin: &Path,
    device: &B::Device,
) -> Result<Classifier<B>, JudgeError> {
    let damaged = |problem: String| JudgeError::Damaged {
        path: origin.to_path_buf(),
        problem,
    };
    if format!("{:x}", Md5::digest(&bytes)) != info.weights_md5 || info.version != VERSION {
        return Err(damaged("checksum mismatch".into()));
    }
    let record = crate::records::load(bytes, device).map_err(damaged)?;
    Ok(Classifier::<B>::init(0, device).load_record(record))
}
