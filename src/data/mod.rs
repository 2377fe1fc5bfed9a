//! Datasets: IDX files, where to find them, and the first-run download.

pub mod digitize;
pub mod download;
pub mod grid;
pub mod idx;
pub mod source;

use std::path::{Path, PathBuf};

pub use idx::{IdxError, Images};
pub use source::{DataSource, DatasetKind};

/// Side of the square images every preset generates.
pub const IMAGE_SIDE: usize = 28;
/// Pixels per image, the width of the generator's output and the discriminator's input.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

/// Grey bytes scaled to [-1, 1], the range of the generator's `tanh` output.
pub fn normalize(pixels: &[u8]) -> Vec<f32> {
    pixels.iter().map(|&p| f32::from(p) / 127.5 - 1.0).collect()
}

/// Which half of a dataset was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

impl Split {
    pub fn file_prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "t10k",
        }
    }
}

/// Images and their labels, checked to be 28×28 and equally many.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub kind: DatasetKind,
    pub split: Split,
    pub images: Images,
    pub labels: Vec<u8>,
    /// Where the images came from, for messages.
    pub images_path: PathBuf,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.images.count
    }

    pub fn is_empty(&self) -> bool {
        self.images.count == 0
    }

    /// Pixels scaled to [-1, 1], the range of the generator's `tanh` output.
    pub fn normalized_pixels(&self) -> Vec<f32> {
        normalize(&self.images.pixels)
    }

    /// The first `count` digits (all of them where there are fewer), scaled like
    /// [`Self::normalized_pixels`].
    pub fn first_normalized(&self, count: usize) -> Vec<f32> {
        normalize(&self.images.pixels[..count.min(self.len()) * IMAGE_PIXELS])
    }

    /// The folder the images came from, where the other split of the dataset sits.
    pub fn folder(&self) -> &Path {
        self.images_path.parent().unwrap_or(Path::new("."))
    }

    /// Loads one split from explicit image and label files.
    pub fn load_files(
        kind: DatasetKind,
        split: Split,
        images_path: &Path,
        labels_path: &Path,
    ) -> Result<Self, IdxError> {
        let images = idx::read_images(images_path)?;
        if images.rows != IMAGE_SIDE || images.cols != IMAGE_SIDE {
            return Err(IdxError {
                path: images_path.to_path_buf(),
                problem: format!(
                    "images are {}×{}, ganimate needs {IMAGE_SIDE}×{IMAGE_SIDE}",
                    images.rows, images.cols
                ),
            });
        }
        if images.count == 0 {
            return Err(IdxError {
                path: images_path.to_path_buf(),
                problem: "holds no images".into(),
            });
        }
        let labels = idx::read_labels(labels_path)?;
        if labels.len() != images.count {
            return Err(IdxError {
                path: labels_path.to_path_buf(),
                problem: format!(
                    "{} labels for {} images in {}",
                    labels.len(),
                    images.count,
                    images_path.display()
                ),
            });
        }
        Ok(Self {
            kind,
            split,
            images,
            labels,
            images_path: images_path.to_path_buf(),
        })
    }
}
