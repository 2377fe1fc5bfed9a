//! The progress frames `ganimate train` draws as it goes: a grid of the same noise's digits,
//! as PNGs under the run's `samples/` and, with `--video`, as a time-lapse.

use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::tensor::backend::AutodiffBackend;

use crate::data::grid::{self, Grey};
use crate::gan::{Trainer, sample};
use crate::video::{Pixels, VideoSpec, VideoWriter};

/// Digits in each progress frame.
const FRAME_DIGITS: usize = 64;
/// Time-lapse frames per second: one frame per --sample-every steps.
const TIMELAPSE_FPS: u32 = 10;
/// Time-lapse pixels per progress-frame pixel.
const TIMELAPSE_SCALE: usize = 2;

pub(in crate::cli) struct Frames<B: AutodiffBackend> {
    noise: Vec<f32>,
    folder: PathBuf,
    /// The time-lapse and where it goes.
    video: Option<(VideoWriter, PathBuf)>,
    device: B::Device,
}

impl<B: AutodiffBackend> Frames<B> {
    /// Frames of `trainer`'s generator into `run_dir/samples`, and into `video` if given.
    pub(super) fn open(
        trainer: &Trainer<B>,
        run_dir: &Path,
        video: Option<&Path>,
        device: &B::Device,
    ) -> anyhow::Result<Self> {
        let config = trainer.config();
        let mut frames = Self {
            noise: sample::fixed_noise(config.seed, FRAME_DIGITS, config.generator().latent_dim),
            folder: run_dir.join("samples"),
            video: None,
            device: device.clone(),
        };
        if let Some(path) = video {
            let side = frames.tile(trainer).width * TIMELAPSE_SCALE;
            let spec = VideoSpec {
                width: side as u32,
                height: side as u32,
                fps: TIMELAPSE_FPS,
                pixels: Pixels::Grey,
            };
            frames.video = Some((VideoWriter::create(path, spec)?, path.to_path_buf()));
        }
        Ok(frames)
    }

    pub(super) fn folder(&self) -> &Path {
        &self.folder
    }

    fn tile(&self, trainer: &Trainer<B>) -> Grey {
        let images = sample::generate(&trainer.generator(), &self.noise, &self.device);
        grid::tile(&images, grid::columns_for(images.count), 2)
    }

    /// Adds the current digits to the time-lapse and, with `png`, writes them as the step's PNG
    /// (a resumed run already has the PNG of its first step; its time-lapse still starts there).
    pub(super) fn write(&mut self, trainer: &Trainer<B>, png: bool) -> anyhow::Result<()> {
        let picture = self.tile(trainer);
        if png {
            let path = self
                .folder
                .join(format!("step-{:08}.png", trainer.step_count()));
            grid::write_png(&path, &picture)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if let Some((video, _)) = self.video.as_mut() {
            let side = picture.width * TIMELAPSE_SCALE;
            video.push(&grid::scale_nearest(&picture, side, side).pixels)?;
        }
        Ok(())
    }

    /// Completes the time-lapse (it covers the steps trained so far) and says where it is.
    pub(super) fn finish(self, sample_every: u64) -> anyhow::Result<()> {
        if let Some((video, path)) = self.video {
            let frames = video.finish()?;
            eprintln!(
                "time-lapse: {} ({frames} frames at {TIMELAPSE_FPS} fps, one every \
                 {sample_every} steps)",
                path.display(),
            );
        }
        Ok(())
    }
}
