//! The scene behind the panels: the canvas the frames are drawn on, the digits drawn as
//! sprites on it, and its captions in the room the panels leave. Each scene's sprites hang
//! under a root of their own, shown only while that scene is ([`ActiveScene`]).

pub(super) mod canvas;
pub(super) mod digits;
pub(super) mod overlay;

use bevy::prelude::*;

use crate::app::schedule::ActiveScene;

/// The parents of each scene's sprites.
#[derive(Resource, Debug, Clone, Copy)]
pub struct SceneRoots {
    pub digits: Entity,
    pub toy: Entity,
}

pub(super) fn plugin(app: &mut App) {
    // Spawned at once, so that every feature's start-up systems can hang sprites under them.
    let mut root = |scene: ActiveScene| {
        app.world_mut()
            .spawn((Transform::default(), Visibility::Hidden, RootOf(scene)))
            .id()
    };
    let roots = SceneRoots {
        digits: root(ActiveScene::Digits),
        toy: root(ActiveScene::Toy),
    };
    app.insert_resource(roots)
        .add_systems(Update, show_active_scene)
        .add_plugins((digits::plugin, overlay::plugin));
}

#[derive(Component)]
struct RootOf(ActiveScene);

fn show_active_scene(scene: Res<ActiveScene>, mut roots: Query<(&RootOf, &mut Visibility)>) {
    if !scene.is_changed() {
        return;
    }
    for (root, mut visibility) in &mut roots {
        *visibility = if root.0 == *scene {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
    }
}
