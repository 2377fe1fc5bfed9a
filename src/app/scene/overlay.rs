//! The scene's share of the window: the camera draws in what the panels leave, and the
//! captions and the data banner are painted over it.

use bevy::camera::Viewport;
use bevy::prelude::*;
use bevy_egui::egui::{self, Align2, Color32, FontId, LayerId};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::app::scene::canvas::Canvas;
use crate::app::scene::digits::{CAPTIONS, SceneCamera};
use crate::app::schedule::{ActiveScene, UiSystems};
use crate::app::training::dataset::DatasetStatus;

/// The room the panels took this frame, in egui's logical points.
#[derive(Resource, Default, Clone, Copy)]
pub struct PanelFootprint {
    pub right: f32,
    pub bottom: f32,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PanelFootprint>().add_systems(
        EguiPrimaryContextPass,
        fit_to_panels.in_set(UiSystems::Scene),
    );
}

pub(in crate::app) fn fit_to_panels(
    mut contexts: EguiContexts,
    footprint: Res<PanelFootprint>,
    canvas: Res<Canvas>,
    data: Res<DatasetStatus>,
    scene: Res<ActiveScene>,
    mut camera: Single<(&mut Camera, &GlobalTransform), With<SceneCamera>>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let PanelFootprint { right, bottom } = *footprint;
    // The sprites get what the panels leave.
    let scale = canvas.scale;
    let (camera, camera_transform) = &mut *camera;
    let size = canvas.size;
    let reserved = UVec2::new((right * scale) as u32, (bottom * scale) as u32);
    let free = size.saturating_sub(reserved).max(UVec2::ONE);
    camera.viewport = Some(Viewport {
        physical_position: UVec2::ZERO,
        physical_size: free,
        ..default()
    });

    // Captions above each picture, and the loading or no-data message over the grid; the toy
    // scene paints its own (see `crate::app::toy::caption`).
    if *scene != ActiveScene::Digits {
        return Ok(());
    }
    let free_rect = egui::Rect::from_min_size(
        egui::Pos2::ZERO,
        egui::vec2(free.x as f32 / scale, free.y as f32 / scale),
    );
    let painter = ctx
        .layer_painter(LayerId::background())
        .with_clip_rect(free_rect);
    let to_screen = |world: Vec2| {
        camera
            .world_to_viewport(camera_transform, world.extend(0.0))
            .ok()
            .map(|p| egui::pos2(p.x, p.y))
    };
    for (text, at) in CAPTIONS {
        if let Some(pos) = to_screen(at) {
            painter.text(
                pos,
                Align2::CENTER_BOTTOM,
                text,
                FontId::proportional(13.0),
                Color32::GRAY,
            );
        }
    }
    let banner = match &*data {
        DatasetStatus::Loading { message, fraction } => Some(match fraction {
            Some(f) => format!("{message} {:.0}%", f * 100.0),
            None => message.clone(),
        }),
        DatasetStatus::Unavailable(_) => Some(
            "No training data: exploring the pretrained generator. See the status panel.".into(),
        ),
        DatasetStatus::Ready(_) => None,
    };
    if let (Some(text), Some(pos)) = (banner, to_screen(Vec2::new(0.0, -150.0))) {
        painter.text(
            pos,
            Align2::CENTER_CENTER,
            text,
            FontId::proportional(15.0),
            Color32::from_rgb(240, 190, 90),
        );
    }
    Ok(())
}
