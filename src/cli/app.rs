//! `ganimate app` (and plain `ganimate`): the desktop app, with flags for scripted runs.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use super::{DataArgs, Outcome};
use crate::app::AppOptions;
use crate::backend::BackendChoice;

#[derive(Args)]
#[command(group(clap::ArgGroup::new("scripted").args(["quit_after_frames", "record", "soak"])))]
pub struct AppArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Open the toy lab on this data instead of the digits: gaussian, mixture (1D); ring, grid,
    /// moons, spiral, line (2D); or a CSV file of points
    #[arg(long, value_name = "DATA", conflicts_with = "checkpoint")]
    toy: Option<String>,
    /// Start from this checkpoint (or run folder) instead of fresh networks
    #[arg(long, value_name = "DIR")]
    checkpoint: Option<PathBuf>,
    /// Where to train: auto picks the GPU the window renders with, unless it is a software one
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    backend: BackendChoice,
    /// Open with training paused
    #[arg(long)]
    paused: bool,
    /// Seed for the networks, the fixed noise and the walk [default: 42]
    #[arg(long)]
    seed: Option<u64>,
    /// Network preset to start with, e.g. `course` to watch the course's network collapse
    /// [default: stable]
    #[arg(long, value_enum, conflicts_with = "checkpoint")]
    preset: Option<crate::gan::Preset>,
    /// Loss to start with, e.g. `minimax` to watch gradients vanish [default: non-saturating]
    #[arg(long, value_enum, conflicts_with = "checkpoint")]
    loss: Option<crate::gan::LossKind>,
    /// Exit (code 0) after this many frames, printing a summary line
    #[arg(long, value_name = "N")]
    quit_after_frames: Option<u32>,
    /// Save the last frame as PNG (needs --quit-after-frames)
    #[arg(long, value_name = "PATH", requires = "quit_after_frames")]
    screenshot: Option<PathBuf>,
    /// Record a video of the window (.mp4 via ffmpeg, .gif, or a folder of PNGs), then exit
    #[arg(long, value_name = "PATH", requires = "duration", conflicts_with_all = ["quit_after_frames", "screenshot"])]
    record: Option<PathBuf>,
    /// Length of the --record video in seconds
    #[arg(long, value_name = "SECONDS", requires = "record")]
    duration: Option<f64>,
    /// Frames per second of recordings
    #[arg(long, default_value_t = 30)]
    fps: u32,
    /// Record the digits only, without the panels
    #[arg(long)]
    no_panels: bool,
    /// Folder for F9 recordings and F12 screenshots [default: the videos folder]/ganimate
    #[arg(long, value_name = "DIR")]
    recordings: Option<PathBuf>,
    /// Draw into an image on the GPU instead of a window, for servers without a display:
    /// a scripted run (--quit-after-frames, --screenshot) or a recording (--record)
    #[arg(long, requires = "scripted", conflicts_with = "recordings")]
    headless: bool,
    /// Truncation ψ the grid and the walk start with (0 < ψ ≤ 2; a slider changes it)
    #[arg(long, value_name = "PSI", default_value = "1", allow_negative_numbers = true, value_parser = crate::gan::Truncation::parse)]
    truncation: crate::gan::Truncation,
    /// Find this PNG's digit in the generator's latent space at start and add the best match
    /// to the walk (the "Your digit" window shows the search)
    #[arg(long, value_name = "PNG")]
    project: Option<PathBuf>,
    /// Windows to open at start, comma-separated
    #[arg(long, value_enum, value_name = "WINDOWS", value_delimiter = ',')]
    open: Vec<crate::app::StartWindow>,
    /// Once G's latent directions are found, walk along direction K (1 = the strongest) from
    /// −3σ to +3σ and back, around the --project digit if there is one (opens the directions
    /// window): a direction sweep for scripted demo videos
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..=crate::app::SHOWN_DIRECTIONS as u64))]
    walk_along: Option<u64>,
    /// Toy lab: walk through one training step in slow motion, moving to its next stage every
    /// SECONDS (of the recording's own clock with --record): a demo video of one update
    #[arg(long, value_name = "SECONDS")]
    slow_step: Option<f64>,
    /// Language of the lessons panel (switchable in the app)
    #[arg(long, value_enum, default_value_t = crate::judge::detect::Lang::En)]
    lang: crate::judge::detect::Lang,
    /// Run `ganimate bench --soak`'s schedule for this many minutes, printing its figures
    #[arg(long, value_name = "MINUTES", hide = true)]
    soak: Option<f64>,
    /// Also print the scripted run's figures as a JSON line (for `ganimate bench --app`)
    #[arg(long, hide = true, requires = "quit_after_frames")]
    report: bool,
}

pub fn run(args: AppArgs) -> anyhow::Result<Outcome> {
    if let Some(seconds) = args.duration
        && !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0)
    {
        bail!("--duration must be between 0 and 3600 seconds, got {seconds}");
    }
    if !(1..=crate::video::MAX_FPS).contains(&args.fps) {
        bail!(
            "--fps must be between 1 and {}, got {}",
            crate::video::MAX_FPS,
            args.fps
        );
    }
    if let Some(path) = &args.record
        && crate::video::Format::of(path)? == crate::video::Format::Mp4
        && !crate::video::ffmpeg_available()
    {
        bail!("{}: {}", path.display(), crate::video::NO_FFMPEG);
    }
    let soak = args.soak.map(super::bench::soak::plan).transpose()?;
    if args.quit_after_frames == Some(0) {
        bail!("--quit-after-frames must be at least 1");
    }
    if let Some(path) = &args.screenshot {
        if path
            .extension()
            .is_none_or(|e| !e.eq_ignore_ascii_case("png"))
        {
            bail!(
                "{}: the screenshot is saved as PNG; name it *.png",
                path.display()
            );
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent
            && !parent.is_dir()
        {
            bail!("{}: folder not found", parent.display());
        }
    }
    let project = match &args.project {
        Some(path) => Some(crate::data::digitize::read_digit(path)?),
        None => None,
    };
    // A bad CSV is refused here, with its file and line, before a window opens.
    let mut toy = match &args.toy {
        Some(name) => Some(crate::toy::ToyData::open(name)?.setup()),
        None => None,
    };
    if let Some(dir) = &args.checkpoint {
        // Fail before opening a window: a typo should not cost a start-up. A toy checkpoint
        // opens the toy lab.
        let (_, manifest) = crate::gan::checkpoint::read_manifest(dir)?;
        toy = manifest.config.toy;
    }
    if let Some(seconds) = args.slow_step {
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 600.0) {
            bail!("--slow-step must be between 0 and 600 seconds, got {seconds}");
        }
        if toy.is_none() {
            bail!(
                "--slow-step walks through a step of the toy lab: give --toy DATA or a toy checkpoint"
            );
        }
    }
    if toy.is_some() && args.preset == Some(crate::gan::Preset::Dcgan) {
        bail!("the dcgan preset draws images; the toy lab takes course or stable");
    }
    if args.preset == Some(crate::gan::Preset::Conditional) {
        bail!(
            "the app does not show a conditional GAN yet: `ganimate train --preset conditional` \
             trains one and `ganimate sample --class 3` draws its digits"
        );
    }
    let exit = crate::app::run(AppOptions {
        toy,
        data: args.data.data,
        dataset: args.data.dataset,
        offline: args.data.offline,
        backend: args.backend,
        checkpoint: args.checkpoint,
        paused: args.paused,
        seed: args.seed,
        preset: args.preset,
        loss: args.loss,
        quit_after_frames: args.quit_after_frames,
        screenshot: args.screenshot,
        record: args.record,
        record_duration: args.duration,
        record_fps: args.fps,
        no_panels: args.no_panels,
        recordings: args.recordings,
        lang: args.lang,
        headless: args.headless,
        truncation: args.truncation,
        project,
        open: args.open,
        walk_along: args.walk_along.map(|k| k as usize - 1),
        slow_step: args.slow_step,
        soak,
        report: args.report,
    });
    match exit {
        bevy::app::AppExit::Success => Ok(Outcome::Done),
        bevy::app::AppExit::Error(code) if code.get() == 130 => Ok(Outcome::Interrupted),
        // Failures were reported where they happened (a screenshot that could not be saved).
        bevy::app::AppExit::Error(_) => Ok(Outcome::Failed),
    }
}
