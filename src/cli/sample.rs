//! `ganimate sample`: digits from a checkpoint, as a PNG grid or an IDX3 file.

use std::path::{Path, PathBuf};

use crate::backend::{Cpu, Gpu};
use anyhow::{Context, bail};
use burn::prelude::Backend;
use clap::Args;

use crate::backend::BackendChoice;
use crate::data::{IMAGE_SIDE, Images, grid, idx};
use crate::gan::{Truncation, checkpoint, sample};

#[derive(Args)]
pub struct SampleArgs {
    /// A run folder written by `ganimate train --out`, or one checkpoint folder in it
    #[arg(long, value_name = "DIR")]
    checkpoint: PathBuf,
    /// How many digits to generate
    #[arg(long, default_value_t = 64)]
    n: usize,
    /// Noise seed; default: the run's seed, which gives the same digits as its progress frames
    #[arg(long)]
    seed: Option<u64>,
    /// Truncation ψ: draw from ψ·z, z ~ N(0, I); below 1 gives more typical, less varied
    /// digits (0 < ψ ≤ 2)
    #[arg(long, value_name = "PSI", default_value = "1", allow_negative_numbers = true, value_parser = Truncation::parse)]
    truncation: Truncation,
    /// Output file: .png writes a grid, .idx an IDX3 u8 file readable as a dataset
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Where to run the generator (sampling is light: the CPU starts fastest)
    #[arg(long, value_enum, default_value_t = BackendChoice::Cpu)]
    backend: BackendChoice,
}

#[derive(Clone, Copy)]
enum Format {
    Png,
    Idx,
}

fn format_of(path: &Path) -> anyhow::Result<Format> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => Ok(Format::Png),
        Some("idx") => Ok(Format::Idx),
        _ => bail!(
            "{}: unknown output format: use a .png (grid) or .idx (IDX3 images) file name",
            path.display()
        ),
    }
}

pub fn run(args: SampleArgs) -> anyhow::Result<()> {
    let format = format_of(&args.out)?;
    if args.n == 0 || args.n > 1_000_000 {
        bail!("--n must be between 1 and 1000000, got {}", args.n);
    }
    match super::resolve_backend(args.backend) {
        crate::backend::Resolved::Gpu { .. } => generate::<Gpu>(&args, format, &Default::default()),
        crate::backend::Resolved::Cpu { .. } => generate::<Cpu>(&args, format, &Default::default()),
    }
}

fn generate<B: Backend>(
    args: &SampleArgs,
    format: Format,
    device: &B::Device,
) -> anyhow::Result<()> {
    let (generator, manifest) = checkpoint::load_generator::<B>(&args.checkpoint, device)?;
    let seed = args.seed.unwrap_or(manifest.config.seed);
    let noise = args
        .truncation
        .apply(&sample::fixed_noise(seed, args.n, generator.latent_dim()));
    // Generate in chunks so a large --n never needs one huge device buffer.
    let mut images = Images {
        count: 0,
        rows: IMAGE_SIDE,
        cols: IMAGE_SIDE,
        pixels: Vec::new(),
    };
    for chunk in noise.chunks(1024 * generator.latent_dim()) {
        let part = sample::generate(&generator, chunk, device);
        images.count += part.count;
        images.pixels.extend(part.pixels);
    }
    let written = match format {
        Format::Png => grid::write_png(
            &args.out,
            &grid::tile(&images, grid::columns_for(images.count), 2),
        ),
        Format::Idx => idx::write_images(&args.out, &images),
    };
    written.with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "wrote {} digits from step {} ({} preset, seed {seed}, truncation {}) to {}",
        images.count,
        manifest.step,
        manifest.config.preset,
        args.truncation,
        args.out.display()
    );
    Ok(())
}
