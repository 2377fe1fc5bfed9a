//! Where a dataset's files come from: `--data DIR`, then `GANIMATE_DATA`, then a system copy
//! (Debian's `dataset-fashion-mnist`), then the user's cache, downloading into it on first use.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{Dataset, Split, download};
use crate::fsutil::tidy;

/// Environment variable naming a folder of dataset files.
pub const DATA_ENV: &str = "GANIMATE_DATA";

/// The datasets ganimate knows how to find and download.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    #[default]
    Mnist,
    FashionMnist,
}

impl DatasetKind {
    /// The name used for folders and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "mnist",
            DatasetKind::FashionMnist => "fashion-mnist",
        }
    }

    /// A folder where a system package installs this dataset.
    fn system_dir(self) -> Option<&'static Path> {
        match self {
            DatasetKind::Mnist => None,
            DatasetKind::FashionMnist => Some(Path::new("/usr/share/datasets/fashion-mnist")),
        }
    }
}

impl fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the folder holding the files was chosen, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// `--data DIR`
    Explicit(PathBuf),
    /// `$GANIMATE_DATA`
    Environment(PathBuf),
    /// A system package's folder.
    System(PathBuf),
    /// The user's cache folder.
    Cache(PathBuf),
}

impl DataSource {
    pub fn dir(&self) -> &Path {
        match self {
            DataSource::Explicit(dir)
            | DataSource::Environment(dir)
            | DataSource::System(dir)
            | DataSource::Cache(dir) => dir,
        }
    }
}

impl fmt::Display for DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataSource::Explicit(dir) => write!(f, "{} (--data)", tidy(dir)),
            DataSource::Environment(dir) => write!(f, "{} (${DATA_ENV})", tidy(dir)),
            DataSource::System(dir) => write!(f, "{} (system package)", tidy(dir)),
            DataSource::Cache(dir) => write!(f, "{} (cache)", tidy(dir)),
        }
    }
}

/// Why no dataset could be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    File(#[from] super::IdxError),
    #[error(
        "{}: no {kind} files here: expected train-images-idx3-ubyte.gz and \
         train-labels-idx1-ubyte.gz (or the t10k-… test split), gzipped or not",
        dir.display()
    )]
    NoFiles { dir: PathBuf, kind: DatasetKind },
    #[error("{}: not a folder", .0.display())]
    NotADir(PathBuf),
    #[error(
        "{kind} is not on this machine and could not be downloaded ({reason}).\n\
         Put its four files ({files}) in {cache}, or pass --data DIR, or set {DATA_ENV}=DIR",
        files = download::file_names(*kind).join(", "),
        cache = tidy(cache)
    )]
    Offline {
        kind: DatasetKind,
        cache: PathBuf,
        reason: String,
    },
    #[error("no cache folder on this system: pass --data DIR or set {DATA_ENV}=DIR")]
    NoCacheDir,
}

/// The cache folder for a dataset: `<OS cache dir>/ganimate/<dataset>/`.
pub fn cache_dir(kind: DatasetKind) -> Option<PathBuf> {
    dirs::cache_dir().map(|dir| dir.join("ganimate").join(kind.name()))
}

/// The files of one split found in a folder.
#[derive(Debug, Clone)]
pub struct SplitFiles {
    pub split: Split,
    pub images: PathBuf,
    pub labels: PathBuf,
}

/// Finds the training split in `dir`, or the test split where no training split is there.
/// Labels are looked up beside the images; a missing labels file is reported when loading.
pub fn find_split(dir: &Path) -> Option<SplitFiles> {
    [Split::Train, Split::Test].into_iter().find_map(|split| {
        let images = find_file(dir, &format!("{}-images-idx3-ubyte", split.file_prefix()))?;
        let labels_stem = format!("{}-labels-idx1-ubyte", split.file_prefix());
        let labels =
            find_file(dir, &labels_stem).unwrap_or_else(|| dir.join(format!("{labels_stem}.gz")));
        Some(SplitFiles {
            split,
            images,
            labels,
        })
    })
}

/// The test split in `dir`: digits a judge trained on the training split never saw.
pub fn load_test_split(dir: &Path, kind: DatasetKind) -> Result<Dataset, DataError> {
    let prefix = Split::Test.file_prefix();
    let images = find_file(dir, &format!("{prefix}-images-idx3-ubyte")).ok_or_else(|| {
        DataError::NoFiles {
            dir: dir.to_path_buf(),
            kind,
        }
    })?;
    let labels_stem = format!("{prefix}-labels-idx1-ubyte");
    let labels =
        find_file(dir, &labels_stem).unwrap_or_else(|| dir.join(format!("{labels_stem}.gz")));
    Ok(Dataset::load_files(kind, Split::Test, &images, &labels)?)
}

fn find_file(dir: &Path, stem: &str) -> Option<PathBuf> {
    [format!("{stem}.gz"), stem.to_string()]
        .into_iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// Where to look, in order; `allow_download` lets the cache be filled from the mirrors.
pub struct DataRequest<'a> {
    pub kind: DatasetKind,
    pub explicit_dir: Option<&'a Path>,
    pub allow_download: bool,
}

/// Finds the dataset's folder without downloading: the first source that holds its files.
pub fn locate(
    kind: DatasetKind,
    explicit_dir: Option<&Path>,
) -> Result<Option<(DataSource, SplitFiles)>, DataError> {
    if let Some(dir) = explicit_dir {
        return explicit_folder(DataSource::Explicit(dir.to_path_buf()), kind).map(Some);
    }
    if let Some(dir) = std::env::var_os(DATA_ENV).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        // A folder of datasets (`$GANIMATE_DATA/mnist/…`) or of one dataset's files.
        let nested = dir.join(kind.name());
        let dir = if nested.is_dir() { nested } else { dir };
        return explicit_folder(DataSource::Environment(dir), kind).map(Some);
    }
    let candidates = kind
        .system_dir()
        .map(|dir| DataSource::System(dir.to_path_buf()))
        .into_iter()
        .chain(cache_dir(kind).map(DataSource::Cache));
    for source in candidates {
        if let Some(files) = find_split(source.dir()) {
            return Ok(Some((source, files)));
        }
    }
    Ok(None)
}

fn explicit_folder(
    source: DataSource,
    kind: DatasetKind,
) -> Result<(DataSource, SplitFiles), DataError> {
    let dir = source.dir();
    if !dir.is_dir() {
        return Err(if dir.exists() {
            DataError::NotADir(dir.to_path_buf())
        } else {
            super::IdxError {
                path: dir.to_path_buf(),
                problem: "folder not found".into(),
            }
            .into()
        });
    }
    let files = find_split(dir).ok_or_else(|| DataError::NoFiles {
        dir: dir.to_path_buf(),
        kind,
    })?;
    Ok((source, files))
}

/// Loads the dataset from the first source that has it, downloading into the cache if allowed.
pub fn load(
    request: &DataRequest,
    progress: &mut dyn download::Progress,
) -> Result<(DataSource, Dataset), DataError> {
    let (source, files) = match locate(request.kind, request.explicit_dir)? {
        Some(found) => found,
        None => {
            let cache = cache_dir(request.kind).ok_or(DataError::NoCacheDir)?;
            if !request.allow_download {
                return Err(DataError::Offline {
                    kind: request.kind,
                    cache,
                    reason: "downloads are off".into(),
                });
            }
            download::download_dataset(request.kind, &cache, progress).map_err(|err| {
                DataError::Offline {
                    kind: request.kind,
                    cache: cache.clone(),
                    reason: err.to_string(),
                }
            })?;
            let files = find_split(&cache).ok_or(DataError::NoFiles {
                dir: cache.clone(),
                kind: request.kind,
            })?;
            (DataSource::Cache(cache), files)
        }
    };
    let dataset = Dataset::load_files(request.kind, files.split, &files.images, &files.labels)?;
    Ok((source, dataset))
}
