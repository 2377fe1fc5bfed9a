//! Recording the window to a video (F9) and screenshots (F12).
//!
//! While recording, time is deterministic: every captured frame advances the app by exactly
//! 1/fps and training takes a fixed number of steps, so a video plays at real speed however
//! slowly the machine renders, and one seed gives one video. The recording indicator is in the
//! window title, which the capture does not include.

mod closing;
mod script;
mod soak;

use std::path::{Path, PathBuf};
use std::time::Duration;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::view::screenshot::ScreenshotCaptured;
use bevy::time::TimeUpdateStrategy;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;

use crate::app::options::AppOptions;
use crate::app::preview::Previews;
use crate::app::scene::canvas::Canvas;
use crate::app::schedule::ActiveScene;
use crate::app::toy::ToyLab;
use crate::app::training::TrainingState;
use crate::video::{Pixels, VideoSpec, VideoWriter};

/// Training steps per recorded frame.
pub const STEPS_PER_FRAME: u32 = 2;
/// Frames rendered, not captured, when a recording starts: hiding the panels resizes the scene
/// camera's viewport, and the renderer may show the scene late for a frame or two after that.
const SETTLE_FRAMES: u32 = 3;
const TITLE: &str = "ganimate: watch a GAN learn";

/// Requests to the recorder.
#[derive(Message, Debug, Clone)]
pub enum RecordControl {
    /// Start (to a new file in the recordings folder) or stop.
    Toggle,
    Start(PathBuf),
    /// Stop and finish the recording, if one is running.
    Stop,
    /// Save the next frame as PNG in the recordings folder.
    Screenshot,
}

struct Recording {
    writer: VideoWriter,
    path: PathBuf,
    /// Frames asked for, and frames written so far.
    requested: u64,
    written: u64,
    /// Stop after this many frames (scripted runs).
    limit: Option<u64>,
    stopping: bool,
    /// Frames still to let pass before the first capture.
    settling: u32,
}

#[derive(Resource, Default)]
pub struct Recorder {
    recording: Option<Recording>,
    /// Where recordings and screenshots go.
    pub folder: PathBuf,
    pub fps: u32,
    pub hide_panels: bool,
    /// The latest thing to tell the user; shown in the status panel.
    pub notice: Option<String>,
    /// Set when a scripted recording has been finished (or failed), for the script to exit.
    pub scripted_done: Option<Result<(), String>>,
}

impl Recorder {
    pub fn is_recording(&self) -> bool {
        self.recording.is_some()
    }

    /// Frames written so far, while recording.
    pub fn frames(&self) -> Option<u64> {
        self.recording.as_ref().map(|r| r.written)
    }
}

/// Default folder: the user's videos folder, else the data folder, under `ganimate/`.
fn default_folder() -> PathBuf {
    dirs::video_dir()
        .or_else(dirs::data_dir)
        .unwrap_or_else(|| PathBuf::from("."))
        .join("ganimate")
}

fn timestamp() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(super) fn plugin(app: &mut App) {
    let options = app.world().resource::<AppOptions>().clone();
    app.insert_resource(Recorder {
        folder: options.recordings.clone().unwrap_or_else(default_folder),
        fps: options.record_fps,
        hide_panels: options.no_panels,
        ..default()
    })
    .add_message::<RecordControl>()
    .add_systems(
        Update,
        (keys, start_scripted, apply_controls)
            .chain()
            .in_set(crate::app::schedule::AppSystems::Input),
    )
    .add_systems(Last, capture)
    .add_plugins((closing::plugin, script::plugin, soak::plugin));
}

fn keys(
    keys: Res<ButtonInput<KeyCode>>,
    egui: Res<EguiWantsInput>,
    mut controls: MessageWriter<RecordControl>,
) {
    if egui.wants_any_keyboard_input() {
        return;
    }
    if keys.just_pressed(KeyCode::F9) {
        controls.write(RecordControl::Toggle);
    }
    if keys.just_pressed(KeyCode::F12) {
        controls.write(RecordControl::Screenshot);
    }
}

/// Whether the scene shows its first picture: scripted runs and recordings start from it.
#[derive(SystemParam)]
pub(super) struct FirstPicture<'w> {
    scene: Res<'w, ActiveScene>,
    previews: Res<'w, Previews>,
    toy: Res<'w, ToyLab>,
}

impl FirstPicture<'_> {
    fn drawn(&self) -> bool {
        match *self.scene {
            ActiveScene::Digits => self.previews.version > 0,
            ActiveScene::Toy => self.toy.pixels.is_some(),
        }
    }
}

/// `--record PATH`: starts once the first digits (or the first toy picture) are drawn.
fn start_scripted(
    options: Res<AppOptions>,
    first: FirstPicture,
    mut started: Local<bool>,
    mut controls: MessageWriter<RecordControl>,
) {
    if let Some(path) = &options.record
        && !*started
        && first.drawn()
    {
        *started = true;
        controls.write(RecordControl::Start(path.clone()));
    }
}

fn apply_controls(
    mut commands: Commands,
    mut controls: MessageReader<RecordControl>,
    mut recorder: ResMut<Recorder>,
    mut training: ResMut<TrainingState>,
    mut time_strategy: ResMut<TimeUpdateStrategy>,
    mut window: Option<Single<&mut Window, With<PrimaryWindow>>>,
    mut canvas: ResMut<Canvas>,
    options: Res<AppOptions>,
) {
    for control in controls.read() {
        match control {
            RecordControl::Toggle | RecordControl::Stop if recorder.is_recording() => {
                stop(&mut recorder)
            }
            RecordControl::Stop => {}
            RecordControl::Toggle => {
                let extension = if crate::video::ffmpeg_available() {
                    "mp4"
                } else {
                    "gif"
                };
                let path = recorder
                    .folder
                    .join(format!("ganimate-{}.{extension}", timestamp()));
                start(&mut recorder, &path, canvas.size, None);
            }
            RecordControl::Start(path) => {
                let limit = options
                    .record_duration
                    .map(|s| (s * f64::from(recorder.fps)).round().max(1.0) as u64);
                start(&mut recorder, path, canvas.size, limit);
            }
            RecordControl::Screenshot => {
                let path = recorder
                    .folder
                    .join(format!("ganimate-{}.png", timestamp()));
                if let Err(err) = std::fs::create_dir_all(&recorder.folder) {
                    recorder.notice = Some(format!("{}: {err}", recorder.folder.display()));
                    continue;
                }
                commands.spawn(canvas.screenshot()).observe(
                    move |captured: On<ScreenshotCaptured>, mut recorder: ResMut<Recorder>| {
                        recorder.notice = Some(
                            match crate::app::scene::canvas::save_png(&captured.image, &path) {
                                Ok(()) => format!("screenshot: {}", path.display()),
                                Err(message) => message,
                            },
                        );
                    },
                );
            }
        }
    }
    // Deterministic time and training while recording (for a scripted recording, from the
    // start, so the frames before it are the same every run too); the title shows the indicator.
    let recording = recorder.is_recording();
    let deterministic = recording || options.record.is_some();
    *time_strategy = if deterministic {
        TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(1.0 / f64::from(recorder.fps)))
    } else {
        TimeUpdateStrategy::Automatic
    };
    training.fixed_steps_per_frame = deterministic.then_some(STEPS_PER_FRAME);
    // A scripted recording hides them from the start, so its layout never changes.
    if deterministic && recorder.hide_panels {
        canvas.show_panels = false;
    }
    let title = match recorder.frames() {
        Some(frames) => format!("● REC {frames} frames: {TITLE}"),
        None => TITLE.to_string(),
    };
    if let Some(window) = window.as_deref_mut()
        && window.title != title
    {
        window.title = title;
    }
}

fn start(recorder: &mut Recorder, path: &Path, size: UVec2, limit: Option<u64>) {
    if recorder.is_recording() {
        return;
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Err(err) = std::fs::create_dir_all(parent)
    {
        fail(recorder, format!("{}: {err}", parent.display()));
        return;
    }
    let spec = VideoSpec {
        width: size.x,
        height: size.y,
        fps: recorder.fps,
        pixels: Pixels::Rgb,
    };
    match VideoWriter::create(path, spec) {
        Ok(writer) => {
            recorder.notice = Some(format!("recording {}", path.display()));
            recorder.recording = Some(Recording {
                writer,
                path: path.to_path_buf(),
                requested: 0,
                written: 0,
                limit,
                stopping: false,
                settling: SETTLE_FRAMES,
            });
        }
        Err(err) => fail(recorder, err.to_string()),
    }
}

/// Reports a failure; a scripted recording then ends the run.
fn fail(recorder: &mut Recorder, message: String) {
    error!("{message}");
    if recorder.scripted_done.is_none()
        && recorder
            .recording
            .as_ref()
            .is_none_or(|r| r.limit.is_some())
    {
        recorder.scripted_done = Some(Err(message.clone()));
    }
    recorder.notice = Some(format!("recording stopped: {message}"));
    recorder.recording = None; // dropping the writer removes its temporary file
}

/// Stops asking for frames; the recording is finished once the last one has arrived.
fn stop(recorder: &mut Recorder) {
    if let Some(recording) = recorder.recording.as_mut() {
        recording.stopping = true;
    }
    finish_if_complete(recorder);
}

fn finish_if_complete(recorder: &mut Recorder) {
    let complete = recorder
        .recording
        .as_ref()
        .is_some_and(|r| r.stopping && r.written == r.requested);
    if !complete {
        return;
    }
    let recording = recorder.recording.take().expect("checked");
    let scripted = recording.limit.is_some();
    match recording.writer.finish() {
        Ok(frames) => {
            let message = format!(
                "recorded {} ({frames} frames, {:.1} s at {} fps)",
                recording.path.display(),
                frames as f64 / f64::from(recorder.fps),
                recorder.fps
            );
            info!("{message}");
            recorder.notice = Some(message);
            if scripted {
                recorder.scripted_done = Some(Ok(()));
            }
        }
        Err(err) => {
            recorder.recording = None;
            if scripted {
                recorder.scripted_done = Some(Err(err.to_string()));
            }
            recorder.notice = Some(format!("recording failed: {err}"));
        }
    }
}

/// Asks for this frame; frames arrive a few frames later, in order, and are appended then.
fn capture(mut commands: Commands, mut recorder: ResMut<Recorder>, canvas: Res<Canvas>) {
    let Some(recording) = recorder.recording.as_mut() else {
        return;
    };
    if recording.stopping {
        return;
    }
    if recording.settling > 0 {
        recording.settling -= 1;
        return;
    }
    if recording
        .limit
        .is_some_and(|limit| recording.requested >= limit)
    {
        recording.stopping = true;
        return;
    }
    recording.requested += 1;
    commands.spawn(canvas.screenshot()).observe(
        |captured: On<ScreenshotCaptured>, mut recorder: ResMut<Recorder>| {
            let Some(recording) = recorder.recording.as_mut() else {
                return;
            };
            let spec = recording.writer.spec();
            let frame = captured
                .image
                .clone()
                .try_into_dynamic()
                .map(|i| i.to_rgb8());
            let pushed = match frame {
                Ok(rgb) if rgb.dimensions() == (spec.width, spec.height) => recording
                    .writer
                    .push(rgb.as_raw())
                    .map_err(|e| e.to_string()),
                Ok(rgb) => Err(format!(
                    "the window changed size ({}×{} to {}×{}); recording stopped",
                    spec.width,
                    spec.height,
                    rgb.dimensions().0,
                    rgb.dimensions().1
                )),
                Err(err) => Err(err.to_string()),
            };
            match pushed {
                Ok(()) => {
                    recording.written += 1;
                    finish_if_complete(&mut recorder);
                }
                Err(message) => fail(&mut recorder, message),
            }
        },
    );
}
