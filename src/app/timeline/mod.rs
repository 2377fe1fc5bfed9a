//! The training timeline: the fixed-noise grid kept every few steps since step 0, in bounded
//! memory ([`GridTimeline`]), and what the bottom panel's scrubber shows of it.

pub(super) mod tab;

use std::time::Duration;

use bevy::prelude::*;

use crate::app::preview::Previews;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::training::TrainingState;
use crate::gan::timeline::GridTimeline;

/// Steps between snapshots at first; it doubles each time the timeline is full.
const FIRST_SPACING: u64 = 25;
/// Snapshots kept: 240 grids of 64 digits are 12 MB.
const CAPACITY: usize = 240;
/// Replay speed, in snapshots per second of app time (video time while recording).
const REPLAY_RATE: f32 = 12.0;

/// The grid over training, and which snapshot the scrubber shows.
#[derive(Resource)]
pub struct Timeline {
    pub grids: GridTimeline,
    /// The snapshot shown.
    pub shown: usize,
    /// Whether the scrubber follows the newest snapshot.
    pub live: bool,
    /// Whether it plays the timeline from the shown snapshot on.
    pub replaying: bool,
    /// Fractional snapshots advanced while replaying.
    replay_progress: f32,
    /// The session the snapshots come from.
    generation: u64,
}

impl Default for Timeline {
    fn default() -> Self {
        Self {
            grids: GridTimeline::new(FIRST_SPACING, CAPACITY),
            shown: 0,
            live: true,
            replaying: false,
            replay_progress: 0.0,
            generation: 0,
        }
    }
}

/// Requests from the scrubber (and tests).
#[derive(Message, Debug, Clone, Copy)]
pub enum TimelineControl {
    /// Shows snapshot `n` and stops following the newest.
    Show(usize),
    /// Plays the timeline from the shown snapshot (from the start when at the end).
    Replay,
    /// Follows the newest snapshot again.
    Live,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Timeline>()
        .add_message::<TimelineControl>()
        .add_systems(Update, apply_controls.in_set(AppSystems::Input))
        .add_systems(
            Update,
            (keep_snapshots, replay)
                .chain()
                .in_set(AppSystems::Draw)
                .in_set(SceneOnly::Digits),
        );
}

fn apply_controls(mut requests: MessageReader<TimelineControl>, mut timeline: ResMut<Timeline>) {
    let last = timeline.grids.len().saturating_sub(1);
    for request in requests.read() {
        match *request {
            TimelineControl::Show(index) => {
                timeline.shown = index.min(last);
                timeline.live = false;
                timeline.replaying = false;
            }
            TimelineControl::Replay => {
                if timeline.shown >= last {
                    timeline.shown = 0;
                }
                timeline.live = false;
                timeline.replaying = true;
                timeline.replay_progress = 0.0;
            }
            TimelineControl::Live => {
                timeline.live = true;
                timeline.replaying = false;
                timeline.shown = last;
            }
        }
    }
}

/// Keeps each newly drawn grid that is far enough from the last snapshot; a new session
/// starts a new timeline.
fn keep_snapshots(
    previews: Res<Previews>,
    state: Res<TrainingState>,
    mut timeline: ResMut<Timeline>,
) {
    if state.generation != timeline.generation {
        timeline.generation = state.generation;
        timeline.grids.clear(FIRST_SPACING);
        timeline.shown = 0;
        timeline.replaying = false;
    }
    if !previews.is_changed() || previews.grid.is_empty() {
        return;
    }
    let before = timeline.grids.len();
    let shown_step = timeline
        .grids
        .get(timeline.shown)
        .map_or(0, |(step, _)| step);
    if timeline.grids.offer(previews.step, &previews.grid) {
        let last = timeline.grids.len() - 1;
        if timeline.live {
            timeline.shown = last;
        } else if timeline.grids.len() < before {
            // Thinned: the shown snapshot moved to half its index (or went).
            timeline.shown = (0..=last)
                .find(|&i| timeline.grids.get(i).is_some_and(|(s, _)| s >= shown_step))
                .unwrap_or(last);
        }
    }
}

/// Moves the replay on.
fn replay(time: Res<Time>, mut timeline: ResMut<Timeline>) {
    if !timeline.replaying {
        return;
    }
    let last = timeline.grids.len().saturating_sub(1);
    timeline.replay_progress += REPLAY_RATE * time.delta_secs();
    let whole = timeline.replay_progress.floor();
    if whole >= 1.0 {
        timeline.replay_progress -= whole;
        timeline.shown = (timeline.shown + whole as usize).min(last);
    }
    if timeline.shown >= last {
        timeline.replaying = false;
    }
}

/// How long the whole timeline takes to replay.
pub fn replay_length(timeline: &Timeline) -> Duration {
    Duration::from_secs_f32(timeline.grids.len() as f32 / REPLAY_RATE)
}
