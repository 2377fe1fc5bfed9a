//! The ψ slider: the noise behind the grid and the walk, scaled for drawing (see
//! [`crate::gan::latent::truncation`]). Training and the judge's panel always see ψ = 1: truncation
//! changes what is drawn, not what G is.

use bevy::prelude::*;
use bevy_egui::egui;

use crate::app::options::AppOptions;
use crate::app::schedule::AppSystems;
use crate::gan::Truncation;

/// The truncation the grid, the walk and its keyframes are drawn with.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct DrawTruncation(pub Truncation);

/// Asks for another ψ: from the slider, or from a test.
#[derive(Message, Debug, Clone, Copy)]
pub struct SetTruncation(pub Truncation);

pub(super) fn plugin(app: &mut App) {
    let start = app
        .world()
        .get_resource::<AppOptions>()
        .map(|options| options.truncation)
        .unwrap_or_default();
    app.insert_resource(DrawTruncation(start))
        .add_message::<SetTruncation>()
        .add_systems(Update, apply.in_set(AppSystems::Input));
}

fn apply(mut requests: MessageReader<SetTruncation>, mut truncation: ResMut<DrawTruncation>) {
    // Only a real change marks the resource changed, which is what redraws the digits.
    if let Some(&SetTruncation(psi)) = requests.read().last()
        && truncation.0 != psi
    {
        truncation.0 = psi;
    }
}

/// The slider, for the walk's panel.
pub(in crate::app) fn slider(
    ui: &mut egui::Ui,
    current: Truncation,
    requests: &mut MessageWriter<SetTruncation>,
) {
    let mut psi = current.psi();
    let response = ui
        .add(egui::Slider::new(&mut psi, 0.05..=Truncation::MAX).text("truncation ψ"))
        .on_hover_text(
            "Draws the grid and the walk from ψ·z: below 1, more typical and less varied \
             digits; above 1, stranger ones. Training always uses ψ = 1.",
        );
    if response.changed()
        && let Ok(psi) = Truncation::new(psi)
    {
        requests.write(SetTruncation(psi));
    }
}
