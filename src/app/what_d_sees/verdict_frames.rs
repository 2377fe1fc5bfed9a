//! Frames the grid's digits in the colour of D's verdict on each, while asked to
//! ([`crate::app::what_d_sees::WhatDSeesView::outline`]): red where D takes the digit for real, blue where
//! it sees a fake, nothing where it cannot tell. The hovered digit is the one the "What D sees"
//! window looks at closely.

use bevy::prelude::*;

use crate::app::lessons::Quality;
use crate::app::preview::GRID_DIGITS;
use crate::app::scene::SceneRoots;
use crate::app::scene::digits::{PITCH, grid_position};
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::what_d_sees::{WhatDSeesReadings, WhatDSeesView};
use crate::gan::what_d_sees::signed_colours;

/// The frame behind grid digit `.0`.
#[derive(Component)]
struct VerdictFrame(usize);

/// D's verdict where it cannot tell real from fake (for every loss ganimate offers).
const UNDECIDED: f32 = 0.5;

pub(in crate::app) fn plugin(app: &mut App) {
    app.add_systems(Startup, spawn_frames).add_systems(
        Update,
        (
            follow_hover.in_set(AppSystems::Input),
            draw_frames.in_set(AppSystems::Draw),
        )
            .in_set(SceneOnly::Digits),
    );
}

fn spawn_frames(mut commands: Commands, roots: Res<SceneRoots>) {
    for index in 0..GRID_DIGITS {
        commands.spawn((
            VerdictFrame(index),
            Sprite {
                custom_size: Some(Vec2::splat(PITCH)),
                ..default()
            },
            Transform::from_translation(grid_position(index).extend(0.3)),
            Visibility::Hidden,
            ChildOf(roots.digits),
        ));
    }
}

fn follow_hover(quality: Res<Quality>, mut view: ResMut<WhatDSeesView>) {
    if let Some(index) = quality.hovered
        && view.inspected != index
    {
        view.inspected = index;
    }
}

fn draw_frames(
    view: Res<WhatDSeesView>,
    readings: Res<WhatDSeesReadings>,
    mut frames: Query<(&VerdictFrame, &mut Sprite, &mut Visibility)>,
) {
    if !view.is_changed() && !readings.is_changed() {
        return;
    }
    let shown = view.outline && readings.grid_scores.len() == GRID_DIGITS;
    let leanings: Vec<f32> = readings
        .grid_scores
        .iter()
        .map(|score| score - UNDECIDED)
        .collect();
    let colours = signed_colours(&leanings, UNDECIDED);
    for (frame, mut sprite, mut visibility) in &mut frames {
        *visibility = if shown {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if let Some(&[r, g, b]) = colours.get(frame.0) {
            sprite.color = Color::srgb_u8(r, g, b);
        }
    }
}
