//! Draws the digits as textured sprites: the fixed-noise grid, the real strip, the walk and its
//! keyframes; handles hovering and clicking generated digits.
//!
//! World layout, in world units (the camera scales it to fit the free part of the window):
//! grid on the left, walk on the right, real digits and keyframes underneath.

use bevy::asset::RenderAssetUsages;
use bevy::camera::ScalingMode;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;

use crate::app::lessons::Quality;
use crate::app::options::AppOptions;
use crate::app::preview::{GRID_DIGITS, Previews};
use crate::app::scene::SceneRoots;
use crate::app::scene::canvas::Canvas;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::training::dataset::DatasetStatus;
use crate::app::walk::{WalkControl, WalkState};
use crate::app::your_digit::{DigitOrigin, ProjectDigit};
use crate::data::IMAGE_SIDE;

const GRID_COLUMNS: usize = 8;
/// Distance between neighbouring small digits.
pub(in crate::app) const PITCH: f32 = 30.0;
/// Drawn size of a small digit (28 px plus nothing: gaps come from the pitch).
const DIGIT: f32 = 28.0;
const GRID_CENTER: Vec2 = Vec2::new(-140.0, 25.0);
const WALK_CENTER: Vec2 = Vec2::new(140.0, 25.0);
const WALK_SIZE: f32 = 8.0 * PITCH - 2.0;
const STRIP_Y: f32 = GRID_CENTER.y - 4.0 * PITCH - 30.0;
/// What must stay visible, in world units.
pub const SCENE: Vec2 = Vec2::new(560.0, 330.0);
/// Most keyframes shown in the row under the walk.
const MAX_KEYFRAMES_SHOWN: usize = 12;

/// Where each picture sits, so the panels can caption them.
pub const CAPTIONS: [(&str, Vec2); 4] = [
    (
        "generated from fixed noise: click one to steer the walk",
        Vec2::new(GRID_CENTER.x, GRID_CENTER.y + 4.0 * PITCH + 8.0),
    ),
    (
        "latent walk",
        Vec2::new(WALK_CENTER.x, WALK_CENTER.y + 4.0 * PITCH + 8.0),
    ),
    (
        "real digits: click one to find it in latent space",
        Vec2::new(GRID_CENTER.x, STRIP_Y + PITCH / 2.0 + 8.0),
    ),
    (
        "keyframes (right-click one to remove it)",
        Vec2::new(WALK_CENTER.x, STRIP_Y + PITCH / 2.0 + 8.0),
    ),
];

/// The camera that draws the digits; egui has its own, so panels never shrink with the viewport.
#[derive(Component)]
pub struct SceneCamera;

#[derive(Component)]
pub struct GridDigit(pub usize);
#[derive(Component)]
struct RealDigit(usize);
#[derive(Component)]
struct WalkSprite;
#[derive(Component)]
struct KeyframeDigit(usize);
/// The outline drawn behind the hovered grid digit.
#[derive(Component)]
struct HoverFrame;
/// The outline behind the keyframe the walk heads to.
#[derive(Component)]
struct NextKeyFrame;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, spawn_scene).add_systems(
        Update,
        (
            (hover_and_click).in_set(AppSystems::Input),
            (draw_grid, draw_strip, draw_walk, draw_keyframes).in_set(AppSystems::Draw),
        )
            .in_set(SceneOnly::Digits),
    );
}

fn blank_digit() -> Image {
    let mut image = Image::new_fill(
        Extent3d {
            width: IMAGE_SIDE as u32,
            height: IMAGE_SIDE as u32,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        &[0, 0, 0, 255],
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::MAIN_WORLD | RenderAssetUsages::RENDER_WORLD,
    );
    image.sampler = bevy::image::ImageSampler::nearest();
    image
}

/// Copies a 28×28 grey image into an RGBA texture.
fn write_grey(image: &mut Image, grey: &[u8]) {
    let data: Vec<u8> = grey.iter().flat_map(|&g| [g, g, g, 255]).collect();
    image.data = Some(data);
}

fn digit_sprite(images: &mut Assets<Image>, size: f32) -> Sprite {
    Sprite {
        image: images.add(blank_digit()),
        custom_size: Some(Vec2::splat(size)),
        ..default()
    }
}

pub(in crate::app) fn grid_position(index: usize) -> Vec2 {
    let (row, col) = (index / GRID_COLUMNS, index % GRID_COLUMNS);
    let half = (GRID_COLUMNS as f32 - 1.0) / 2.0;
    GRID_CENTER + Vec2::new((col as f32 - half) * PITCH, (half - row as f32) * PITCH)
}

fn strip_position(center_x: f32, index: usize, count: usize, pitch: f32) -> Vec2 {
    let half = (count as f32 - 1.0) / 2.0;
    Vec2::new(center_x + (index as f32 - half) * pitch, STRIP_Y)
}

fn spawn_scene(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    canvas: Res<Canvas>,
    roots: Res<SceneRoots>,
) {
    let under = || ChildOf(roots.digits);
    commands.spawn((
        SceneCamera,
        Camera2d,
        // Sprites drawn pixel for pixel have no edges to smooth; without a GPU, 4× samples
        // are 4× the fill and a resolve per frame.
        Msaa::Off,
        canvas.target(),
        Projection::Orthographic(OrthographicProjection {
            scaling_mode: ScalingMode::AutoMin {
                min_width: SCENE.x,
                min_height: SCENE.y,
            },
            ..OrthographicProjection::default_2d()
        }),
    ));
    for index in 0..GRID_DIGITS {
        commands.spawn((
            GridDigit(index),
            digit_sprite(&mut images, DIGIT),
            Transform::from_translation(grid_position(index).extend(1.0)),
            under(),
        ));
    }
    for index in 0..GRID_COLUMNS {
        commands.spawn((
            RealDigit(index),
            digit_sprite(&mut images, DIGIT),
            Transform::from_translation(
                strip_position(GRID_CENTER.x, index, GRID_COLUMNS, PITCH).extend(1.0),
            ),
            under(),
        ));
    }
    commands.spawn((
        WalkSprite,
        digit_sprite(&mut images, WALK_SIZE),
        Transform::from_translation(WALK_CENTER.extend(1.0)),
        under(),
    ));
    for index in 0..MAX_KEYFRAMES_SHOWN {
        commands.spawn((
            KeyframeDigit(index),
            digit_sprite(&mut images, DIGIT),
            Transform::from_translation(Vec3::ZERO),
            Visibility::Hidden,
            under(),
        ));
    }
    let outline = |color: Color| Sprite {
        color,
        custom_size: Some(Vec2::splat(PITCH)),
        ..default()
    };
    commands.spawn((
        HoverFrame,
        outline(Color::srgb(0.95, 0.65, 0.2)),
        Transform::default(),
        Visibility::Hidden,
        under(),
    ));
    commands.spawn((
        NextKeyFrame,
        outline(Color::srgb(0.3, 0.6, 1.0)),
        Transform::default(),
        Visibility::Hidden,
        under(),
    ));
}

/// Cursor position in world units, unless the pointer is over a panel.
pub(in crate::app) fn cursor_world(
    window: &Window,
    camera: &Camera,
    transform: &GlobalTransform,
    egui: &EguiWantsInput,
) -> Option<Vec2> {
    if egui.wants_any_pointer_input() {
        return None;
    }
    let cursor = window.cursor_position()?;
    let viewport = camera.logical_viewport_rect()?;
    if !viewport.contains(cursor) {
        return None;
    }
    camera
        .viewport_to_world_2d(transform, cursor - viewport.min)
        .ok()
}

/// The grid digit under a world position.
fn grid_digit_at(world: Vec2) -> Option<usize> {
    (0..GRID_DIGITS).find(|&i| {
        let d = (world - grid_position(i)).abs();
        d.x <= DIGIT / 2.0 && d.y <= DIGIT / 2.0
    })
}

/// The real digit of the strip under a world position.
fn real_digit_at(world: Vec2) -> Option<usize> {
    (0..GRID_COLUMNS).find(|&i| {
        let d = (world - strip_position(GRID_CENTER.x, i, GRID_COLUMNS, PITCH)).abs();
        d.x <= DIGIT / 2.0 && d.y <= DIGIT / 2.0
    })
}

fn hover_and_click(
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    camera: Single<(&Camera, &GlobalTransform), With<SceneCamera>>,
    egui: Res<EguiWantsInput>,
    buttons: Res<ButtonInput<MouseButton>>,
    previews: Res<Previews>,
    walk: Res<WalkState>,
    mut frame: Single<(&mut Transform, &mut Visibility), With<HoverFrame>>,
    mut controls: MessageWriter<WalkControl>,
    mut quality: ResMut<Quality>,
    options: Res<AppOptions>,
    data: Res<DatasetStatus>,
    mut project: MessageWriter<ProjectDigit>,
) {
    let (camera, transform) = *camera;
    // A scripted recording is a reproducible recipe: wherever the pointer happens to sit (and
    // when the window system first reports it) must not show in it. Headless, there is none.
    let world = match window {
        Some(window) if options.record.is_none() => cursor_world(&window, camera, transform, &egui),
        _ => None,
    };
    let hovered = world.and_then(grid_digit_at);
    if quality.hovered != hovered {
        quality.hovered = hovered;
    }
    let (frame_transform, frame_visibility) = &mut *frame;
    match hovered {
        Some(index) => {
            frame_transform.translation = grid_position(index).extend(0.5);
            **frame_visibility = Visibility::Inherited;
            if buttons.just_pressed(MouseButton::Left)
                && let Some(z) = previews.grid_latent(index)
            {
                controls.write(WalkControl::AddLatent(z));
            }
        }
        None => **frame_visibility = Visibility::Hidden,
    }
    if buttons.just_pressed(MouseButton::Left)
        && let Some(index) = world.and_then(real_digit_at)
        && let Some(digit) = data
            .loaded()
            .and_then(|d| Previews::image(&d.strip.pixels, index))
    {
        project.write(ProjectDigit {
            digit: digit.to_vec(),
            origin: DigitOrigin::Real(index),
        });
    }
    if buttons.just_pressed(MouseButton::Right)
        && let Some(world) = world
    {
        let count = walk.path.keyframes().len().min(MAX_KEYFRAMES_SHOWN);
        let pitch = keyframe_pitch(count);
        if let Some(index) = (0..count).find(|&i| {
            let d = (world - strip_position(WALK_CENTER.x, i, count, pitch)).abs();
            d.x <= pitch / 2.0 && d.y <= DIGIT / 2.0
        }) {
            controls.write(WalkControl::RemoveKeyframe(index));
        }
    }
}

fn draw_grid(
    previews: Res<Previews>,
    quality: Res<Quality>,
    mut digits: Query<(&GridDigit, &mut Sprite)>,
    mut images: ResMut<Assets<Image>>,
) {
    if quality.is_changed() {
        for (digit, mut sprite) in &mut digits {
            let tint = match quality.grid_classes.get(digit.0) {
                Some(&class) if quality.colour_by_class => crate::app::lessons::class_colour(class),
                _ => Color::WHITE,
            };
            if sprite.color != tint {
                sprite.color = tint;
            }
        }
    }
    if !previews.is_changed() || previews.grid.is_empty() {
        return;
    }
    for (digit, sprite) in &digits {
        if let (Some(grey), Some(mut image)) = (
            Previews::image(&previews.grid, digit.0),
            images.get_mut(&sprite.image),
        ) {
            write_grey(&mut image, grey);
        }
    }
}

fn draw_strip(
    data: Res<DatasetStatus>,
    digits: Query<(&RealDigit, &Sprite, &mut Visibility)>,
    mut images: ResMut<Assets<Image>>,
) {
    if !data.is_changed() {
        return;
    }
    let strip = data.loaded().map(|d| &d.strip);
    for (digit, sprite, mut visibility) in digits {
        let grey = strip.and_then(|s| Previews::image(&s.pixels, digit.0));
        *visibility = if grey.is_some() {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if let (Some(grey), Some(mut image)) = (grey, images.get_mut(&sprite.image)) {
            write_grey(&mut image, grey);
        }
    }
}

fn draw_walk(
    previews: Res<Previews>,
    walk: Res<WalkState>,
    sprite: Single<&Sprite, With<WalkSprite>>,
    mut images: ResMut<Assets<Image>>,
    mut shown: Local<Option<(u64, usize)>>,
) {
    let key = (previews.version, walk.frame_index());
    if *shown == Some(key) {
        return;
    }
    if let (Some(grey), Some(mut image)) = (
        Previews::image(&previews.walk, key.1),
        images.get_mut(&sprite.image),
    ) {
        write_grey(&mut image, grey);
        *shown = Some(key);
    }
}

fn keyframe_pitch(count: usize) -> f32 {
    // Keep the row within the walk's width.
    PITCH.min(WALK_SIZE / count.max(1) as f32)
}

fn draw_keyframes(
    previews: Res<Previews>,
    walk: Res<WalkState>,
    mut digits: Query<
        (&KeyframeDigit, &mut Sprite, &mut Transform, &mut Visibility),
        Without<NextKeyFrame>,
    >,
    mut marker: Single<(&mut Transform, &mut Visibility, &mut Sprite), With<NextKeyFrame>>,
    mut images: ResMut<Assets<Image>>,
) {
    if !previews.is_changed() && !walk.is_changed() {
        return;
    }
    let count = walk.path.keyframes().len().min(MAX_KEYFRAMES_SHOWN);
    let pitch = keyframe_pitch(count);
    let size = (pitch - 2.0).min(DIGIT);
    for (digit, mut sprite, mut transform, mut visibility) in &mut digits {
        let grey = (digit.0 < count)
            .then(|| Previews::image(&previews.keyframes, digit.0))
            .flatten();
        *visibility = if grey.is_some() {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        transform.translation = strip_position(WALK_CENTER.x, digit.0, count, pitch).extend(1.0);
        sprite.custom_size = Some(Vec2::splat(size));
        if previews.is_changed()
            && let (Some(grey), Some(mut image)) = (grey, images.get_mut(&sprite.image))
        {
            write_grey(&mut image, grey);
        }
    }
    let next = walk.next_keyframe();
    let (transform, visibility, sprite) = &mut *marker;
    if next < count {
        transform.translation = strip_position(WALK_CENTER.x, next, count, pitch).extend(0.5);
        sprite.custom_size = Some(Vec2::splat(size + 2.0));
        **visibility = Visibility::Inherited;
    } else {
        **visibility = Visibility::Hidden;
    }
}
