//! The scene behind the panels: the canvas the frames are drawn on, and the digits drawn as
//! sprites on it.

pub(super) mod canvas;
pub(super) mod digits;

use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins(digits::plugin);
}
