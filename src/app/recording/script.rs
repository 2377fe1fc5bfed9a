//! Scripted runs: `--quit-after-frames N` exits N frames after the first digits are drawn
//! (start-up and data loading take varying time, so counting starts there), `--screenshot PATH`
//! saves the last frame first; a summary line tells what the run did (and, with `--report`, a
//! [`crate::report`] line tells `ganimate bench --app`). With `--project`, counting
//! starts when the projected digit has joined the walk.

use std::path::PathBuf;
use std::time::Instant;

use bevy::prelude::*;
use bevy::render::view::screenshot::ScreenshotCaptured;

use crate::app::options::AppOptions;
use crate::app::recording::Recorder;
use crate::app::scene::canvas::Canvas;
use crate::app::training::TrainingState;
use crate::app::training::device::TrainingDevice;
use crate::app::your_digit::Projected;
use crate::report::{AppReport, FrameSummary};

/// Frames to wait for a requested screenshot before giving up.
const SCREENSHOT_PATIENCE: u32 = 300;

#[derive(Resource, Default)]
struct ScriptState {
    frames: u32,
    /// When counting started, and the steps trained by then.
    started: Option<(Instant, u64)>,
    /// Every counted frame's duration, in milliseconds.
    frame_ms: Vec<f32>,
    /// The frame a screenshot was requested at.
    requested_at: Option<u32>,
    /// Set by the capture observer: Ok(path) or the error to report.
    saved: Option<Result<PathBuf, String>>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ScriptState>()
        .add_systems(Last, run_script);
}

fn run_script(
    mut commands: Commands,
    options: Res<AppOptions>,
    mut script: ResMut<ScriptState>,
    training: Res<TrainingState>,
    time: Res<Time>,
    device: Option<Res<TrainingDevice>>,
    first: super::FirstPicture,
    recorder: Res<Recorder>,
    canvas: Res<Canvas>,
    projected: Res<Projected>,
    mut exit: MessageWriter<AppExit>,
) {
    // A scripted recording ends the run when its video is complete.
    let quit_after = match (&options.record, options.quit_after_frames) {
        (Some(_), _) => match &recorder.scripted_done {
            None => u32::MAX,
            Some(Ok(())) => 0,
            Some(Err(message)) => {
                eprintln!("error: {message}");
                exit.write(AppExit::error());
                return;
            }
        },
        (None, Some(frames)) => frames,
        (None, None) => return,
    };
    // Counting starts once the scene is drawn and, with --project, the search has ended.
    let searching = options.project.is_some() && !projected.added && projected.problem.is_none();
    if !first.drawn() || searching {
        return;
    }
    if script.started.is_none() {
        script.started = Some((Instant::now(), training.steps_trained));
    } else {
        script.frame_ms.push(time.delta_secs() * 1000.0);
    }
    script.frames += 1;
    if script.frames < quit_after {
        return;
    }
    if let Some(path) = &options.screenshot {
        match (script.requested_at, &script.saved) {
            (None, _) => {
                script.requested_at = Some(script.frames);
                let path = path.clone();
                commands.spawn(canvas.screenshot()).observe(
                    move |captured: On<ScreenshotCaptured>, mut script: ResMut<ScriptState>| {
                        script.saved = Some(
                            crate::app::scene::canvas::save_png(&captured.image, &path)
                                .map(|()| path.clone()),
                        );
                    },
                );
                return;
            }
            (Some(at), None) if script.frames - at < SCREENSHOT_PATIENCE => return,
            (_, Some(Err(message))) => {
                eprintln!("error: {message}");
                exit.write(AppExit::error());
                return;
            }
            (_, None) => {
                eprintln!(
                    "error: {}: the screenshot was never captured",
                    path.display()
                );
                exit.write(AppExit::error());
                return;
            }
            (_, Some(Ok(_))) => {}
        }
    }
    let (started, steps_before) = script.started.expect("set on the first frame");
    let seconds = started.elapsed().as_secs_f32().max(1e-3);
    let steps = training.steps_trained - steps_before;
    let samples_per_sec = steps as f32 * training.settings.config.batch_size as f32 / seconds;
    let mut frame_ms = script.frame_ms.clone();
    frame_ms.sort_by(f32::total_cmp);
    let percentile = |p: f32| {
        let index = ((frame_ms.len() as f32 - 1.0) * p).round() as usize;
        frame_ms.get(index).copied().unwrap_or(0.0)
    };
    let backend = device.map_or("none".into(), |d| d.resolved().describe());
    println!(
        "ganimate app: {} frames in {seconds:.1} s ({:.1} fps, frame p50 {:.1} ms, p99 {:.1} ms), \
         {steps} steps trained at {samples_per_sec:.0} samples/s (now at step {}), backend {backend}",
        script.frames,
        script.frames as f32 / seconds,
        percentile(0.5),
        percentile(0.99),
        training.step,
    );
    if options.report {
        AppReport::Frames(FrameSummary {
            frames: script.frames,
            seconds: f64::from(seconds),
            p50_ms: f64::from(percentile(0.5)),
            p99_ms: f64::from(percentile(0.99)),
            samples_per_s: f64::from(samples_per_sec),
            backend,
        })
        .print();
    }
    exit.write(AppExit::Success);
}
