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
