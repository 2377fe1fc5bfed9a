//! The toy picture on a sprite in the toy scene's root: the frames only swap its texture. While
//! drawing, the mouse paints on it.

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;

use crate::app::scene::SceneRoots;
use crate::app::scene::digits::{SceneCamera, cursor_world};
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::toy::drawing::{DrawControl, Drawing};
use crate::app::toy::{PICTURE_CENTER, PICTURE_PIXELS, PICTURE_SIZE, ToyLab};
use crate::app::training::TrainingState;

/// The texture the picture is drawn on.
#[derive(Resource)]
struct Picture(Handle<Image>);

pub(in crate::app) fn plugin(app: &mut App) {
    app.add_systems(Startup, spawn_picture).add_systems(
        Update,
        (
            paint_with_the_mouse.in_set(AppSystems::Input),
            show_picture.in_set(AppSystems::Draw),
        )
            .in_set(SceneOnly::Toy),
    );
}

fn spawn_picture(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    roots: Res<SceneRoots>,
) {
    let mut image = Image::new_fill(
        Extent3d {
            width: PICTURE_PIXELS,
            height: PICTURE_PIXELS,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        &[51, 54, 59, 255],
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::MAIN_WORLD | RenderAssetUsages::RENDER_WORLD,
    );
    image.sampler = bevy::image::ImageSampler::linear();
    let handle = images.add(image);
    commands.spawn((
        Sprite {
            image: handle.clone(),
            custom_size: Some(Vec2::splat(PICTURE_SIZE)),
            ..default()
        },
        Transform::from_translation(PICTURE_CENTER.extend(1.0)),
        ChildOf(roots.toy),
    ));
    commands.insert_resource(Picture(handle));
}

fn show_picture(lab: Res<ToyLab>, picture: Res<Picture>, mut images: ResMut<Assets<Image>>) {
    if !lab.is_changed() {
        return;
    }
    if let Some(pixels) = &lab.pixels
        && let Some(mut image) = images.get_mut(&picture.0)
    {
        image.data = Some(pixels.as_ref().clone());
    }
}

/// Points painted per frame while the left button is held, and the eraser's radius as a share
/// of the view's half-side.
const PAINTED_PER_FRAME: usize = 6;
const ERASER: f32 = 0.06;

fn paint_with_the_mouse(
    drawing: Res<Drawing>,
    state: Res<TrainingState>,
    buttons: Res<ButtonInput<MouseButton>>,
    egui: Res<EguiWantsInput>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    camera: Single<(&Camera, &GlobalTransform), With<SceneCamera>>,
    mut controls: MessageWriter<DrawControl>,
) {
    let (Some(window), Some(toy)) = (window, state.settings.config.toy.as_ref()) else {
        return;
    };
    if !drawing.on || toy.dim != 2 {
        return;
    }
    let (camera, transform) = *camera;
    let Some(world) = cursor_world(&window, camera, transform, &egui) else {
        return;
    };
    let at = (world - PICTURE_CENTER) / (PICTURE_SIZE / 2.0);
    if at.abs().max_element() > 1.0 {
        return;
    }
    let at = [at.x * toy.extent, at.y * toy.extent];
    if buttons.pressed(MouseButton::Left) {
        controls.write(DrawControl::Paint {
            at,
            count: PAINTED_PER_FRAME,
        });
    } else if buttons.pressed(MouseButton::Right) {
        controls.write(DrawControl::Erase {
            at,
            radius: ERASER * toy.extent,
        });
    }
}
