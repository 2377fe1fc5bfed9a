//! `ganimate bench --soak MINUTES`: runs the app on the soak schedule (see [`crate::soak`]) as a
//! child process, prints its samples as they come, then judges them against the goals.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::cli::DataArgs;
use crate::report::AppReport;
use crate::soak::{SoakPlan, SoakSummary};

/// The longest soak: a day.
const MAX_MINUTES: f64 = 24.0 * 60.0;
/// Error lines of the app's log repeated under the summary.
const ERRORS_SHOWN: usize = 5;

/// The plan for a soak of `minutes`, checked.
pub(in crate::cli) fn plan(minutes: f64) -> anyhow::Result<SoakPlan> {
    if !(minutes.is_finite() && (0.1..=MAX_MINUTES).contains(&minutes)) {
        bail!("--soak takes 0.1 to {MAX_MINUTES} minutes, got {minutes}");
    }
    Ok(SoakPlan {
        length: Duration::from_secs_f64(minutes * 60.0),
    })
}

/// How the app under soak is started.
pub(super) struct SoakRun<'a> {
    pub data: &'a DataArgs,
    pub minutes: f64,
    /// `auto`, `cpu` or `gpu`.
    pub backend: &'a str,
    pub headless: bool,
}

pub(super) fn run(soak: SoakRun) -> anyhow::Result<()> {
    let plan = plan(soak.minutes)?;
    let log = tempfile::NamedTempFile::new().context("a file for the app's log")?;
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("app")
        .args(["--soak", &soak.minutes.to_string()])
        .args(["--open", "directions,timeline"])
        .args(["--dataset", soak.data.dataset.name()])
        .args(["--backend", soak.backend]);
    if let Some(dir) = &soak.data.data {
        command.arg("--data").arg(dir);
    }
    if soak.data.offline {
        command.arg("--offline");
    }
    if soak.headless {
        command.arg("--headless");
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(log.reopen()?)
        .spawn()
        .context("starting the app")?;
    println!(
        "soak: the app{} for {} min: training, the walk, the judge, the directions and timeline \
         windows, and a recording every {:.1} s; a sample every {:.1} s",
        if soak.headless { " (headless)" } else { "" },
        soak.minutes,
        plan.cycle().as_secs_f64(),
        plan.interval().as_secs_f64()
    );
    println!(
        "{:>8} {:>7} {:>8} {:>9} {:>8} {:>4}",
        "minute", "fps", "p99 ms", "steps/s", "RSS MiB", "rec"
    );
    let mut samples = Vec::new();
    let mut recordings = None;
    let stdout = child.stdout.take().expect("piped");
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.context("reading the app's output")?;
        match AppReport::parse(&line) {
            Some(AppReport::SoakSample(sample)) => {
                println!(
                    "{:>8.2} {:>7.1} {:>8.1} {:>9.1} {:>8} {:>4}",
                    sample.seconds / 60.0,
                    sample.fps,
                    sample.frame_p99_ms,
                    sample.steps_per_s,
                    sample
                        .rss_bytes
                        .map_or("?".into(), |b| format!("{:.0}", b as f64 / 1048576.0)),
                    if sample.recording { "●" } else { "" }
                );
                samples.push(sample);
            }
            Some(AppReport::SoakRecordings {
                started,
                finished,
                other_files,
            }) => recordings = Some((started, finished, other_files)),
            _ => {}
        }
    }
    let status = child.wait()?;
    let log_text = String::from_utf8_lossy(&std::fs::read(log.path())?).into_owned();
    let errors: Vec<&str> = log_text.lines().filter(|l| is_error(l)).collect();
    let shown = errors
        .iter()
        .take(ERRORS_SHOWN)
        .map(|l| format!("\n  {l}"))
        .collect::<String>();
    if !status.success() {
        bail!(
            "the app stopped early ({status}) after {} samples; it needs a display (use \
             xvfb-run, or --headless){shown}",
            samples.len()
        );
    }
    let summary = SoakSummary::of(&plan, &samples, errors.len())
        .context("the app's samples do not cover the early and late windows")?;
    println!("{summary}");
    let (started, finished, other_files) =
        recordings.context("the app did not report its recordings")?;
    let recordings_kept = started > 0 && finished == started && other_files == 0;
    let verdict = |met: bool| if met { "met" } else { "not met" };
    println!(
        "recordings: {started} started, {finished} finished, {other_files} other files left \
         (goal: every one finished, nothing else left: {})",
        verdict(recordings_kept)
    );
    println!(
        "soak: every goal {}",
        verdict(summary.all_met() && recordings_kept)
    );
    if !shown.is_empty() {
        println!("first errors:{shown}");
    }
    Ok(())
}

/// Whether a line of the app's log reports an error (Bevy's log level, or a message of ours).
fn is_error(line: &str) -> bool {
    line.contains("ERROR") || line.starts_with("error") || line.contains("panicked")
}
