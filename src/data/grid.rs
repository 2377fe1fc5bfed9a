//! Tiling images into one picture and writing it as PNG.

use std::path::Path;

use super::Images;

/// A greyscale picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Grey {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// Lays `images` out in rows of `columns`, separated by `gap` dark pixels.
pub fn tile(images: &Images, columns: usize, gap: usize) -> Grey {
    let columns = columns.clamp(1, images.count.max(1));
    let rows = images.count.div_ceil(columns);
    let (cell_w, cell_h) = (images.cols + gap, images.rows + gap);
    let width = columns * cell_w + gap;
    let height = rows * cell_h + gap;
    let mut pixels = vec![0u8; width * height];
    for index in 0..images.count {
        let (x0, y0) = (
            gap + (index % columns) * cell_w,
            gap + (index / columns) * cell_h,
        );
        let image = images.image(index);
        for y in 0..images.rows {
            let row = &image[y * images.cols..(y + 1) * images.cols];
            let start = (y0 + y) * width + x0;
            pixels[start..start + images.cols].copy_from_slice(row);
        }
    }
    Grey {
        width,
        height,
        pixels,
    }
}

/// Resizes with nearest-neighbour sampling: crisp pixels, as digits are meant to be seen.
pub fn scale_nearest(picture: &Grey, width: usize, height: usize) -> Grey {
    let mut pixels = Vec::with_capacity(width * height);
    for y in 0..height {
        let source_row = y * picture.height / height.max(1) * picture.width;
        for x in 0..width {
            pixels.push(picture.pixels[source_row + x * picture.width / width.max(1)]);
        }
    }
    Grey {
        width,
        height,
        pixels,
    }
}

/// A square-ish number of columns for `count` images (64 → 8).
pub fn columns_for(count: usize) -> usize {
    ((count as f64).sqrt().ceil() as usize).max(1)
}

/// Writes a greyscale PNG atomically.
pub fn write_png(path: &Path, picture: &Grey) -> std::io::Result<()> {
    write_encoded(
        path,
        picture.width as u32,
        picture.height as u32,
        png::ColorType::Grayscale,
        &picture.pixels,
    )
}

/// Writes 8-bit RGB pixels as a PNG, atomically.
pub fn write_rgb_png(path: &Path, width: u32, height: u32, rgb: &[u8]) -> std::io::Result<()> {
    write_encoded(path, width, height, png::ColorType::Rgb, rgb)
}

fn write_encoded(
    path: &Path,
    width: u32,
    height: u32,
    color: png::ColorType,
    pixels: &[u8],
) -> std::io::Result<()> {
    crate::fsutil::write_atomic(path, |out| {
        let mut encoder = png::Encoder::new(out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        writer
            .write_image_data(pixels)
            .map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_in_reading_order() {
        let images = Images {
            count: 3,
            rows: 1,
            cols: 2,
            pixels: vec![1, 1, 2, 2, 3, 3],
        };
        let grid = tile(&images, 2, 1);
        assert_eq!((grid.width, grid.height), (7, 5));
        assert_eq!(&grid.pixels[7 + 1..7 + 6], &[1, 1, 0, 2, 2]);
        assert_eq!(&grid.pixels[3 * 7 + 1..3 * 7 + 3], &[3, 3]);
        assert_eq!(columns_for(64), 8);
        assert_eq!(columns_for(10), 4);
    }
}
