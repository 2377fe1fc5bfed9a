//! `ganimate app --soak MINUTES`, run by `ganimate bench --soak`: the app in long use (training,
//! the walk, the judge, and the windows opened with `--open`) while recordings start and stop on
//! the plan's schedule. Every interval it prints a [`SoakSample`] line; at the end, a line
//! saying which recordings were finished, then it exits.

use std::path::PathBuf;
use std::time::Instant;

use bevy::prelude::*;

use crate::app::options::AppOptions;
use crate::app::preview::Previews;
use crate::app::recording::{RecordControl, Recorder};
use crate::app::training::TrainingState;
use crate::report::AppReport;
use crate::soak::{SoakPlan, SoakSample, resident_bytes};

/// Frames to wait at the end for the last recording to be finished.
const FINISH_PATIENCE: u32 = 600;

#[derive(Resource)]
struct Soak {
    plan: SoakPlan,
    /// Where the recordings go; removed with the app.
    folder: Option<tempfile::TempDir>,
    started: Option<Instant>,
    /// The current interval: when it began, the steps trained by then, its frames' durations.
    interval_started: Instant,
    steps_at_interval_start: u64,
    frame_ms: Vec<f64>,
    last_frame: Option<Instant>,
    /// The latest cycle whose recording was started, and every recording's file.
    recorded_cycle: Option<u64>,
    recordings: Vec<PathBuf>,
    /// Frames waited at the end for the last recording.
    finishing: u32,
}

pub(super) fn plugin(app: &mut App) {
    let Some(plan) = app.world().resource::<AppOptions>().soak else {
        return;
    };
    app.insert_resource(Soak {
        plan,
        folder: None,
        started: None,
        interval_started: Instant::now(),
        steps_at_interval_start: 0,
        frame_ms: Vec::new(),
        last_frame: None,
        recorded_cycle: None,
        recordings: Vec::new(),
        finishing: 0,
    })
    .add_systems(
        Update,
        run_soak.in_set(crate::app::schedule::AppSystems::Input),
    );
}

fn run_soak(
    mut soak: ResMut<Soak>,
    previews: Res<Previews>,
    training: Res<TrainingState>,
    recorder: Res<Recorder>,
    mut controls: MessageWriter<RecordControl>,
    mut exit: MessageWriter<AppExit>,
) {
    // The soak starts with the first digits drawn, as scripted runs do.
    if previews.version == 0 {
        return;
    }
    let now = Instant::now();
    let started = match soak.started {
        Some(started) => started,
        None => {
            match tempfile::Builder::new().prefix("ganimate-soak-").tempdir() {
                Ok(folder) => soak.folder = Some(folder),
                Err(err) => {
                    eprintln!("error: a folder for the soak's recordings: {err}");
                    exit.write(AppExit::error());
                    return;
                }
            }
            soak.started = Some(now);
            soak.interval_started = now;
            soak.steps_at_interval_start = training.steps_trained;
            now
        }
    };
    if let Some(last) = soak.last_frame.replace(now) {
        soak.frame_ms.push((now - last).as_secs_f64() * 1000.0);
    }
    let elapsed = now - started;
    if elapsed >= soak.plan.length {
        finish(&mut soak, &recorder, &mut controls, &mut exit);
        return;
    }
    match soak.plan.recording_cycle(elapsed) {
        Some(cycle) if soak.recorded_cycle != Some(cycle) && !recorder.is_recording() => {
            let extension = if crate::video::ffmpeg_available() {
                "mp4"
            } else {
                "gif"
            };
            let folder = soak.folder.as_ref().expect("made when the soak started");
            let path = folder.path().join(format!("soak-{cycle}.{extension}"));
            controls.write(RecordControl::Start(path.clone()));
            soak.recorded_cycle = Some(cycle);
            soak.recordings.push(path);
        }
        // Every recording keeps at least one frame, however slowly frames come.
        None if recorder.frames().is_some_and(|frames| frames > 0) => {
            controls.write(RecordControl::Stop);
        }
        _ => {}
    }
    let seconds = (now - soak.interval_started).as_secs_f64();
    if seconds >= soak.plan.interval().as_secs_f64() {
        let mut frame_ms = std::mem::take(&mut soak.frame_ms);
        frame_ms.sort_by(f64::total_cmp);
        let p99 = frame_ms
            .get(((frame_ms.len() as f64 - 1.0) * 0.99).round().max(0.0) as usize)
            .copied()
            .unwrap_or(0.0);
        let sample = SoakSample {
            seconds: elapsed.as_secs_f64(),
            fps: frame_ms.len() as f64 / seconds,
            frame_p99_ms: p99,
            steps_per_s: (training.steps_trained - soak.steps_at_interval_start) as f64 / seconds,
            rss_bytes: resident_bytes(),
            recording: recorder.is_recording(),
        };
        AppReport::SoakSample(sample).print();
        soak.interval_started = now;
        soak.steps_at_interval_start = training.steps_trained;
    }
}

/// Stops a running recording, waits for it, then reports the recordings and exits.
fn finish(
    soak: &mut Soak,
    recorder: &Recorder,
    controls: &mut MessageWriter<RecordControl>,
    exit: &mut MessageWriter<AppExit>,
) {
    if recorder.is_recording() && soak.finishing < FINISH_PATIENCE {
        controls.write(RecordControl::Stop);
        soak.finishing += 1;
        return;
    }
    let complete = soak
        .recordings
        .iter()
        .filter(|path| std::fs::metadata(path).is_ok_and(|m| m.len() > 0))
        .count();
    let folder = soak.folder.as_ref().expect("made when the soak started");
    let leftover = std::fs::read_dir(folder.path()).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|entry| !soak.recordings.contains(&entry.path()))
            .count()
    });
    AppReport::SoakRecordings {
        started: soak.recordings.len(),
        finished: complete,
        other_files: leftover,
    }
    .print();
    exit.write(if recorder.is_recording() {
        eprintln!("error: the last recording was never finished");
        AppExit::error()
    } else {
        AppExit::Success
    });
}
