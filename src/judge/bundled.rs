//! The MNIST judge shipped inside the binary: trained once on the 60,000 training digits and
//! measured on the 10,000 test digits it never saw (`ganimate classifier --data
//! ../shared/data/mnist-full --out assets/judge`), its layers later converted, unchanged, from
//! patches-times-a-matrix to `Conv2d` (docs/performance.md). With it, `eval`, the lessons and
//! `bench --quality` judge MNIST at once, with no minutes of training on first use.

use std::path::Path;

use burn::prelude::Backend;

use super::cache::{self, JudgeError, JudgeInfo};
use super::classifier::Classifier;
use crate::data::DatasetKind;

/// Where the bundle lives in the source tree, for messages.
pub const SOURCE: &str = "assets/judge/mnist.mpk";
const WEIGHTS: &[u8] = include_bytes!("../../assets/judge/mnist.mpk");
const INFO: &str = include_str!("../../assets/judge/mnist.json");

/// Whether a judge ships for `kind`.
pub fn ships_for(kind: DatasetKind) -> bool {
    kind == DatasetKind::Mnist
}

/// The bundled judge of `kind`, if one ships for it (MNIST only: other datasets train theirs).
pub fn for_dataset<B: Backend>(
    kind: DatasetKind,
    device: &B::Device,
) -> Result<Option<(Classifier<B>, JudgeInfo)>, JudgeError> {
    if !ships_for(kind) {
        return Ok(None);
    }
    let info = info()?;
    let model = cache::decode(WEIGHTS.to_vec(), &info, Path::new(SOURCE), device)?;
    Ok(Some((model, info)))
}

/// What the bundle records of itself: its accuracy on the test split and its weights' MD5.
pub fn info() -> Result<JudgeInfo, JudgeError> {
    serde_json::from_str(INFO).map_err(|e| JudgeError::Damaged {
        path: Path::new(SOURCE).with_extension("json"),
        problem: e.to_string(),
    })
}

/// The bundled weights, as shipped.
pub fn weights() -> &'static [u8] {
    WEIGHTS
}
