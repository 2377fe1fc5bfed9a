//! Where the frames are drawn: the window, or with `--headless` an image in GPU memory and no
//! window at all, so that a GPU server without a display runs, records, screenshots and
//! benchmarks the very same scene.

use bevy::camera::RenderTarget;
use bevy::prelude::*;
use bevy::render::render_resource::{TextureFormat, TextureUsages};
use bevy::render::view::screenshot::Screenshot;
use bevy::window::PrimaryWindow;
use bevy_egui::egui;

use crate::app::options::AppOptions;
use crate::data::IMAGE_SIDE;

/// The size of the headless canvas, the window's default size.
pub const CANVAS_SIZE: UVec2 = UVec2::new(1280, 800);

/// The surface every camera draws on, and its size this frame.
#[derive(Resource, Debug, Clone)]
pub struct Canvas {
    /// The image drawn on when headless; `None` for the window.
    image: Option<Handle<Image>>,
    /// Size in physical pixels.
    pub size: UVec2,
    /// Physical pixels per logical one (the window's scale factor; 1 headless).
    pub scale: f32,
    /// Whether the panels take their share of it (H toggles them; a sprites-only recording
    /// hides them).
    pub show_panels: bool,
}

impl Canvas {
    /// What a camera renders to, to draw on this canvas.
    pub fn target(&self) -> RenderTarget {
        match &self.image {
            Some(image) => RenderTarget::Image(image.clone().into()),
            None => RenderTarget::default(),
        }
    }

    /// A screenshot of this canvas, to spawn.
    pub fn screenshot(&self) -> Screenshot {
        match &self.image {
            Some(image) => Screenshot::image(image.clone()),
            None => Screenshot::primary_window(),
        }
    }
}

pub(in crate::app) fn plugin(app: &mut App) {
    let headless = app.world().resource::<AppOptions>().headless;
    let image = headless.then(|| {
        let mut image = Image::new_target_texture(
            CANVAS_SIZE.x,
            CANVAS_SIZE.y,
            TextureFormat::Rgba8UnormSrgb,
            None,
        );
        // Screenshots and recordings copy the frame out of it.
        image.texture_descriptor.usage |= TextureUsages::COPY_SRC;
        app.world_mut().resource_mut::<Assets<Image>>().add(image)
    });
    app.insert_resource(Canvas {
        image,
        size: CANVAS_SIZE,
        scale: 1.0,
        show_panels: true,
    });
    if !headless {
        app.add_systems(First, follow_window);
    }
}

/// The window's size and scale, for the systems that lay out the frame.
fn follow_window(window: Option<Single<&Window, With<PrimaryWindow>>>, mut canvas: ResMut<Canvas>) {
    let Some(window) = window else { return };
    let size = UVec2::new(window.physical_width(), window.physical_height());
    let scale = window.scale_factor();
    if canvas.size != size || canvas.scale != scale {
        canvas.size = size;
        canvas.scale = scale;
    }
}

/// Writes a captured frame as an RGB PNG, atomically.
pub fn save_png(image: &Image, path: &std::path::Path) -> Result<(), String> {
    let fail =
        |problem: String| format!("{}: cannot save the screenshot: {problem}", path.display());
    let rgb = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| fail(e.to_string()))?
        .to_rgb8();
    let (width, height) = rgb.dimensions();
    crate::data::grid::write_rgb_png(path, width, height, rgb.as_raw())
        .map_err(|e| fail(e.to_string()))
}

/// A 28×28 grey digit as an egui texture, drawn with crisp pixels.
fn digit_texture(ctx: &egui::Context, name: String, grey: &[u8]) -> egui::TextureHandle {
    ctx.load_texture(name, digit_image(grey), egui::TextureOptions::NEAREST)
}

fn digit_image(grey: &[u8]) -> egui::ColorImage {
    egui::ColorImage::from_gray([IMAGE_SIDE, IMAGE_SIDE], grey)
}

/// Textures for a changing row of digits, rewritten in place. bevy_egui makes a new image for
/// a new texture or a full update, which shows only from the next frame on, so replacing the
/// digits would blank them each time they change; a partial update writes into the image.
#[derive(Default)]
pub struct DigitTextures {
    name: &'static str,
    /// Each texture and the pixels it shows, so unchanged digits are not uploaded again (the
    /// lessons' nearest digits are offered every frame).
    textures: Vec<(egui::TextureHandle, Vec<u8>)>,
}

impl DigitTextures {
    pub fn named(name: &'static str) -> Self {
        Self {
            name,
            textures: Vec::new(),
        }
    }

    /// Shows `digits` from now on.
    pub fn update<'a>(&mut self, ctx: &egui::Context, digits: impl Iterator<Item = &'a [u8]>) {
        let mut count = 0;
        for (index, grey) in digits.enumerate() {
            match self.textures.get_mut(index) {
                Some((_, shown)) if shown.as_slice() == grey => {}
                Some((texture, shown)) => {
                    texture.set_partial([0, 0], digit_image(grey), egui::TextureOptions::NEAREST);
                    *shown = grey.to_vec();
                }
                None => self.textures.push((
                    digit_texture(ctx, format!("{}-{index}", self.name), grey),
                    grey.to_vec(),
                )),
            }
            count += 1;
        }
        self.textures.truncate(count);
    }

    pub fn get(&self, index: usize) -> Option<&egui::TextureHandle> {
        self.textures.get(index).map(|(texture, _)| texture)
    }

    pub fn len(&self) -> usize {
        self.textures.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &egui::TextureHandle> {
        self.textures.iter().map(|(texture, _)| texture)
    }
}
