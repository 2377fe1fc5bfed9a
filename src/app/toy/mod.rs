//! The toy lab's scene: a GAN on 1D or 2D points, drawn as one picture of D's landscape, the
//! real points, the fakes with the pull of G's loss on each, and G's map of latent space.
//!
//! The picture is computed and drawn off the frame loop ([`crate::toy::view`] and
//! [`crate::toy::picture`], on the async pool) from players detached from training, a few
//! times a second; the frames only swap the sprite's texture ([`sprite`]). This plugin needs
//! no window; the sprite, the captions and the panel section are the view's.

pub(super) mod caption;
mod diagram;
pub mod drawing;
pub(super) mod panel;
pub mod slow_step;
mod slow_view;
pub(super) mod sprite;

use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};

use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::toy::drawing::Drawing;
use crate::app::training::{Session, TrainingState};
use crate::gan::config::ToySetup;
use crate::gan::live::Players;
use crate::toy::picture::{self, Layers, Marks};
use crate::toy::view::{self, ToyView, ViewRequest};
use crate::toy::{ToyData, ToyScores};

/// The picture's side in texture pixels, and in world units.
pub const PICTURE_PIXELS: u32 = 640;
pub(in crate::app) const PICTURE_SIZE: f32 = 300.0;
pub(in crate::app) const PICTURE_CENTER: Vec2 = Vec2::new(-120.0, 0.0);
/// Fakes drawn (and pulled on).
const FAKES_SHOWN: usize = 1_000;
/// How often a training session is looked at again, and measured again.
const REFRESH: Duration = Duration::from_millis(150);
const MEASURE_EVERY: Duration = Duration::from_secs(1);

/// What the toy scene shows, as of its latest look.
#[derive(Resource, Default)]
pub struct ToyLab {
    pub view: Option<Arc<ToyView>>,
    /// The mode-collapse papers' figures, measured about once a second.
    pub scores: Option<ToyScores>,
    /// Generator steps the picture shows.
    pub step: u64,
    pub layers: Layers,
    /// The picture of `view`: [`PICTURE_PIXELS`]² RGBA pixels.
    pub pixels: Option<Arc<Vec<u8>>>,
    /// The running session's data, for its real points and modes.
    data: Option<(ToySetup, Arc<ToyData>)>,
    /// App time of the last look, the session, step, layers and drawing it looked at.
    last: Option<(Duration, u64, u64, Layers, u64)>,
    last_measure: Option<Duration>,
}

/// Where a point of the picture, given as fractions of its side from its top-left corner
/// ([`crate::toy::picture::place`]), lies in the world.
pub(in crate::app) fn picture_world([x, y]: [f32; 2]) -> Vec2 {
    PICTURE_CENTER + Vec2::new(x - 0.5, 0.5 - y) * PICTURE_SIZE
}

impl ToyLab {
    /// The data the session trains on, if it is a toy run whose data can be read.
    pub fn data(&self) -> Option<&ToyData> {
        self.data.as_ref().map(|(_, data)| data.as_ref())
    }
}

/// A look in progress.
struct Look {
    generation: u64,
    step: u64,
    view: ToyView,
    scores: Option<ToyScores>,
    pixels: Vec<u8>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ToyLab>()
        .add_plugins((drawing::plugin, slow_step::plugin))
        .add_systems(
            Update,
            look.in_set(AppSystems::Sample).in_set(SceneOnly::Toy),
        );
}

/// Looks at the session again when it has moved on (or the layers changed), on the async pool,
/// and puts the finished picture on the sprite.
fn look(
    time: Res<Time>,
    session: NonSend<Session>,
    state: Res<TrainingState>,
    mut lab: ResMut<ToyLab>,
    drawing: Res<Drawing>,
    mut working: Local<Option<Task<Look>>>,
) {
    if let Some(task) = working.as_mut() {
        let Some(done) = check_ready(task) else {
            return;
        };
        *working = None;
        if done.generation == state.generation {
            lab.pixels = Some(Arc::new(done.pixels));
            lab.step = done.step;
            lab.view = Some(Arc::new(done.view));
            if done.scores.is_some() {
                lab.scores = done.scores;
            }
        }
    }
    let Some(live) = session.0.as_ref() else {
        return;
    };
    let Some(setup) = live.config().toy.clone() else {
        return;
    };
    if lab.data.as_ref().is_none_or(|(known, _)| *known != setup) {
        let Ok(data) = ToyData::of(&setup) else {
            return;
        };
        lab.data = Some((setup, Arc::new(data)));
        lab.scores = None;
    }
    let now = time.elapsed();
    let stale = match lab.last {
        None => true,
        Some((at, generation, step, layers, drawn)) => {
            generation != state.generation
                || layers != lab.layers
                || drawn != drawing.version
                || (step != state.step && now - at >= REFRESH)
        }
    };
    if !stale {
        return;
    }
    // Copying the players can take a frame or two (see `LiveSession::players`).
    let Some(Players {
        step,
        discriminator,
        generator,
    }) = live.players()
    else {
        return;
    };
    let measure = lab.last_measure.is_none_or(|at| now - at >= MEASURE_EVERY)
        || lab
            .last
            .is_none_or(|(_, generation, ..)| generation != state.generation);
    let lab = lab.bypass_change_detection();
    lab.last = Some((
        now,
        state.generation,
        state.step,
        lab.layers,
        drawing.version,
    ));
    if measure {
        lab.last_measure = Some(now);
    }
    let data = Arc::clone(&lab.data.as_ref().expect("set above").1);
    let sampler = measure.then(|| live.sampler());
    let (latent_dim, seed, layers) = (live.latent_dim(), live.config().seed, lab.layers);
    let generation = state.generation;
    let missed_before = lab
        .scores
        .as_ref()
        .map_or_else(Vec::new, |scores| data.missed_centres(scores));
    let drawn = drawing.points.clone();
    *working = Some(AsyncComputeTaskPool::get().spawn(async move {
        let request = ViewRequest::new(&data, latent_dim, FAKES_SHOWN, seed);
        let view = view::look(discriminator.as_ref(), generator.as_ref(), &request);
        let scores = sampler.map(|s| view::measure(s.as_ref(), &data, latent_dim, seed));
        let missed = match &scores {
            Some(scores) => data.missed_centres(scores),
            None => missed_before,
        };
        let marks = Marks { missed, drawn };
        let pixels = picture::draw(&view, PICTURE_PIXELS, layers, &marks);
        Look {
            generation,
            step,
            view,
            scores,
            pixels,
        }
    }));
}
