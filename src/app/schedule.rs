//! The order of a frame's work, shared by every feature's systems.

use bevy::prelude::*;

/// The order of work inside a frame: input, then training, then sampling, then drawing.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppSystems {
    Input,
    Train,
    Sample,
    Draw,
}

/// The order of the egui pass: the panels take their room first, the scene fits into the rest
/// and paints its captions, then the floating windows go on top.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UiSystems {
    Panels,
    Scene,
    Windows,
}

/// Which scene the app shows. It follows the running session: a toy run's config has a `toy`.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActiveScene {
    #[default]
    Digits,
    Toy,
}

/// Systems of one scene only: the digits' views would read a toy generator's points as
/// images, and the toy's views a digit generator's images as points.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SceneOnly {
    Digits,
    Toy,
}

/// Runs each [`SceneOnly`] set only while its scene is shown, in `schedule`.
pub fn configure_scenes(app: &mut App, schedule: impl bevy::ecs::schedule::ScheduleLabel) {
    app.configure_sets(
        schedule,
        (
            SceneOnly::Digits.run_if(|scene: Res<ActiveScene>| *scene == ActiveScene::Digits),
            SceneOnly::Toy.run_if(|scene: Res<ActiveScene>| *scene == ActiveScene::Toy),
        ),
    );
}
