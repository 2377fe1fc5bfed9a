//! Latent directions, live: the generator's main directions (SeFa or GANSpace, see
//! [`crate::gan::latent::directions`]) found again every few seconds while G learns, on a worker
//! thread; a latent vector (the last clicked digit, or the walk's current point) moved along
//! them by sliders; and for each direction a strip of digits from −3σ to +3σ around it.

pub(super) mod window;

use std::time::Duration;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};

use crate::app::options::{AppOptions, StartWindow};
use crate::app::preview::truncation::DrawTruncation;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::training::{Session, TrainingState};
use crate::app::walk::{WalkControl, WalkState};
use crate::app::your_digit::Projected;
use crate::data::IMAGE_PIXELS;
use crate::gan::latent::Interpolation;
use crate::gan::latent::directions::{Directions, Method, along};
use crate::gan::sample::to_grey;

/// Directions with a slider and a strip.
pub const SHOWN: usize = 5;
/// Digits per strip, from −[`REACH`] to +[`REACH`].
pub const STRIP: usize = 7;
/// How far a slider and a strip go each way, in standard deviations of the noise.
pub const REACH: f32 = 3.0;
/// How often directions are found again while G trains.
const REFIND: Duration = Duration::from_secs(3);
/// How often the strips of a training generator are drawn again.
const REDRAW: Duration = Duration::from_millis(250);

/// Where the latent vector being moved came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseOrigin {
    /// The walk's point when the window needed one.
    WalkPoint,
    /// A digit added to the walk: clicked in the grid, found by projection, or edited here.
    Picked,
}

/// Requests from the directions window (and tests).
#[derive(Message, Debug, Clone)]
pub enum DirectionsControl {
    SetMethod(Method),
    /// Find the directions again every few seconds while G trains.
    FollowTraining(bool),
    /// Moves the latent vector `offset` σ along direction `k`.
    SetOffset {
        k: usize,
        offset: f32,
    },
    ResetOffsets,
    /// Starts again from the walk's current point.
    UseWalkPoint,
    /// The moved latent vector joins the walk.
    AddToWalk,
    /// The walk goes along direction `k` and back, from −3σ to +3σ around the moved vector.
    WalkAlong(usize),
}

/// Directions being found on a worker: for which method and session, and at which step.
struct Finding {
    method: Method,
    generation: u64,
    task: Task<(Directions, u64)>,
}

/// What the directions window shows.
#[derive(Resource)]
pub struct LatentDirections {
    pub method: Method,
    pub follow_training: bool,
    pub found: Option<Directions>,
    /// The generator step the directions were found at, and its session (`generation`): a
    /// new session's generator has directions of its own, whether or not they follow training.
    pub found_at_step: u64,
    pub found_generation: u64,
    /// The latent vector the sliders start from.
    pub base: Option<Vec<f32>>,
    pub base_origin: BaseOrigin,
    /// σ along each shown direction.
    pub offsets: [f32; SHOWN],
    /// `SHOWN × STRIP` digits, 28×28 grey each, then the moved vector's digit.
    pub digits: Vec<u8>,
    /// Bumped when `digits` change, so pictures are rebuilt only then.
    pub version: u64,
    finding: Option<Finding>,
    /// When the directions were last asked for (app time).
    asked_at: Option<Duration>,
    /// What the digits were drawn from: (step, when).
    drawn: Option<(u64, Duration)>,
}

impl Default for LatentDirections {
    fn default() -> Self {
        Self {
            method: Method::default(),
            follow_training: true,
            found: None,
            found_at_step: 0,
            found_generation: 0,
            base: None,
            base_origin: BaseOrigin::WalkPoint,
            offsets: [0.0; SHOWN],
            digits: Vec::new(),
            version: 0,
            finding: None,
            asked_at: None,
            drawn: None,
        }
    }
}

impl LatentDirections {
    /// The base moved by every slider.
    pub fn moved(&self) -> Option<Vec<f32>> {
        let (base, found) = (self.base.as_ref()?, self.found.as_ref()?);
        Some(
            found
                .vectors
                .iter()
                .zip(self.offsets)
                .fold(base.clone(), |z, (u, offset)| along(&z, u, offset)),
        )
    }

    /// Strip `k`'s digit `i` (−3σ first), or the moved vector's digit for `k = SHOWN`.
    pub fn digit(&self, k: usize, i: usize) -> Option<&[u8]> {
        let index = if k == SHOWN {
            SHOWN * STRIP
        } else {
            k * STRIP + i
        };
        self.digits
            .get(index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS)
    }

    /// Distance along the strip of digit `i`, in σ.
    pub fn strip_offset(i: usize) -> f32 {
        -REACH + 2.0 * REACH * i as f32 / (STRIP - 1) as f32
    }
}

/// Whether the window is open: directions are found and drawn only then.
#[derive(Resource, Default)]
pub struct DirectionsWindowOpen(pub bool);

pub(super) fn plugin(app: &mut App) {
    let open = app
        .world()
        .get_resource::<AppOptions>()
        .is_some_and(|options| {
            options.open.contains(&StartWindow::Directions) || options.walk_along.is_some()
        });
    app.init_resource::<LatentDirections>()
        .insert_resource(DirectionsWindowOpen(open))
        .add_message::<DirectionsControl>()
        .add_systems(
            Update,
            (walk_along_at_start, apply_controls, pick_base)
                .chain()
                .in_set(AppSystems::Input)
                .in_set(SceneOnly::Digits),
        )
        .add_systems(
            Update,
            (find_directions, draw_digits)
                .chain()
                .in_set(AppSystems::Sample)
                .in_set(SceneOnly::Digits)
                .run_if(|open: Res<DirectionsWindowOpen>| open.0),
        );
}

fn apply_controls(
    mut requests: MessageReader<DirectionsControl>,
    mut directions: ResMut<LatentDirections>,
    walk: Res<WalkState>,
    mut walk_controls: MessageWriter<WalkControl>,
) {
    for request in requests.read() {
        match request {
            DirectionsControl::SetMethod(method) => {
                if directions.method != *method {
                    directions.method = *method;
                    directions.found = None;
                    directions.offsets = [0.0; SHOWN];
                }
            }
            DirectionsControl::FollowTraining(on) => directions.follow_training = *on,
            DirectionsControl::SetOffset { k, offset } => {
                if let Some(slot) = directions.offsets.get_mut(*k) {
                    *slot = offset.clamp(-REACH, REACH);
                }
            }
            DirectionsControl::ResetOffsets => directions.offsets = [0.0; SHOWN],
            DirectionsControl::UseWalkPoint => {
                directions.base = Some(walk.path.point(walk.position));
                directions.base_origin = BaseOrigin::WalkPoint;
                directions.offsets = [0.0; SHOWN];
            }
            DirectionsControl::AddToWalk => {
                if let Some(z) = directions.moved() {
                    walk_controls.write(WalkControl::AddLatent(z));
                }
            }
            DirectionsControl::WalkAlong(k) => {
                let (Some(z), Some(u)) = (
                    directions.moved(),
                    directions.found.as_ref().and_then(|f| f.vectors.get(*k)),
                ) else {
                    continue;
                };
                walk_controls.write(WalkControl::ReplacePath {
                    keyframes: vec![along(&z, u, -REACH), along(&z, u, REACH)],
                    interpolation: Interpolation::Lerp,
                });
            }
        }
    }
}

/// `--walk-along K`: once the directions are found, around the `--project` digit when there is
/// one (after it has joined the walk and become the vector to move), the walk goes along
/// direction K and back. Once.
fn walk_along_at_start(
    options: Res<AppOptions>,
    directions: Res<LatentDirections>,
    projected: Res<Projected>,
    mut controls: MessageWriter<DirectionsControl>,
    mut done: Local<bool>,
) {
    let Some(k) = options.walk_along else {
        return;
    };
    let waiting_for_the_digit = options.project.is_some()
        && projected.problem.is_none()
        && !(projected.added && directions.base_origin == BaseOrigin::Picked);
    if *done || directions.found.is_none() || waiting_for_the_digit {
        return;
    }
    controls.write(DirectionsControl::WalkAlong(k));
    *done = true;
}

/// A digit that joins the walk becomes the vector the sliders move.
fn pick_base(
    mut walk_controls: MessageReader<WalkControl>,
    mut directions: ResMut<LatentDirections>,
    walk: Res<WalkState>,
) {
    for control in walk_controls.read() {
        if let WalkControl::AddLatent(z) = control {
            directions.base = Some(z.clone());
            directions.base_origin = BaseOrigin::Picked;
            directions.offsets = [0.0; SHOWN];
        }
    }
    if directions
        .base
        .as_ref()
        .is_none_or(|b| b.len() != walk.path.keyframes()[0].len())
    {
        directions.base = Some(walk.path.point(walk.position));
        directions.base_origin = BaseOrigin::WalkPoint;
    }
}

/// Asks a worker for the directions when there are none, and again every few seconds while G
/// trains; takes them when they are ready.
fn find_directions(
    time: Res<Time>,
    session: NonSend<Session>,
    state: Res<TrainingState>,
    mut directions: ResMut<LatentDirections>,
) {
    // Only new directions count as a change: that is what redraws the strips.
    let mut arrived = false;
    let untracked = directions.bypass_change_detection();
    if let Some(finding) = &mut untracked.finding
        && let Some((found, step)) = check_ready(&mut finding.task)
    {
        if finding.method == untracked.method && finding.generation == state.generation {
            untracked.found_generation = finding.generation;
            untracked.found = Some(found);
            untracked.found_at_step = step;
            arrived = true;
        }
        untracked.finding = None;
    }
    if arrived {
        directions.set_changed();
    }
    let directions = directions.bypass_change_detection();
    let Some(live) = session.0.as_ref() else {
        return;
    };
    let step = live.step_count();
    let due = match (&directions.found, directions.asked_at) {
        (None, _) | (_, None) => true,
        (Some(_), Some(at)) => {
            directions.found_generation != state.generation
                || (directions.follow_training
                    && step != directions.found_at_step
                    && time.elapsed() - at >= REFIND)
        }
    };
    if !due || directions.finding.is_some() || state.generation == 0 {
        return;
    }
    let (sampler, method) = (live.sampler(), directions.method);
    let task = AsyncComputeTaskPool::get().spawn(async move { (sampler.directions(method), step) });
    directions.finding = Some(Finding {
        method,
        generation: state.generation,
        task,
    });
    directions.asked_at = Some(time.elapsed());
}

/// Draws the strips and the moved vector's digit when anything they show has changed.
fn draw_digits(
    time: Res<Time>,
    session: NonSend<Session>,
    truncation: Res<DrawTruncation>,
    mut directions: ResMut<LatentDirections>,
) {
    let Some(live) = session.0.as_ref() else {
        return;
    };
    let step = live.step_count();
    let stale = directions.is_changed()
        || truncation.is_changed()
        || directions
            .drawn
            .is_none_or(|(drawn_step, at)| drawn_step != step && time.elapsed() - at >= REDRAW);
    let (Some(moved), Some(found)) = (directions.moved(), directions.found.as_ref()) else {
        return;
    };
    if !stale {
        return;
    }
    let mut noise = Vec::with_capacity((SHOWN * STRIP + 1) * moved.len());
    for (k, u) in found.vectors.iter().take(SHOWN).enumerate() {
        for i in 0..STRIP {
            let distance = LatentDirections::strip_offset(i) - directions.offsets[k];
            noise.extend(along(&moved, u, distance));
        }
    }
    noise.extend_from_slice(&moved);
    let digits = to_grey(&live.generate(&truncation.0.apply(&noise)));
    let directions = directions.bypass_change_detection();
    directions.digits = digits;
    directions.version += 1;
    directions.drawn = Some((step, time.elapsed()));
}
