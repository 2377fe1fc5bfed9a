//! The latent walk's state: the path, where along it the walk is, and how it moves.

use bevy::prelude::*;

use crate::app::schedule::AppSystems;
use crate::app::training::TrainingState;
use crate::gan::latent::Interpolation;
use crate::gan::latent::walk::LatentPath;

/// Keyframes a new random path has.
const KEYFRAMES: usize = 5;
/// Frames rendered per segment of the path: enough for smooth motion at the default speed.
pub const FRAMES_PER_SEGMENT: usize = 24;

/// What clicking a generated digit does to the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClickMode {
    /// Insert the digit's latent vector as the walk's next stop.
    #[default]
    NextKeyframe,
    /// Two clicks set the two ends of a back-and-forth walk.
    Endpoints,
}

#[derive(Resource, Debug)]
pub struct WalkState {
    pub path: LatentPath,
    /// Position along the path, in segments (keyframe i sits at i).
    pub position: f32,
    /// Segments per second.
    pub speed: f32,
    pub playing: bool,
    pub click_mode: ClickMode,
    /// The seed of the current random path.
    pub seed: u64,
    /// The first endpoint of an `Endpoints` pair, until the second click.
    pub first_endpoint: Option<Vec<f32>>,
    /// Bumped on every change of the path, so frames are regenerated at once.
    pub version: u64,
}

impl WalkState {
    fn random(seed: u64, latent_dim: usize) -> Self {
        Self {
            path: LatentPath::random(seed, KEYFRAMES, latent_dim),
            position: 0.0,
            speed: 0.5,
            playing: true,
            click_mode: ClickMode::default(),
            seed,
            first_endpoint: None,
            version: 0,
        }
    }

    /// The index of the frame to show among `FRAMES_PER_SEGMENT` per segment.
    pub fn frame_index(&self) -> usize {
        let frames = self.frame_count();
        ((self.position * FRAMES_PER_SEGMENT as f32).round() as usize).min(frames.saturating_sub(1))
    }

    pub fn frame_count(&self) -> usize {
        self.path.segments() * FRAMES_PER_SEGMENT + usize::from(!self.path.looping)
    }

    /// The keyframe the walk is heading to next.
    pub fn next_keyframe(&self) -> usize {
        (self.position.floor() as usize + 1) % self.path.keyframes().len()
    }

    fn changed(&mut self) {
        self.position = self.path.normalize(self.position);
        self.version += 1;
    }

    /// Applies one request; returns nothing, as every change shows in the state.
    pub fn apply(&mut self, control: &WalkControl) {
        match control {
            WalkControl::TogglePlay => self.playing = !self.playing,
            WalkControl::Scrub(position) => self.position = self.path.normalize(*position),
            WalkControl::SetSpeed(speed) => self.speed = speed.clamp(0.0, 10.0),
            WalkControl::SetInterpolation(interp) => {
                self.path.interpolation = *interp;
                self.changed();
            }
            WalkControl::SetLooping(looping) => {
                self.path.looping = *looping;
                self.changed();
            }
            WalkControl::NewPath => {
                let dim = self.path.keyframes()[0].len();
                let (interp, looping) = (self.path.interpolation, self.path.looping);
                self.seed = self.seed.wrapping_add(1);
                self.path = LatentPath::random(self.seed, KEYFRAMES, dim);
                self.path.interpolation = interp;
                self.path.looping = looping;
                self.position = 0.0;
                self.first_endpoint = None;
                self.changed();
            }
            WalkControl::SetClickMode(mode) => {
                self.click_mode = *mode;
                self.first_endpoint = None;
            }
            WalkControl::AddLatent(z) => match self.click_mode {
                ClickMode::NextKeyframe => {
                    let at = self.position.floor() as usize;
                    self.path.insert_after(at, z.clone());
                    self.changed();
                }
                ClickMode::Endpoints => match self.first_endpoint.take() {
                    None => self.first_endpoint = Some(z.clone()),
                    Some(first) => {
                        let (interp, looping) = (self.path.interpolation, self.path.looping);
                        self.path = LatentPath::through(vec![first, z.clone()]);
                        self.path.interpolation = interp;
                        self.path.looping = looping;
                        self.position = 0.0;
                        self.changed();
                    }
                },
            },
            WalkControl::RemoveKeyframe(index) => {
                self.path.remove(*index);
                self.changed();
            }
            WalkControl::ReplacePath {
                keyframes,
                interpolation,
            } => {
                if keyframes.len() >= 2 {
                    self.path = LatentPath::through(keyframes.clone());
                    self.path.interpolation = *interpolation;
                    self.position = 0.0;
                    self.first_endpoint = None;
                    self.changed();
                }
            }
        }
    }
}

/// Requests to the walk, from the panels, the keys and clicks on digits.
#[derive(Message, Debug, Clone)]
pub enum WalkControl {
    TogglePlay,
    Scrub(f32),
    SetSpeed(f32),
    SetInterpolation(Interpolation),
    SetLooping(bool),
    NewPath,
    SetClickMode(ClickMode),
    /// A latent vector picked by clicking a digit.
    AddLatent(Vec<f32>),
    RemoveKeyframe(usize),
    /// A new path through these keyframes (two or more), from its start.
    ReplacePath {
        keyframes: Vec<Vec<f32>>,
        interpolation: Interpolation,
    },
}

pub(super) fn plugin(app: &mut App) {
    let seed = app.world().resource::<TrainingState>().settings.config.seed;
    let latent_dim = crate::gan::Preset::Stable.generator().latent_dim;
    app.add_message::<WalkControl>()
        .insert_resource(WalkState::random(seed, latent_dim))
        .add_systems(Update, apply_walk_controls.in_set(AppSystems::Input));
}

pub(in crate::app) fn apply_walk_controls(
    mut controls: MessageReader<WalkControl>,
    mut walk: ResMut<WalkState>,
) {
    for control in controls.read() {
        walk.apply(control);
    }
}
