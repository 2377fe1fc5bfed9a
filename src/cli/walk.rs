//! `ganimate walk`: a latent walk rendered headless to MP4, GIF or PNG frames; it loops
//! seamlessly (the last frame leads back to the first).

use std::path::PathBuf;

use crate::backend::{Cpu, Gpu};
use anyhow::bail;
use burn::prelude::Backend;
use clap::Args;

use crate::backend::BackendChoice;
use crate::data::{IMAGE_SIDE, Images, grid};
use crate::gan::latent::Interpolation;
use crate::gan::latent::directions;
use crate::gan::latent::file::LatentFile;
use crate::gan::latent::walk::LatentPath;
use crate::gan::{Generator, Truncation, checkpoint, sample};
use crate::video::{Pixels, VideoSpec, VideoWriter};

/// Frames generated per forward pass.
const FRAMES_PER_BATCH: usize = 64;
/// A walk longer than this is surely a typo (an hour at 30 fps).
const MAX_FRAMES: u64 = 108_000;

#[derive(Args)]
pub struct WalkArgs {
    /// A run folder or checkpoint folder (a generator-only export works too)
    #[arg(long, value_name = "DIR")]
    checkpoint: PathBuf,
    /// Output: walk.mp4 (H.264 through ffmpeg), walk.gif, or a folder for PNG frames
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Keyframes on the looped path
    #[arg(long, default_value_t = 8)]
    keyframes: usize,
    /// Seconds from one keyframe to the next
    #[arg(long, default_value_t = 2.0)]
    seconds_per_key: f64,
    /// Frames per second
    #[arg(long, default_value_t = 30)]
    fps: u32,
    /// Interpolation between keyframes
    #[arg(long, value_enum, default_value_t = Interpolation::Slerp)]
    interp: Interpolation,
    /// Side of the square video in pixels
    #[arg(long, default_value_t = 512)]
    size: u32,
    /// Simultaneous walks, as COLUMNSxROWS (e.g. 4x4)
    #[arg(long, default_value = "1x1", value_parser = parse_grid)]
    grid: (usize, usize),
    /// Truncation ψ: draw from ψ·z, z ~ N(0, I); below 1 gives more typical, less varied
    /// digits (0 < ψ ≤ 2)
    #[arg(long, value_name = "PSI", default_value = "1", allow_negative_numbers = true, value_parser = Truncation::parse)]
    truncation: Truncation,
    /// Seed of the keyframes (or, with --direction, of the starting points)
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Sweep along the generator's K-th direction (1 = the strongest) instead of between
    /// keyframes: from each starting point to +3σ, back, to −3σ and back, in --keyframes ×
    /// --seconds-per-key
    #[arg(long, value_name = "K", conflicts_with = "interp")]
    direction: Option<usize>,
    /// How --direction's directions are found
    #[arg(long, value_enum, default_value_t = directions::Method::Sefa, requires = "direction")]
    directions: directions::Method,
    /// Walk through these latent vectors (files written by `ganimate project`, two or more,
    /// comma-separated) instead of random keyframes; they are used as they are (no truncation)
    #[arg(long, value_name = "FILES", value_delimiter = ',', num_args = 1..,
          conflicts_with_all = ["direction", "keyframes", "truncation", "seed"])]
    keyframes_from: Vec<PathBuf>,
    /// Where to run the generator
    #[arg(long, value_enum, default_value_t = BackendChoice::Cpu)]
    backend: BackendChoice,
}

fn parse_grid(text: &str) -> Result<(usize, usize), String> {
    let (columns, rows) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("`{text}` is not COLUMNSxROWS, e.g. 1x1 or 4x4"))?;
    let parse = |s: &str| {
        s.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=16).contains(n))
    };
    match (parse(columns), parse(rows)) {
        (Some(c), Some(r)) => Ok((c, r)),
        _ => Err(format!("`{text}`: columns and rows must be 1 to 16")),
    }
}

pub fn run(args: WalkArgs) -> anyhow::Result<()> {
    if args.keyframes_from.len() == 1 {
        bail!("--keyframes-from needs two or more files to walk between");
    }
    if !args.keyframes_from.is_empty() && args.grid != (1, 1) {
        bail!("--keyframes-from draws one walk: leave --grid at 1x1");
    }
    if args.keyframes < 2 || args.keyframes > 1000 {
        bail!(
            "--keyframes must be between 2 and 1000, got {}",
            args.keyframes
        );
    }
    if !(args.seconds_per_key.is_finite() && args.seconds_per_key > 0.0) {
        bail!("--seconds-per-key must be a positive number of seconds");
    }
    let frames_per_key = (args.seconds_per_key * f64::from(args.fps))
        .round()
        .max(1.0) as u64;
    let total = frames_per_key * keyframe_count(&args) as u64;
    if total > MAX_FRAMES {
        bail!("that walk has {total} frames; the most is {MAX_FRAMES} (an hour at 30 fps)");
    }
    match super::resolve_backend(args.backend) {
        crate::backend::Resolved::Gpu { .. } => {
            render::<Gpu>(&args, frames_per_key, &Default::default())
        }
        crate::backend::Resolved::Cpu { .. } => {
            render::<Cpu>(&args, frames_per_key, &Default::default())
        }
    }
}

fn render<B: Backend>(
    args: &WalkArgs,
    frames_per_key: u64,
    device: &B::Device,
) -> anyhow::Result<()> {
    let spec = VideoSpec {
        width: args.size,
        height: args.size,
        fps: args.fps,
        pixels: Pixels::Grey,
    };
    // Check the output before loading anything: a bad path should fail at once.
    let mut video = VideoWriter::create(&args.out, spec)?;
    let (generator, manifest) = checkpoint::load_generator::<B>(&args.checkpoint, device)?;
    super::unconditional_only(&generator, &args.checkpoint, "walk")?;
    let latent_dim = generator.latent_dim();
    let (columns, rows) = args.grid;
    let cells = columns * rows;
    let total = frames_per_key * keyframe_count(args) as u64;
    let route = match args.direction {
        None if !args.keyframes_from.is_empty() => {
            let keyframes = args
                .keyframes_from
                .iter()
                .map(|path| LatentFile::load(path, latent_dim).map(|file| file.z))
                .collect::<Result<Vec<_>, _>>()?;
            let mut path = LatentPath::through(keyframes);
            path.interpolation = args.interp;
            Route::Keyframes(vec![path])
        }
        Some(k) => Route::Sweep {
            direction: nth_direction(&generator, args.directions, k, device)?,
            starts: sample::fixed_noise(args.seed, cells, latent_dim),
            latent_dim,
        },
        None => Route::Keyframes(
            (0..cells as u64)
                .map(|n| {
                    let mut path = LatentPath::random_nth(args.seed, n, args.keyframes, latent_dim);
                    path.interpolation = args.interp;
                    path
                })
                .collect(),
        ),
    };
    let bar = super::progress::count_bar(total, "rendering frames");
    let mut frame = 0u64;
    while frame < total {
        let batch: Vec<u64> = (frame..total.min(frame + FRAMES_PER_BATCH as u64)).collect();
        let noise: Vec<f32> = batch
            .iter()
            .flat_map(|&f| route.frame(f, frames_per_key, total))
            .collect();
        // With --keyframes-from, ψ is 1 (clap refuses --truncation): the files' z as they are.
        let images = sample::generate(&generator, &args.truncation.apply(&noise), device);
        for (i, _) in batch.iter().enumerate() {
            let picture = Images {
                count: cells,
                rows: IMAGE_SIDE,
                cols: IMAGE_SIDE,
                pixels: images.pixels[i * cells * IMAGE_SIDE * IMAGE_SIDE
                    ..(i + 1) * cells * IMAGE_SIDE * IMAGE_SIDE]
                    .to_vec(),
            };
            let gap = if cells > 1 { 2 } else { 0 };
            let tiled = grid::tile(&picture, columns, gap);
            let scaled = grid::scale_nearest(&tiled, args.size as usize, args.size as usize);
            video.push(&scaled.pixels)?;
            bar.inc(1);
        }
        frame += batch.len() as u64;
    }
    let frames = video.finish()?;
    bar.finish_and_clear();
    eprintln!(
        "wrote {} ({frames} frames, {:.1} s at {} fps, looping) from step {} ({} preset)",
        args.out.display(),
        frames as f64 / f64::from(args.fps),
        args.fps,
        manifest.step,
        manifest.config.preset
    );
    Ok(())
}

/// Keyframes on the path: the files given, or `--keyframes` random ones.
fn keyframe_count(args: &WalkArgs) -> usize {
    if args.keyframes_from.is_empty() {
        args.keyframes
    } else {
        args.keyframes_from.len()
    }
}

/// What each cell of the video travels.
enum Route {
    /// A looped path through random keyframes.
    Keyframes(Vec<LatentPath>),
    /// From each start along one direction and back, both ways.
    Sweep {
        direction: Vec<f32>,
        starts: Vec<f32>,
        latent_dim: usize,
    },
}

/// How far a sweep goes each way, in standard deviations of the noise.
const SWEEP_REACH: f32 = 3.0;

impl Route {
    /// The latent vectors of every cell at frame `frame` of `total`.
    fn frame(&self, frame: u64, frames_per_key: u64, total: u64) -> Vec<f32> {
        match self {
            Route::Keyframes(paths) => {
                let position = frame as f32 / frames_per_key as f32;
                paths.iter().flat_map(|path| path.point(position)).collect()
            }
            Route::Sweep {
                direction,
                starts,
                latent_dim,
            } => {
                let phase = std::f32::consts::TAU * frame as f32 / total as f32;
                let distance = SWEEP_REACH * phase.sin();
                starts
                    .chunks_exact(*latent_dim)
                    .flat_map(|start| directions::along(start, direction, distance))
                    .collect()
            }
        }
    }
}

/// Direction `k` (1 = the strongest) of `generator` by `method`, or why there is none.
fn nth_direction<B: Backend>(
    generator: &Generator<B>,
    method: directions::Method,
    k: usize,
    device: &B::Device,
) -> anyhow::Result<Vec<f32>> {
    let mut found = directions::find(generator, method, device);
    if !(1..=found.len()).contains(&k) {
        bail!(
            "--direction {k}: {} gives this generator directions 1 to {}",
            method.name(),
            found.len()
        );
    }
    Ok(found.vectors.swap_remove(k - 1))
}

#[cfg(test)]
mod tests {
    use super::parse_grid;

    #[test]
    fn grid_shapes() {
        assert_eq!(parse_grid("1x1"), Ok((1, 1)));
        assert_eq!(parse_grid("4X3"), Ok((4, 3)));
        assert!(parse_grid("4").is_err());
        assert!(parse_grid("0x2").is_err());
        assert!(parse_grid("17x1").is_err());
    }
}
