//! `ganimate project`: finds the latent vector whose digit best matches a picture, for walks
//! from your own digit (`walk --keyframes-from`).

use std::path::PathBuf;

use anyhow::bail;
use burn::prelude::Backend;
use clap::Args;

use crate::backend::{BackendChoice, Cpu, Gpu};
use crate::data::{IMAGE_SIDE, Images, digitize, grid, normalize};
use crate::gan::checkpoint;
use crate::gan::latent::file::LatentFile;
use crate::gan::latent::projection::{self, ProjectionConfig};
use crate::gan::sample;

#[derive(Args)]
pub struct ProjectArgs {
    /// A run folder or checkpoint folder (a generator-only export works too)
    #[arg(long, value_name = "DIR")]
    checkpoint: PathBuf,
    /// A PNG of a digit, any size: dark on light or light on dark, fitted and centred as MNIST
    #[arg(long, value_name = "FILE")]
    image: PathBuf,
    /// Where to write the latent vector (JSON)
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Also write a PNG: the digit as MNIST-style input, then the generator's best match
    #[arg(long, value_name = "FILE")]
    preview: Option<PathBuf>,
    /// Random starting points searched together
    #[arg(long, default_value_t = 16)]
    restarts: usize,
    /// Gradient steps
    #[arg(long, default_value_t = 300)]
    steps: usize,
    /// Seed of the starting points
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where to run the search
    #[arg(long, value_enum, default_value_t = BackendChoice::Cpu)]
    backend: BackendChoice,
}

pub fn run(args: ProjectArgs) -> anyhow::Result<()> {
    if !(1..=1024).contains(&args.restarts) {
        bail!("--restarts must be 1 to 1024, got {}", args.restarts);
    }
    if !(1..=100_000).contains(&args.steps) {
        bail!("--steps must be 1 to 100000, got {}", args.steps);
    }
    for path in std::iter::once(&args.out).chain(&args.preview) {
        if path.is_dir() {
            bail!("{} is a folder; name a file to write", path.display());
        }
    }
    if let Some(preview) = &args.preview
        && !preview
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        bail!(
            "{}: the preview is a PNG; name a .png file",
            preview.display()
        );
    }
    let digit = digitize::read_digit(&args.image)?;
    match super::resolve_backend(args.backend) {
        crate::backend::Resolved::Gpu { .. } => project::<Gpu>(&args, &digit, &Default::default()),
        crate::backend::Resolved::Cpu { .. } => project::<Cpu>(&args, &digit, &Default::default()),
    }
}

fn project<B: Backend>(args: &ProjectArgs, digit: &[u8], device: &B::Device) -> anyhow::Result<()> {
    let (generator, manifest) = checkpoint::load_generator::<B>(&args.checkpoint, device)?;
    super::unconditional_only(&generator, &args.checkpoint, "project")?;
    let config = ProjectionConfig::new()
        .with_restarts(args.restarts)
        .with_steps(args.steps)
        .with_seed(args.seed);
    let target = normalize(digit);
    let found = projection::project(generator.clone(), &target, config, device);
    let best = found.best();
    let mut file = LatentFile::new(best.z.clone());
    file.source = Some(args.image.display().to_string());
    file.step = Some(manifest.step);
    file.pixel_error = Some(best.pixel_error);
    file.save(&args.out)?;
    if let Some(preview) = &args.preview {
        let drawn = sample::generate(&generator, &best.z, device);
        let pair = Images {
            count: 2,
            rows: IMAGE_SIDE,
            cols: IMAGE_SIDE,
            pixels: [digit, &drawn.pixels[..]].concat(),
        };
        let tiled = grid::tile(&pair, 2, 2);
        let scale = 8;
        let scaled = grid::scale_nearest(&tiled, tiled.width * scale, tiled.height * scale);
        grid::write_png(preview, &scaled)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", preview.display()))?;
    }
    println!(
        "wrote {}: pixel error {:.1} % (RMS of full brightness) after {} steps from {} starts, \
         for step {} of the {} preset",
        args.out.display(),
        100.0 * best.pixel_error,
        found.step,
        found.candidates.len(),
        manifest.step,
        manifest.config.preset
    );
    Ok(())
}
