//! The "Directions" window: a slider per main latent direction, a strip of digits from −3σ to
//! +3σ beside each, and the moved digit, all redrawn as G learns ([`crate::app::directions`]).

use bevy::prelude::*;
use bevy_egui::egui::{self, RichText, Ui};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::app::directions::{
    BaseOrigin, DirectionsControl, DirectionsWindowOpen, LatentDirections, REACH, SHOWN, STRIP,
};
use crate::app::scene::canvas::{Canvas, DigitTextures};
use crate::app::schedule::{SceneOnly, UiSystems};
use crate::gan::latent::directions::Method;

/// Side of a strip's digit on screen, in points.
const THUMB: f32 = 30.0;

#[derive(bevy::ecs::system::SystemParam)]
pub struct DirectionsWindow<'w> {
    open: ResMut<'w, DirectionsWindowOpen>,
    directions: Res<'w, LatentDirections>,
    controls: MessageWriter<'w, DirectionsControl>,
}

pub(in crate::app) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        window.in_set(UiSystems::Windows).in_set(SceneOnly::Digits),
    );
}

/// The window, when open and the panels are shown.
fn window(
    mut contexts: EguiContexts,
    canvas: Res<Canvas>,
    mut window: DirectionsWindow,
    mut textures: Local<Textures>,
) -> Result {
    if !canvas.show_panels || !window.open.0 {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let mut open = true;
    egui::Window::new("Latent directions")
        .open(&mut open)
        .resizable(false)
        .default_pos(egui::pos2(360.0, 8.0))
        .show(&ctx, |ui| contents(ui, &mut window, &mut textures));
    window.open.0 = open;
    Ok(())
}

fn contents(ui: &mut Ui, window: &mut DirectionsWindow, textures: &mut Textures) {
    let directions = &*window.directions;
    textures.refresh(ui.ctx(), directions);
    ui.horizontal(|ui| {
        let mut method = directions.method;
        ui.radio_value(&mut method, Method::Sefa, "SeFa")
            .on_hover_text("Closed form from G's first layer: the eigenvectors of W₁W₁ᵀ.");
        ui.radio_value(&mut method, Method::Ganspace, "GANSpace")
            .on_hover_text(
                "Principal components of G's first hidden layer over 2,048 samples, mapped \
                 back to z.",
            );
        if method != directions.method {
            window.controls.write(DirectionsControl::SetMethod(method));
        }
        let mut follow = directions.follow_training;
        if ui
            .checkbox(&mut follow, "follow training")
            .on_hover_text("Find the directions again every 3 s while G learns.")
            .changed()
        {
            window
                .controls
                .write(DirectionsControl::FollowTraining(follow));
        }
    });
    let Some(found) = &directions.found else {
        ui.label("finding the directions…");
        return;
    };
    ui.label(
        RichText::new(format!(
            "{} directions of G at step {}; moving {}",
            directions.method.name(),
            directions.found_at_step,
            match directions.base_origin {
                BaseOrigin::WalkPoint => "the walk's point",
                BaseOrigin::Picked => "the last digit added to the walk",
            }
        ))
        .small(),
    );
    ui.horizontal(|ui| {
        if let Some(moved) = textures.moved() {
            ui.image((moved.id(), egui::vec2(72.0, 72.0)));
        }
        ui.vertical(|ui| {
            if ui.button("Add to the walk").clicked() {
                window.controls.write(DirectionsControl::AddToWalk);
            }
            if ui.button("Reset the sliders").clicked() {
                window.controls.write(DirectionsControl::ResetOffsets);
            }
            if ui.button("Start from the walk's point").clicked() {
                window.controls.write(DirectionsControl::UseWalkPoint);
            }
        });
    });
    for k in 0..SHOWN.min(found.len()) {
        ui.separator();
        ui.horizontal(|ui| {
            let mut offset = directions.offsets[k];
            let slider = egui::Slider::new(&mut offset, -REACH..=REACH)
                .fixed_decimals(1)
                .text(format!("σ along {}", k + 1));
            if ui
                .add(slider)
                .on_hover_text(format!("strength {:.3}", found.strengths[k]))
                .changed()
            {
                window
                    .controls
                    .write(DirectionsControl::SetOffset { k, offset });
            }
            if ui
                .small_button("walk it")
                .on_hover_text("The walk goes along this direction, −3σ to +3σ and back.")
                .clicked()
            {
                window.controls.write(DirectionsControl::WalkAlong(k));
            }
        });
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 2.0;
            for texture in textures.strip(k) {
                ui.image((texture.id(), egui::vec2(THUMB, THUMB)));
            }
        });
    }
}

/// The window's pictures, rewritten only when the digits change: the strips, then the moved
/// digit.
pub struct Textures {
    version: Option<u64>,
    digits: DigitTextures,
}

impl Default for Textures {
    fn default() -> Self {
        Self {
            version: None,
            digits: DigitTextures::named("direction"),
        }
    }
}

impl Textures {
    fn refresh(&mut self, ctx: &egui::Context, directions: &LatentDirections) {
        if self.version == Some(directions.version) {
            return;
        }
        self.version = Some(directions.version);
        let strips = (0..SHOWN).flat_map(|k| (0..STRIP).map(move |i| (k, i)));
        let digits = strips
            .chain(std::iter::once((SHOWN, 0)))
            .filter_map(|(k, i)| directions.digit(k, i));
        self.digits.update(ctx, digits);
    }

    fn strip(&self, k: usize) -> impl Iterator<Item = &egui::TextureHandle> {
        self.digits.iter().skip(k * STRIP).take(STRIP)
    }

    fn moved(&self) -> Option<&egui::TextureHandle> {
        self.digits.get(SHOWN * STRIP)
    }
}
