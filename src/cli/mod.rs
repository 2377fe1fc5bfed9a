//! The command line: `ganimate [app] | train | sample | walk | project | export | classifier |
//! eval | bench | toy`. Usage errors exit 2 (clap), runtime
//! errors exit 1 with `error: …` on stderr, an interrupted training run exits 130.

mod app;
mod bench;
mod judge;
mod progress;
mod project;
mod sample;
mod toy;
mod train;
mod walk;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::backend::BackendChoice;
use crate::data::DatasetKind;

#[derive(Parser)]
#[command(
    name = "ganimate",
    version,
    about = "Train a GAN on MNIST live, watch it learn, walk its latent space"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Plain `ganimate` is `ganimate app`, and takes the app's flags too.
    #[command(flatten)]
    app: app::AppArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Open the desktop app (the default): watch the GAN learn, walk its latent space
    App(app::AppArgs),
    /// Train a GAN headless, writing checkpoints and progress frames to --out
    Train(train::TrainArgs),
    /// Generate digits from a checkpoint: a PNG grid or an IDX3 file
    Sample(sample::SampleArgs),
    /// Render a looping latent walk to .mp4, .gif or a folder of PNG frames
    Walk(walk::WalkArgs),
    /// Find the latent vector whose digit best matches a PNG of a digit (for walks from it)
    Project(project::ProjectArgs),
    /// Copy a checkpoint's generator alone into a new folder (for sampling and walks)
    Export(ExportArgs),
    /// Train (or find in the cache) the digit classifier that judges generated digits
    Classifier(judge::ClassifierArgs),
    /// Score a checkpoint's digits: Inception Score, Fréchet distance, class histogram
    Eval(judge::EvalArgs),
    /// Measure training throughput (samples/s) for each preset and backend, or sample quality
    Bench(bench::BenchArgs),
    /// The toy lab: train, sample and score GANs on 1D and 2D points
    Toy(toy::ToyArgs),
}

#[derive(Args)]
struct ExportArgs {
    /// Checkpoint or run folder to export from
    #[arg(long, value_name = "DIR")]
    checkpoint: PathBuf,
    /// New folder for the generator-only checkpoint
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Where the training data comes from; shared by every command that reads a dataset.
#[derive(Args, Clone)]
struct DataArgs {
    /// Folder holding the dataset's IDX files (gz or not); default: $GANIMATE_DATA, then the cache
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Which dataset to train on
    #[arg(long, value_enum, default_value_t = DatasetKind::Mnist)]
    dataset: DatasetKind,
    /// Never download: fail with instructions instead
    #[arg(long)]
    offline: bool,
}

/// The outcome of a command that did not fail.
enum Outcome {
    Done,
    Interrupted,
    /// Failed after saying why.
    Failed,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::App(cli.app));
    let result = match command {
        Command::Train(args) => train::run(args),
        Command::Sample(args) => sample::run(args).map(|()| Outcome::Done),
        Command::Bench(args) => bench::run(args).map(|()| Outcome::Done),
        Command::Export(args) => {
            crate::gan::checkpoint::export_generator(&args.checkpoint, &args.out)
                .map(|out| {
                    println!("wrote {}", out.display());
                    Outcome::Done
                })
                .map_err(Into::into)
        }
        Command::Walk(args) => walk::run(args).map(|()| Outcome::Done),
        Command::Project(args) => project::run(args).map(|()| Outcome::Done),
        Command::Classifier(args) => judge::run_classifier(args).map(|()| Outcome::Done),
        Command::Eval(args) => judge::run_eval(args).map(|()| Outcome::Done),
        Command::App(args) => app::run(args),
        Command::Toy(args) => toy::run(args),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Interrupted) => ExitCode::from(130),
        Ok(Outcome::Failed) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves `--backend`, telling the user once when a GPU request falls back to the CPU.
fn resolve_backend(choice: BackendChoice) -> crate::backend::Resolved {
    let resolved = crate::backend::resolve(choice);
    if let crate::backend::Resolved::Cpu {
        reason: Some(reason),
    } = &resolved
    {
        eprintln!("warning: {reason}");
    }
    resolved
}

/// Refuses a conditional GAN's checkpoint in a command that does not ask for classes yet:
/// drawing it without them would show one class and say nothing.
fn unconditional_only<B: burn::prelude::Backend>(
    generator: &crate::gan::Generator<B>,
    checkpoint: &std::path::Path,
    command: &str,
) -> anyhow::Result<()> {
    if generator.classes() > 0 {
        anyhow::bail!(
            "{}: a conditional GAN's checkpoint; `ganimate {command}` does not ask for a class \
             yet (`ganimate sample --class` does)",
            checkpoint.display()
        );
    }
    Ok(())
}

/// Loads the dataset `args` name, with a download progress bar where needed.
fn load_dataset(args: &DataArgs) -> anyhow::Result<crate::data::Dataset> {
    let request = crate::data::source::DataRequest {
        kind: args.dataset,
        explicit_dir: args.data.as_deref(),
        allow_download: !args.offline,
    };
    let mut bar = progress::DownloadBar::default();
    let (source, dataset) = crate::data::source::load(&request, &mut bar)?;
    eprintln!(
        "data: {} {} images from {}",
        dataset.len(),
        match dataset.split {
            crate::data::Split::Train => "training",
            crate::data::Split::Test => "test-split",
        },
        source
    );
    Ok(dataset)
}
