//! The progress frames `ganimate train` and `ganimate toy train` draw as they go: a grid of
//! the same noise's digits, or the toy lab's picture of the scene, as PNGs under the run's
//! `samples/` and, with `--video`, as a time-lapse.

use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::tensor::backend::AutodiffBackend;

use crate::data::grid::{self, Grey};
use crate::gan::live::{self, Players};
use crate::gan::{Trainer, sample};
use crate::toy::ToyData;
use crate::toy::picture::{self, Layers, Marks};
use crate::toy::view::{self, ViewRequest};
use crate::video::{Pixels, VideoSpec, VideoWriter};

/// Digits in each progress frame.
const FRAME_DIGITS: usize = 64;
/// Time-lapse frames per second: one frame per --sample-every steps.
const TIMELAPSE_FPS: u32 = 10;
/// Time-lapse pixels per progress-frame pixel of the digits.
const TIMELAPSE_SCALE: usize = 2;
/// Side of the toy lab's frames, in pixels, and the fakes drawn in them (as in the app).
const TOY_PIXELS: u32 = 480;
const TOY_FAKES: usize = 1_000;

/// What the frames show.
enum Subject {
    /// The same noise's digits, tiled.
    Digits { noise: Vec<f32> },
    /// The toy lab's picture, with the modes no fake reached ringed.
    Toy { data: ToyData, request: ViewRequest },
}

/// One progress frame.
enum Picture {
    Grey(Grey),
    Rgb { side: u32, pixels: Vec<u8> },
}

pub(in crate::cli) struct Frames<B: AutodiffBackend> {
    subject: Subject,
    folder: PathBuf,
    /// The time-lapse and where it goes.
    video: Option<(VideoWriter, PathBuf)>,
    device: B::Device,
}

impl<B: AutodiffBackend> Frames<B> {
    /// Frames of `trainer`'s digits into `run_dir/samples`, and into `video` if given.
    pub(super) fn open(
        trainer: &Trainer<B>,
        run_dir: &Path,
        video: Option<&Path>,
        device: &B::Device,
    ) -> anyhow::Result<Self> {
        let config = trainer.config();
        let noise = sample::fixed_noise(config.seed, FRAME_DIGITS, config.generator().latent_dim);
        Self::with(Subject::Digits { noise }, trainer, run_dir, video, device)
    }

    /// Frames of the toy lab's scene of `trainer` on `data`, as the app draws it.
    pub(in crate::cli) fn toy(
        trainer: &Trainer<B>,
        data: ToyData,
        run_dir: &Path,
        video: Option<&Path>,
        device: &B::Device,
    ) -> anyhow::Result<Self> {
        let request = ViewRequest::new(
            &data,
            trainer.latent_dim(),
            TOY_FAKES,
            trainer.config().seed,
        );
        Self::with(
            Subject::Toy { data, request },
            trainer,
            run_dir,
            video,
            device,
        )
    }

    fn with(
        subject: Subject,
        trainer: &Trainer<B>,
        run_dir: &Path,
        video: Option<&Path>,
        device: &B::Device,
    ) -> anyhow::Result<Self> {
        let mut frames = Self {
            subject,
            folder: run_dir.join("samples"),
            video: None,
            device: device.clone(),
        };
        if let Some(path) = video {
            let (side, pixels) = match frames.picture(trainer) {
                Picture::Grey(tile) => ((tile.width * TIMELAPSE_SCALE) as u32, Pixels::Grey),
                Picture::Rgb { side, .. } => (side, Pixels::Rgb),
            };
            let spec = VideoSpec {
                width: side,
                height: side,
                fps: TIMELAPSE_FPS,
                pixels,
            };
            frames.video = Some((VideoWriter::create(path, spec)?, path.to_path_buf()));
        }
        Ok(frames)
    }

    pub(super) fn folder(&self) -> &Path {
        &self.folder
    }

    fn picture(&self, trainer: &Trainer<B>) -> Picture {
        match &self.subject {
            Subject::Digits { noise } => {
                let images = sample::generate(&trainer.generator(), noise, &self.device);
                Picture::Grey(grid::tile(&images, grid::columns_for(images.count), 2))
            }
            Subject::Toy { data, request } => {
                let Players {
                    discriminator,
                    generator,
                    ..
                } = Players::of(trainer);
                let scene = view::look(discriminator.as_ref(), generator.as_ref(), request);
                let sampler = live::sampler_of(trainer);
                let scores = view::measure(
                    sampler.as_ref(),
                    data,
                    trainer.latent_dim(),
                    trainer.config().seed,
                );
                let marks = Marks {
                    missed: data.missed_centres(&scores),
                    drawn: Vec::new(),
                };
                let rgba = picture::draw(&scene, TOY_PIXELS, Layers::default(), &marks);
                let pixels = rgba
                    .chunks_exact(4)
                    .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
                    .collect();
                Picture::Rgb {
                    side: TOY_PIXELS,
                    pixels,
                }
            }
        }
    }

    /// Adds the current frame to the time-lapse and, with `png`, writes it as the step's PNG
    /// (a resumed run already has the PNG of its first step; its time-lapse still starts there).
    pub(super) fn write(&mut self, trainer: &Trainer<B>, png: bool) -> anyhow::Result<()> {
        let picture = self.picture(trainer);
        if png {
            let path = self
                .folder
                .join(format!("step-{:08}.png", trainer.step_count()));
            match &picture {
                Picture::Grey(tile) => grid::write_png(&path, tile),
                Picture::Rgb { side, pixels } => grid::write_rgb_png(&path, *side, *side, pixels),
            }
            .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if let Some((video, _)) = self.video.as_mut() {
            match picture {
                Picture::Grey(tile) => {
                    let side = tile.width * TIMELAPSE_SCALE;
                    video.push(&grid::scale_nearest(&tile, side, side).pixels)?;
                }
                Picture::Rgb { pixels, .. } => video.push(&pixels)?,
            }
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
