//! Anti-aliased drawing on linear RGB pixels, for the toy lab's picture.

/// Linear RGB pixels with anti-aliased drawing.
pub(super) struct Raster {
    pub(super) width: u32,
    height: u32,
    pub(super) pixels: Vec<[f32; 3]>,
}

impl Raster {
    pub(super) fn new(width: u32, height: u32, background: [f32; 3]) -> Self {
        Self {
            width,
            height,
            pixels: vec![background; (width * height) as usize],
        }
    }

    pub(super) fn fill(&mut self, colour: impl Fn(f32, f32) -> [f32; 3]) {
        let width = self.width as usize;
        for (i, pixel) in self.pixels.iter_mut().enumerate() {
            *pixel = colour((i % width) as f32 + 0.5, (i / width) as f32 + 0.5);
        }
    }

    pub(super) fn blend(&mut self, x: i32, y: i32, colour: [f32; 3], alpha: f32) {
        if x < 0 || y < 0 || x >= self.width as i32 || y >= self.height as i32 || alpha <= 0.0 {
            return;
        }
        let pixel = &mut self.pixels[(y as u32 * self.width + x as u32) as usize];
        for c in 0..3 {
            pixel[c] += (colour[c] - pixel[c]) * alpha.min(1.0);
        }
    }

    pub(super) fn disc(&mut self, centre: [f32; 2], radius: f32, colour: [f32; 3], alpha: f32) {
        self.around(centre, radius + 1.0, colour, |d| {
            alpha * (radius + 0.5 - d).clamp(0.0, 1.0)
        });
    }

    pub(super) fn ring(&mut self, centre: [f32; 2], radius: f32, colour: [f32; 3], alpha: f32) {
        self.around(centre, radius + 2.0, colour, |d| {
            alpha * (1.5 - (d - radius).abs()).clamp(0.0, 1.0)
        });
    }

    /// Blends `colour` into the pixels within `reach` of `centre`, each by `cover` of its
    /// distance from it.
    fn around(
        &mut self,
        centre: [f32; 2],
        reach: f32,
        colour: [f32; 3],
        cover: impl Fn(f32) -> f32,
    ) {
        let reach = reach.ceil() as i32;
        let (cx, cy) = (centre[0].floor() as i32, centre[1].floor() as i32);
        for y in cy - reach..=cy + reach {
            for x in cx - reach..=cx + reach {
                let d = (x as f32 + 0.5 - centre[0]).hypot(y as f32 + 0.5 - centre[1]);
                self.blend(x, y, colour, cover(d));
            }
        }
    }

    /// A segment `width` pixels wide, anti-aliased across it (Wu's way: along the major axis).
    pub(super) fn line(
        &mut self,
        a: [f32; 2],
        b: [f32; 2],
        width: f32,
        colour: [f32; 3],
        alpha: f32,
    ) {
        if !(a.iter().chain(&b).all(|v| v.is_finite())) {
            return;
        }
        let steep = (b[1] - a[1]).abs() > (b[0] - a[0]).abs();
        let (a, b) = if steep {
            ([a[1], a[0]], [b[1], b[0]])
        } else {
            (a, b)
        };
        let (a, b) = if a[0] > b[0] { (b, a) } else { (a, b) };
        let run = (b[0] - a[0]).max(1e-3);
        let slope = (b[1] - a[1]) / run;
        let across = 1.0 / (1.0 + slope * slope).sqrt();
        let half = width / 2.0;
        let reach = half / across + 1.0;
        let (first, last) = (a[0].floor() as i32, b[0].ceil() as i32);
        // Lines far off the picture cost nothing.
        let limit = self.width.max(self.height) as i32 + 2;
        for major in first.max(-2)..=last.min(limit) {
            let t = (major as f32 + 0.5).clamp(a[0], b[0]);
            let centre = a[1] + slope * (t - a[0]);
            for minor in (centre - reach).floor() as i32..=(centre + reach).ceil() as i32 {
                let d = ((minor as f32 + 0.5) - centre).abs() * across;
                let cover = alpha * (half + 0.5 - d).clamp(0.0, 1.0);
                if steep {
                    self.blend(minor, major, colour, cover);
                } else {
                    self.blend(major, minor, colour, cover);
                }
            }
        }
    }

    pub(super) fn polyline(
        &mut self,
        points: &[[f32; 2]],
        width: f32,
        colour: [f32; 3],
        alpha: f32,
    ) {
        for pair in points.windows(2) {
            self.line(pair[0], pair[1], width, colour, alpha);
        }
    }

    pub(super) fn dashed(&mut self, a: [f32; 2], b: [f32; 2], colour: [f32; 3], alpha: f32) {
        let length = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
        let dashes = (length / 12.0).ceil() as usize;
        for i in 0..dashes {
            let at = |f: f32| {
                let t = (i as f32 + f) / dashes as f32;
                [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
            };
            self.line(at(0.0), at(0.5), 1.0, colour, alpha);
        }
    }

    pub(super) fn arrow(&mut self, from: [f32; 2], to: [f32; 2], colour: [f32; 3], alpha: f32) {
        let (dx, dy) = (to[0] - from[0], to[1] - from[1]);
        let length = (dx * dx + dy * dy).sqrt();
        if length < 1.5 {
            return;
        }
        self.line(from, to, 1.0, colour, alpha);
        let head = length.min(5.0);
        let (ux, uy) = (dx / length, dy / length);
        for side in [-1.0f32, 1.0] {
            let (cos, sin) = (0.85f32, 0.5 * side);
            let back = [-(ux * cos - uy * sin), -(ux * sin + uy * cos)];
            self.line(
                to,
                [to[0] + back[0] * head, to[1] + back[1] * head],
                1.0,
                colour,
                alpha,
            );
        }
    }

    /// sRGB bytes, as the sprite's texture and PNG files take them.
    pub(super) fn into_rgba(self) -> Vec<u8> {
        let encode = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        self.pixels
            .iter()
            .flat_map(|p| [encode(p[0]), encode(p[1]), encode(p[2]), 255])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_covers_the_pixels_it_crosses_and_no_others() {
        let mut raster = Raster::new(20, 20, [0.0; 3]);
        raster.fill(|_, _| [0.0; 3]);
        raster.line([2.0, 10.5], [18.0, 10.5], 1.0, [1.0; 3], 1.0);
        let at = |x: usize, y: usize| raster.pixels[y * 20 + x][0];
        assert!(at(10, 10) > 0.9, "on the line");
        assert_eq!(at(10, 5), 0.0, "far from it");
        assert_eq!(at(0, 10), 0.0, "beyond its end");
    }
}
