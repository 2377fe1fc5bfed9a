//! Turning any picture of a digit (a PNG, a drawing) into an MNIST-style 28×28 image, so it can
//! be compared with what the generator draws.
//!
//! MNIST's own recipe (LeCun et al.): the digit's bounding box is scaled, keeping its aspect
//! ratio, to fit a 20×20 box with grey anti-aliased edges, then placed in the 28×28 field so
//! that its centre of mass is at the centre. Ink is bright on a dark background.

use std::io::{BufRead, BufReader, Seek};
use std::path::Path;

use super::grid::Grey;
use super::{IMAGE_PIXELS, IMAGE_SIDE};

/// Side of the box the digit is scaled to fit, as in MNIST.
const DIGIT_BOX: usize = 20;
/// A pixel counts as ink for the bounding box above this fraction of the brightest ink.
const INK_THRESHOLD: f32 = 0.1;
/// The largest picture read: 64 megapixels. Anything larger is surely not a drawn digit, and
/// refusing it before decoding bounds the memory a PNG can make ganimate allocate.
pub const MAX_PICTURE_PIXELS: u64 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path} is not a PNG image we can read: {reason}")]
    Decode { path: String, reason: String },
    #[error("{path} is {width}×{height} pixels; the largest picture read is {max} pixels")]
    TooLarge {
        path: String,
        width: u32,
        height: u32,
        max: u64,
    },
    #[error("{path} has no digit in it: every pixel is the same shade")]
    Blank { path: String },
}

/// Reads a PNG of any colour type as grey, transparent parts shown over white (as a browser
/// shows them on a page, so dark ink on a transparent background reads as a digit).
pub fn read_png(path: &Path) -> Result<Grey, PictureError> {
    let file = std::fs::File::open(path).map_err(|error| PictureError::Io {
        path: path.display().to_string(),
        error,
    })?;
    png_from_reader(BufReader::new(file), path)
}

/// [`read_png`] from any reader; errors name `path`.
pub fn png_from_reader(reader: impl BufRead + Seek, path: &Path) -> Result<Grey, PictureError> {
    let shown = path.display().to_string();
    let decode = |reason: png::DecodingError| PictureError::Decode {
        path: shown.clone(),
        reason: reason.to_string(),
    };
    let mut decoder = png::Decoder::new(reader);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(decode)?;
    let (width, height) = reader.info().size();
    if u64::from(width) * u64::from(height) > MAX_PICTURE_PIXELS {
        return Err(PictureError::TooLarge {
            path: shown,
            width,
            height,
            max: MAX_PICTURE_PIXELS,
        });
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| PictureError::Decode {
            path: shown.clone(),
            reason: "its size does not fit in memory".into(),
        })?;
    let mut buffer = vec![0; size];
    let frame = reader.next_frame(&mut buffer).map_err(decode)?;
    let channels = frame.color_type.samples();
    let pixels = buffer[..frame.buffer_size()]
        .chunks_exact(channels)
        .map(|px| {
            let (colour, alpha) = match px {
                [grey] => (f32::from(*grey), 255.0),
                [grey, alpha] => (f32::from(*grey), f32::from(*alpha)),
                [r, g, b] => (luminance(*r, *g, *b), 255.0),
                [r, g, b, alpha] => (luminance(*r, *g, *b), f32::from(*alpha)),
                _ => (0.0, 255.0),
            };
            let over_white = colour * alpha / 255.0 + 255.0 * (1.0 - alpha / 255.0);
            over_white.round().clamp(0.0, 255.0) as u8
        })
        .collect();
    Ok(Grey {
        width: frame.width as usize,
        height: frame.height as usize,
        pixels,
    })
}

fn luminance(r: u8, g: u8, b: u8) -> f32 {
    0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b)
}

/// `picture` as an MNIST digit: 784 bytes, bright ink on black, fitted into 20×20 and centred
/// by mass. Dark ink on a light background (told by the border's shade) is inverted first.
/// `None` when there is no ink at all.
pub fn mnist_style(picture: &Grey) -> Option<Vec<u8>> {
    let ink = ink_of(picture)?;
    let (width, height) = (picture.width, picture.height);
    let brightest = ink.iter().copied().fold(0.0f32, f32::max);
    let threshold = brightest * INK_THRESHOLD;
    let (mut left, mut top, mut right, mut bottom) = (width, height, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if ink[y * width + x] > threshold {
                (left, top) = (left.min(x), top.min(y));
                (right, bottom) = (right.max(x + 1), bottom.max(y + 1));
            }
        }
    }
    let (box_w, box_h) = (right - left, bottom - top);
    let scale = DIGIT_BOX as f32 / box_w.max(box_h) as f32;
    let out_w = ((box_w as f32 * scale).round() as usize).clamp(1, DIGIT_BOX);
    let out_h = ((box_h as f32 * scale).round() as usize).clamp(1, DIGIT_BOX);
    let scaled = resample_area(&ink, width, (left, top, box_w, box_h), out_w, out_h);

    // Centre of mass of the scaled digit, placed at the field's centre.
    let total: f32 = scaled.iter().sum();
    let (mut mass_x, mut mass_y) = (0.0, 0.0);
    for (i, value) in scaled.iter().enumerate() {
        mass_x += (i % out_w) as f32 * value;
        mass_y += (i / out_w) as f32 * value;
    }
    let centre = (IMAGE_SIDE as f32 - 1.0) / 2.0;
    let place = |mass: f32, size: usize| {
        ((centre - mass / total).round().max(0.0) as usize).min(IMAGE_SIDE - size)
    };
    let (x0, y0) = (place(mass_x, out_w), place(mass_y, out_h));
    let mut field = vec![0u8; IMAGE_PIXELS];
    let norm = 255.0 / brightest;
    for y in 0..out_h {
        for x in 0..out_w {
            let value = scaled[y * out_w + x] * norm;
            field[(y0 + y) * IMAGE_SIDE + x0 + x] = value.round().clamp(0.0, 255.0) as u8;
        }
    }
    Some(field)
}

/// Ink per pixel (0 = none), measured against the background: the median shade of the border.
/// `None` when the picture is one shade throughout.
fn ink_of(picture: &Grey) -> Option<Vec<f32>> {
    let (width, height) = (picture.width, picture.height);
    if width == 0 || height == 0 || picture.pixels.len() < width * height {
        return None;
    }
    let mut border: Vec<u8> = (0..width)
        .flat_map(|x| [picture.pixels[x], picture.pixels[(height - 1) * width + x]])
        .chain((0..height).flat_map(|y| {
            [
                picture.pixels[y * width],
                picture.pixels[y * width + width - 1],
            ]
        }))
        .collect();
    border.sort_unstable();
    let background = f32::from(border[border.len() / 2]);
    let light_background = background > 127.5;
    let ink: Vec<f32> = picture.pixels[..width * height]
        .iter()
        .map(|&p| {
            let p = f32::from(p);
            if light_background {
                (background - p).max(0.0)
            } else {
                (p - background).max(0.0)
            }
        })
        .collect();
    ink.iter().any(|&v| v > 0.0).then_some(ink)
}

/// Resamples the `(left, top, w, h)` box of `ink` (rows of `stride`) to `out_w × out_h` by
/// area: each output pixel is the mean of the source it covers, source pixels being unit
/// squares. Downscaling averages (anti-aliasing a large drawing), upscaling repeats.
fn resample_area(
    ink: &[f32],
    stride: usize,
    (left, top, w, h): (usize, usize, usize, usize),
    out_w: usize,
    out_h: usize,
) -> Vec<f32> {
    let (step_x, step_y) = (w as f32 / out_w as f32, h as f32 / out_h as f32);
    let mut out = vec![0.0; out_w * out_h];
    for oy in 0..out_h {
        let (y_start, y_end) = (oy as f32 * step_y, (oy + 1) as f32 * step_y);
        for ox in 0..out_w {
            let (x_start, x_end) = (ox as f32 * step_x, (ox + 1) as f32 * step_x);
            let mut sum = 0.0;
            for sy in (y_start.floor() as usize)..(y_end.ceil() as usize).min(h) {
                let cover_y = (y_end.min(sy as f32 + 1.0) - y_start.max(sy as f32)).max(0.0);
                for sx in (x_start.floor() as usize)..(x_end.ceil() as usize).min(w) {
                    let cover_x = (x_end.min(sx as f32 + 1.0) - x_start.max(sx as f32)).max(0.0);
                    sum += ink[(top + sy) * stride + left + sx] * cover_x * cover_y;
                }
            }
            out[oy * out_w + ox] = sum / (step_x * step_y);
        }
    }
    out
}

/// Pen strokes, points in [0, 1]² (y down), drawn white on a black `side` × `side` picture
/// with a round pen `pen` wide (a fraction of the side) and edges smoothed over one pixel: a
/// drawing pad's content as a picture for [`mnist_style`].
pub fn draw_strokes(strokes: &[Vec<[f32; 2]>], side: usize, pen: f32) -> Grey {
    let mut ink = vec![0.0f32; side * side];
    let scale = side as f32;
    let radius = pen * scale / 2.0;
    for stroke in strokes {
        let points: Vec<[f32; 2]> = stroke
            .iter()
            .map(|p| [p[0] * scale, p[1] * scale])
            .collect();
        let segments = points.windows(2).map(|w| (w[0], w[1]));
        let dots = (points.len() == 1).then(|| (points[0], points[0]));
        for (a, b) in segments.chain(dots) {
            let low = |i: usize| ((a[i].min(b[i]) - radius - 1.0).floor().max(0.0)) as usize;
            let high =
                |i: usize| ((a[i].max(b[i]) + radius + 1.0).ceil().max(0.0) as usize).min(side);
            for y in low(1)..high(1) {
                for x in low(0)..high(0) {
                    let centre = [x as f32 + 0.5, y as f32 + 0.5];
                    let coverage =
                        (radius - distance_to_segment(centre, a, b) + 0.5).clamp(0.0, 1.0);
                    let pixel = &mut ink[y * side + x];
                    *pixel = pixel.max(coverage);
                }
            }
        }
    }
    Grey {
        width: side,
        height: side,
        pixels: ink.iter().map(|v| (v * 255.0).round() as u8).collect(),
    }
}

fn distance_to_segment(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length_squared = dx * dx + dy * dy;
    let t = if length_squared > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length_squared).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (cx * cx + cy * cy).sqrt()
}

/// Reads a PNG and makes it an MNIST-style digit, or says why it cannot.
pub fn read_digit(path: &Path) -> Result<Vec<u8>, PictureError> {
    let picture = read_png(path)?;
    mnist_style(&picture).ok_or_else(|| PictureError::Blank {
        path: path.display().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(width: usize, height: usize, fill: impl Fn(usize, usize) -> u8) -> Grey {
        Grey {
            width,
            height,
            pixels: (0..width * height)
                .map(|i| fill(i % width, i / width))
                .collect(),
        }
    }

    fn bounding_box(field: &[u8]) -> (usize, usize, usize, usize) {
        let lit: Vec<usize> = (0..IMAGE_PIXELS).filter(|&i| field[i] > 25).collect();
        let xs = lit.iter().map(|i| i % IMAGE_SIDE);
        let ys = lit.iter().map(|i| i / IMAGE_SIDE);
        (
            xs.clone().min().unwrap(),
            ys.clone().min().unwrap(),
            xs.max().unwrap(),
            ys.max().unwrap(),
        )
    }

    fn centre_of_mass(field: &[u8]) -> (f32, f32) {
        let total: f32 = field.iter().map(|&v| f32::from(v)).sum();
        let (mut x, mut y) = (0.0, 0.0);
        for (i, &v) in field.iter().enumerate() {
            x += (i % IMAGE_SIDE) as f32 * f32::from(v);
            y += (i / IMAGE_SIDE) as f32 * f32::from(v);
        }
        (x / total, y / total)
    }

    #[test]
    fn a_tall_bar_in_a_corner_is_fitted_into_twenty_pixels_and_centred() {
        // A 10×100 white bar at the top left of a black 300×200 picture.
        let bar = picture(300, 200, |x, y| if x < 10 && y < 100 { 255 } else { 0 });
        let field = mnist_style(&bar).unwrap();
        let (left, top, right, bottom) = bounding_box(&field);
        assert_eq!(bottom - top + 1, DIGIT_BOX, "height fitted to the box");
        assert_eq!(right - left + 1, 2, "aspect ratio kept: 10/100 of 20");
        let (cx, cy) = centre_of_mass(&field);
        assert!(
            (cx - 13.5).abs() <= 0.6 && (cy - 13.5).abs() <= 0.6,
            "{cx}, {cy}"
        );
    }

    #[test]
    fn dark_ink_on_white_is_inverted_and_a_blank_picture_has_no_digit() {
        let dark_on_white = picture(56, 56, |x, y| {
            if (20..36).contains(&x) && y > 8 {
                0
            } else {
                255
            }
        });
        let white_on_dark = picture(56, 56, |x, y| {
            if (20..36).contains(&x) && y > 8 {
                255
            } else {
                0
            }
        });
        assert_eq!(mnist_style(&dark_on_white), mnist_style(&white_on_dark));
        assert_eq!(mnist_style(&picture(9, 9, |_, _| 200)), None);
        assert_eq!(mnist_style(&picture(0, 0, |_, _| 0)), None);
    }

    #[test]
    fn a_drawn_stroke_becomes_a_centred_mnist_style_line() {
        let nothing = draw_strokes(&[], 64, 0.1);
        assert!(nothing.pixels.iter().all(|&p| p == 0));
        assert_eq!(mnist_style(&nothing), None);
        // A vertical line off to the left, and a dot (a one-point stroke).
        let line = draw_strokes(&[vec![[0.2, 0.1], [0.2, 0.9]], vec![[0.8, 0.8]]], 100, 0.1);
        assert_eq!(line.pixels[50 * 100 + 20], 255, "on the line");
        assert_eq!(line.pixels[50 * 100 + 30], 0, "beyond the pen's radius");
        assert_eq!(line.pixels[80 * 100 + 80], 255, "the dot");
        let alone = draw_strokes(&[vec![[0.2, 0.1], [0.2, 0.9]]], 100, 0.1);
        let field = mnist_style(&alone).unwrap();
        let (left, top, right, bottom) = bounding_box(&field);
        assert_eq!(bottom - top + 1, DIGIT_BOX);
        assert!(right - left < 4, "a thin line stays thin: {left}..{right}");
        let (cx, _) = centre_of_mass(&field);
        assert!((cx - 13.5).abs() <= 1.0, "centred: {cx}");
    }

    #[test]
    fn an_mnist_digit_comes_back_nearly_as_it_was() {
        // A digit already MNIST-style (a 20-pixel ring, centred) is left almost unchanged.
        let ring = picture(IMAGE_SIDE, IMAGE_SIDE, |x, y| {
            let (dx, dy) = (x as f32 - 13.5, y as f32 - 13.5);
            let r = (dx * dx + dy * dy).sqrt();
            if (7.0..9.9).contains(&r) { 255 } else { 0 }
        });
        let field = mnist_style(&ring).unwrap();
        let differing = field
            .iter()
            .zip(&ring.pixels)
            .filter(|(a, b)| a.abs_diff(**b) > 64)
            .count();
        assert!(differing < 20, "{differing} pixels moved");
    }
}
