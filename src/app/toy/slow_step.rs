//! The slow-motion step: one update of the game walked through stage by stage, with a caption
//! each (draw the samples, D's verdicts, the losses, the gradients, the update), stepped with
//! M or the panel's button, or every few seconds of app time with `--slow-step SECONDS`, so a
//! recording shows it too. Training pauses while it runs; the update stage trains exactly one
//! step and shows where the same z's land after it.

use std::time::Duration;

use bevy::prelude::*;

use crate::app::options::AppOptions;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::toy::ToyLab;
use crate::app::training::{Control, Session, TrainingState};
use crate::gan::StepMode;
use crate::gan::live::Players;
use crate::toy::step_apart::StepApart;

/// The stages of one step, in the order the trainer goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// z ~ N(0, 1) through G, and real points from the data.
    Draw,
    /// D's verdict on each.
    Verdicts,
    /// D's and G's losses on those verdicts.
    Losses,
    /// The gradients: the pull on each fake, back through D into G.
    Gradients,
    /// Adam's update of both networks, and where the same z's land after it.
    Update,
}

impl Stage {
    pub const COUNT: usize = 5;

    /// 1 to [`Stage::COUNT`].
    pub fn number(self) -> usize {
        self as usize + 1
    }

    fn next(self) -> Option<Self> {
        match self {
            Stage::Draw => Some(Stage::Verdicts),
            Stage::Verdicts => Some(Stage::Losses),
            Stage::Losses => Some(Stage::Gradients),
            Stage::Gradients => Some(Stage::Update),
            Stage::Update => None,
        }
    }
}

/// The slow-motion step, while one is shown.
#[derive(Resource, Default)]
pub struct SlowStep {
    /// The stage shown; `None` outside slow motion.
    pub stage: Option<Stage>,
    /// The step's samples, once the players have been looked at.
    pub apart: Option<StepApart>,
    /// The session generation and step count the update started from, until it has been
    /// looked at after the step.
    awaiting_update: Option<(u64, u64)>,
    /// The session generation `apart` belongs to.
    generation: u64,
    /// App time the stage was entered, or its samples or update came, for `--slow-step`.
    entered: Duration,
    /// Stages entered since the app started.
    pub stages_shown: u32,
}

/// Asks the slow-motion step to move on (starting one if none is shown) or to end.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlowControl {
    Next,
    Leave,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<SlowStep>()
        .add_message::<SlowControl>()
        .add_systems(
            Update,
            (
                on_schedule.in_set(AppSystems::Input),
                advance.in_set(AppSystems::Input).after(on_schedule),
                look.in_set(AppSystems::Sample),
            )
                .in_set(SceneOnly::Toy),
        );
}

/// `--slow-step SECONDS`: starts once the picture is there and moves on every SECONDS of app
/// time (a recording's own clock, so its video shows every stage for as long).
fn on_schedule(
    options: Res<AppOptions>,
    time: Res<Time>,
    lab: Res<ToyLab>,
    slow: Res<SlowStep>,
    mut controls: MessageWriter<SlowControl>,
) {
    let Some(seconds) = options.slow_step else {
        return;
    };
    // Each stage shows for SECONDS once its samples (or the update's result) are there.
    let shown = match (slow.stage, &slow.apart) {
        (None, _) => lab.view.is_some(),
        (Some(Stage::Update), Some(apart)) => apart.after.is_some(),
        (Some(_), apart) => apart.is_some(),
    };
    let waited = time.elapsed().saturating_sub(slow.entered);
    if shown && (slow.stage.is_none() || waited.as_secs_f64() >= seconds) {
        controls.write(SlowControl::Next);
    }
}

/// Moves to the stage asked for (keys: [`crate::app::keys`]), trains the update's step.
pub(in crate::app) fn advance(
    mut requests: MessageReader<SlowControl>,
    mut slow: ResMut<SlowStep>,
    state: Res<TrainingState>,
    time: Res<Time>,
    mut controls: MessageWriter<Control>,
) {
    for request in requests.read() {
        let next = match (*request, slow.stage) {
            (SlowControl::Leave, _) => None,
            (SlowControl::Next, None) => {
                controls.write(Control::SetPlaying(false));
                Some(Stage::Draw)
            }
            // A stage waits for its samples, and the update for the step to be looked at.
            (SlowControl::Next, Some(_)) if slow.apart.is_none() => continue,
            (SlowControl::Next, Some(Stage::Update)) if slow.awaiting_update.is_some() => continue,
            (SlowControl::Next, Some(stage)) => Some(stage.next().unwrap_or(Stage::Draw)),
        };
        if next == Some(Stage::Draw) {
            slow.apart = None;
        }
        if next == Some(Stage::Update) {
            controls.write(Control::Step(StepMode::Both));
            slow.awaiting_update = Some((state.generation, state.step));
        }
        if next.is_none() {
            slow.leave();
        } else {
            slow.stages_shown += 1;
        }
        slow.stage = next;
        slow.entered = time.elapsed();
    }
}

impl SlowStep {
    fn leave(&mut self) {
        self.stage = None;
        self.apart = None;
        self.awaiting_update = None;
    }
}

/// Looks at the players for the stage: the step's samples at its start, and the same samples
/// once the update has been trained. A session on a thread of its own hands its players over a
/// frame or two after they are asked for, so this asks again until they come.
fn look(
    time: Res<Time>,
    session: NonSend<Session>,
    state: Res<TrainingState>,
    lab: Res<ToyLab>,
    mut slow: ResMut<SlowStep>,
) {
    let Some(stage) = slow.stage else {
        return;
    };
    if state.playing {
        // Play (Space or the panel) ends the slow motion.
        slow.leave();
        return;
    }
    let (Some(live), Some(data)) = (session.0.as_ref(), lab.data()) else {
        return;
    };
    if slow.apart.is_some() && slow.generation != state.generation {
        // A reset or a load replaced the players: start the step again on the new ones.
        slow.apart = None;
        slow.awaiting_update = None;
        slow.stage = Some(Stage::Draw);
    }
    let label = live.config().preset.real_label() as f32;
    let drawing = slow.apart.is_none();
    let updated = slow
        .awaiting_update
        .is_some_and(|(generation, step)| generation == state.generation && state.step > step);
    let updating = stage == Stage::Update && updated;
    if !(drawing || updating) {
        return;
    }
    let Some(Players {
        step,
        discriminator,
        generator,
    }) = live.players()
    else {
        return;
    };
    let (d, g) = (discriminator.as_ref(), generator.as_ref());
    if drawing {
        let seed = (live.config().seed, step);
        slow.apart = Some(StepApart::draw(d, g, data, live.latent_dim(), seed, label));
        slow.generation = state.generation;
    } else if let Some(apart) = slow.apart.as_mut() {
        apart.update(d, g, label);
        slow.awaiting_update = None;
    }
    slow.entered = time.elapsed();
}
