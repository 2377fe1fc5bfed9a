//! The scene behind the panels: the canvas the frames are drawn on, the digits drawn as
//! sprites on it, and its captions in the room the panels leave.

pub(super) mod canvas;
pub(super) mod digits;
pub(super) mod overlay;

use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins((digits::plugin, overlay::plugin));
}
