//! Your own digit in latent space: a drawn digit, or a real one clicked in the strip, is
//! projected into the live generator's latent space ([`crate::gan::latent::projection`]) on a thread of
//! its own, so frames never wait for it. Its candidates show as they converge, and the best
//! can join the walk as a keyframe, to walk from your digit to any other.

pub(super) mod drawing_pad;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bevy::prelude::*;

use crate::app::options::AppOptions;
use crate::app::preview::truncation::DrawTruncation;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::training::Session;
use crate::app::walk::WalkControl;
use crate::data::{IMAGE_PIXELS, normalize};
use crate::gan::latent::projection::{ProjectionConfig, ProjectionRun, Snapshot};

/// Steps between two looks at the candidates: often enough to watch them converge.
const STEPS_PER_SNAPSHOT: usize = 10;

/// Where a digit to project comes from, for the panel's caption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitOrigin {
    Drawn,
    /// Real digit `n` of the strip.
    Real(usize),
    /// A picture given on the command line (`--project`).
    Picture,
}

/// Asks for a digit (784 MNIST-style bytes) to be projected; replaces any projection running.
#[derive(Message, Debug, Clone)]
pub struct ProjectDigit {
    pub digit: Vec<u8>,
    pub origin: DigitOrigin,
}

/// Asks for the best candidate so far to join the walk (as a click on a digit would).
#[derive(Message, Debug, Clone, Copy)]
pub struct AddProjectedToWalk;

/// The projection the panel shows.
#[derive(Resource, Default)]
pub struct Projected {
    /// The digit searched for, MNIST-style.
    pub target: Option<Vec<u8>>,
    pub origin: Option<DigitOrigin>,
    /// The generator step searched in.
    pub generator_step: u64,
    /// The latest look at the candidates, best first.
    pub snapshot: Option<Snapshot>,
    /// Best pixel error after each look: (step, error).
    pub convergence: Vec<[f64; 2]>,
    pub finished: bool,
    /// Whether the result has joined the walk.
    pub added: bool,
    /// Why nothing could be projected, when that happens.
    pub problem: Option<String>,
    /// Bumped whenever the snapshot changes, so the panel redraws its pictures only then.
    pub version: u64,
    job: Option<Job>,
}

/// A projection running on its thread, and what it has found so far.
struct Job {
    shared: Arc<Shared>,
    /// The progress version last copied into [`Projected`].
    seen: u64,
}

#[derive(Default)]
struct Shared {
    progress: Mutex<Progress>,
    cancel: AtomicBool,
}

#[derive(Default)]
struct Progress {
    snapshot: Option<Snapshot>,
    convergence: Vec<[f64; 2]>,
    finished: bool,
    version: u64,
}

impl Drop for Job {
    fn drop(&mut self) {
        // A replaced or abandoned search stops at its next look.
        self.shared.cancel.store(true, Ordering::Relaxed);
    }
}

/// The digit of `--project`, until the session it is searched in has opened.
#[derive(Resource)]
struct PendingPicture(Vec<u8>);

pub(super) fn plugin(app: &mut App) {
    if let Some(digit) = app
        .world()
        .get_resource::<AppOptions>()
        .and_then(|options| options.project.clone())
    {
        app.insert_resource(PendingPicture(digit));
    }
    app.init_resource::<Projected>()
        .add_message::<ProjectDigit>()
        .add_message::<AddProjectedToWalk>()
        .add_systems(
            Update,
            (
                project_picture.run_if(resource_exists::<PendingPicture>),
                start,
                follow,
                add_to_walk,
            )
                .chain()
                .in_set(AppSystems::Input)
                .in_set(SceneOnly::Digits),
        );
}

/// Projects `--project`'s digit once there is a generator to search.
fn project_picture(
    mut commands: Commands,
    pending: Res<PendingPicture>,
    session: NonSend<Session>,
    mut requests: MessageWriter<ProjectDigit>,
) {
    if session.0.is_some() {
        requests.write(ProjectDigit {
            digit: pending.0.clone(),
            origin: DigitOrigin::Picture,
        });
        commands.remove_resource::<PendingPicture>();
    }
}

fn start(
    mut requests: MessageReader<ProjectDigit>,
    session: NonSend<Session>,
    mut projected: ResMut<Projected>,
) {
    let Some(request) = requests.read().last() else {
        return;
    };
    let projected = &mut *projected;
    projected.job = None;
    projected.snapshot = None;
    projected.convergence.clear();
    projected.finished = false;
    projected.added = false;
    projected.version += 1;
    projected.origin = Some(request.origin);
    if request.digit.len() != IMAGE_PIXELS {
        projected.target = None;
        projected.problem = Some("a digit to project is 28×28 pixels".into());
        return;
    }
    projected.target = Some(request.digit.clone());
    let Some(live) = session.0.as_ref() else {
        projected.problem = Some("no generator yet: wait for the session to open".into());
        return;
    };
    projected.problem = None;
    projected.generator_step = live.step_count();
    let run = live
        .sampler()
        .project(&normalize(&request.digit), ProjectionConfig::new());
    let shared = Arc::new(Shared::default());
    let worker = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("projection".into())
        .spawn(move || search(run, &worker));
    match spawned {
        Ok(_) => projected.job = Some(Job { shared, seen: 0 }),
        Err(error) => projected.problem = Some(format!("cannot start the search: {error}")),
    }
}

/// The search thread: steps, and a look at the candidates every few steps.
fn search(mut run: Box<dyn ProjectionRun>, shared: &Shared) {
    while !run.finished() && !shared.cancel.load(Ordering::Relaxed) {
        run.advance(STEPS_PER_SNAPSHOT);
        let snapshot = run.snapshot();
        let mut progress = shared.progress.lock().unwrap_or_else(|e| e.into_inner());
        progress
            .convergence
            .push([snapshot.step as f64, f64::from(snapshot.best().pixel_error)]);
        progress.snapshot = Some(snapshot);
        progress.finished = run.finished();
        progress.version += 1;
    }
}

/// Copies what the search found since the last frame.
fn follow(mut projected: ResMut<Projected>) {
    let Some(job) = &mut projected.bypass_change_detection().job else {
        return;
    };
    let progress = job
        .shared
        .progress
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if progress.version == job.seen {
        return;
    }
    job.seen = progress.version;
    let (snapshot, convergence, finished) = (
        progress.snapshot.clone(),
        progress.convergence.clone(),
        progress.finished,
    );
    drop(progress);
    projected.snapshot = snapshot;
    projected.convergence = convergence;
    projected.finished = finished;
    projected.version += 1;
}

/// Adds the best match to the walk when asked, or by itself when `--project`'s search ends.
fn add_to_walk(
    mut requests: MessageReader<AddProjectedToWalk>,
    mut projected: ResMut<Projected>,
    truncation: Res<DrawTruncation>,
    mut controls: MessageWriter<WalkControl>,
) {
    let asked = requests.read().count() > 0;
    let scripted =
        projected.finished && projected.origin == Some(DigitOrigin::Picture) && !projected.added;
    if !(asked || scripted) {
        return;
    }
    projected.added = true;
    if let Some(snapshot) = &projected.snapshot {
        // The walk draws ψ·z: this keyframe is drawn as the digit found at the current ψ.
        let psi = truncation.0.psi();
        let z = snapshot.best().z.iter().map(|v| v / psi).collect();
        controls.write(WalkControl::AddLatent(z));
    }
}
