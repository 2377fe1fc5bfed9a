//! `ganimate sample`: digits from a checkpoint, as a PNG grid or an IDX3 file.

use std::path::{Path, PathBuf};

use crate::backend::{Cpu, Gpu};
use anyhow::{Context, bail};
use burn::prelude::Backend;
use clap::Args;

use crate::backend::BackendChoice;
use crate::data::{IMAGE_PIXELS, IMAGE_SIDE, Images, grid, idx};
use crate::gan::model::classes::{DIGIT_CLASSES, cycling_labels};
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
    /// A conditional checkpoint's digits all of this class (0 to 9); without it, each class in
    /// turn
    #[arg(long, value_parser = parse_class, conflicts_with = "classes")]
    class: Option<u8>,
    /// A conditional checkpoint's styles × classes grid: one row per class (`0-9`, `3,8,1`),
    /// --n digits in each, the digits of a column drawn from the same noise
    #[arg(long, value_name = "LIST", value_parser = parse_classes)]
    classes: Option<Classes>,
}

/// The digit classes a conditional G is asked for, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes(Vec<u8>);

/// One class, 0 to 9.
pub(super) fn parse_class(text: &str) -> Result<u8, String> {
    text.trim()
        .parse::<u8>()
        .ok()
        .filter(|&class| usize::from(class) < DIGIT_CLASSES)
        .ok_or_else(|| format!("a digit class is 0 to 9, got '{text}'"))
}

/// Classes as a list (`3,8,1`), a range (`0-9`) or both (`0-2,7`).
pub(super) fn parse_classes(text: &str) -> Result<Classes, String> {
    let mut classes = Vec::new();
    for part in text.split(',') {
        let wrong =
            || format!("classes are 0 to 9, as a list (3,8,1) or a range (0-9); got '{part}'");
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (
                    parse_class(from).map_err(|_| wrong())?,
                    parse_class(to).map_err(|_| wrong())?,
                );
                if from > to {
                    return Err(wrong());
                }
                classes.extend(from..=to);
            }
            None => classes.push(parse_class(part).map_err(|_| wrong())?),
        }
    }
    Ok(Classes(classes))
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
    if let Some(classes) = &args.classes
        && args.n * classes.0.len() > 1_000_000
    {
        bail!(
            "--n {} in each of {} rows is over 1000000 digits",
            args.n,
            classes.0.len()
        );
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
    let latent_dim = generator.latent_dim();
    let mut noise = args
        .truncation
        .apply(&sample::fixed_noise(seed, args.n, latent_dim));
    let classes = generator.classes();
    let asked = match (args.class, &args.classes) {
        (None, None) => (classes > 0).then(|| cycling_labels(args.n, classes)),
        (Some(class), _) => Some(vec![class; args.n]),
        (None, Some(Classes(rows))) => {
            // Every row draws from the same noise: the styles are the columns.
            noise = noise.repeat(rows.len());
            Some(rows.iter().flat_map(|&class| vec![class; args.n]).collect())
        }
    };
    if classes == 0 && (args.class.is_some() || args.classes.is_some()) {
        bail!(
            "{}: its generator ({} preset) is unconditional and draws no class on request; \
             --class and --classes need a checkpoint trained with --preset conditional",
            args.checkpoint.display(),
            manifest.config.preset
        );
    }
    let values = sample::generate_asking(&generator, &noise, asked.as_deref(), device);
    let images = Images {
        count: values.len() / IMAGE_PIXELS,
        rows: IMAGE_SIDE,
        cols: IMAGE_SIDE,
        pixels: sample::to_grey(&values),
    };
    let columns = match &args.classes {
        Some(_) => args.n,
        None => grid::columns_for(images.count),
    };
    let written = match format {
        Format::Png => grid::write_png(&args.out, &grid::tile(&images, columns, 2)),
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
