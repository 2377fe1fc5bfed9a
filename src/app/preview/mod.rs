//! Samples the live generator a few times a second: the fixed-noise grid, every frame of the
//! latent walk, and its keyframes, in one forward pass and one read-back, all drawn at the
//! chosen truncation.

pub(super) mod truncation;

use std::time::Duration;

use bevy::prelude::*;

use crate::app::preview::truncation::DrawTruncation;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::training::{Session, TrainingState};
use crate::app::walk::{FRAMES_PER_SEGMENT, WalkState, apply_walk_controls};
use crate::data::IMAGE_PIXELS;
use crate::gan::sample::{fixed_noise, to_grey};

/// Digits in the fixed-noise grid (8 × 8).
pub const GRID_DIGITS: usize = 64;
/// How often a training generator is sampled again.
const REFRESH: Duration = Duration::from_millis(250);

/// The latest generated images, as 28×28 grey bytes, and the latent vectors behind them.
#[derive(Resource, Default, Debug)]
pub struct Previews {
    /// The grid's latent vectors (fixed for a seed), `GRID_DIGITS × latent_dim`.
    pub grid_noise: Vec<f32>,
    pub latent_dim: usize,
    pub grid: Vec<u8>,
    pub walk: Vec<u8>,
    pub keyframes: Vec<u8>,
    /// The generator step these images show.
    pub step: u64,
    /// Bumped on every refresh, so textures are rewritten only when something changed.
    pub version: u64,
    /// App time (virtual, so recordings refresh on video time) and what was drawn then.
    last: Option<(Duration, u64, u64, u64)>,
}

impl Previews {
    /// Image `index` of a buffer of 28×28 images.
    pub fn image(buffer: &[u8], index: usize) -> Option<&[u8]> {
        buffer.get(index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS)
    }

    /// The latent vector of grid digit `index`.
    pub fn grid_latent(&self, index: usize) -> Option<Vec<f32>> {
        let dim = self.latent_dim;
        self.grid_noise
            .get(index * dim..(index + 1) * dim)
            .map(<[f32]>::to_vec)
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_plugins(truncation::plugin)
        .init_resource::<Previews>()
        .add_systems(
            Update,
            refresh.in_set(AppSystems::Sample).in_set(SceneOnly::Digits),
        )
        .add_systems(
            Update,
            advance_walk
                .in_set(AppSystems::Input)
                .after(apply_walk_controls),
        );
}

/// Moves the walk along its path once its first frames exist (here, so that the walk needs
/// nothing from the previews).
fn advance_walk(time: Res<Time>, previews: Res<Previews>, mut walk: ResMut<WalkState>) {
    if walk.playing && previews.version > 0 {
        let position = walk.position + walk.speed * time.delta_secs();
        walk.position = walk.path.normalize(position);
        // An open path bounces back to its start once it arrives.
        if !walk.path.looping && walk.position >= walk.path.segments() as f32 {
            walk.position = 0.0;
        }
    }
}

pub(super) fn refresh(
    time: Res<Time>,
    session: NonSend<Session>,
    state: Res<TrainingState>,
    walk: Res<WalkState>,
    truncation: Res<DrawTruncation>,
    mut previews: ResMut<Previews>,
) {
    let Some(live) = session.0.as_ref() else {
        return;
    };
    let seed = state.settings.config.seed;
    let key = (state.generation, walk.version, live.step_count());
    let stale = match previews.last {
        None => true,
        Some(_) if truncation.is_changed() => true,
        Some((at, generation, version, step)) => {
            generation != key.0
                || version != key.1
                || (step != key.2 && (time.elapsed() - at >= REFRESH || !state.playing))
        }
    };
    if !stale {
        return;
    }
    let latent_dim = live.latent_dim();
    if previews.latent_dim != latent_dim
        || previews.grid_noise.is_empty()
        || previews.last.is_none_or(|l| l.1 != key.0)
    {
        previews.grid_noise = fixed_noise(seed, GRID_DIGITS, latent_dim);
        previews.latent_dim = latent_dim;
    }
    let walk_noise = walk.path.samples(FRAMES_PER_SEGMENT);
    let keyframes: Vec<f32> = walk.path.keyframes().concat();
    let mut noise = previews.grid_noise.clone();
    noise.extend_from_slice(&walk_noise);
    noise.extend_from_slice(&keyframes);
    let pixels = to_grey(&live.generate(&truncation.0.apply(&noise)));
    let walk_end = (GRID_DIGITS + walk_noise.len() / latent_dim) * IMAGE_PIXELS;
    previews.grid = pixels[..GRID_DIGITS * IMAGE_PIXELS].to_vec();
    previews.walk = pixels[GRID_DIGITS * IMAGE_PIXELS..walk_end].to_vec();
    previews.keyframes = pixels[walk_end..].to_vec();
    previews.step = key.2;
    previews.version += 1;
    previews.last = Some((time.elapsed(), key.0, key.1, key.2));
}
