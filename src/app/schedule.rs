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
