//! The toy lab's picture of a [`ToyView`], as RGBA pixels: drawn on the CPU so that the app's
//! sprite, its screenshots and recordings, and `toy train --video` show the very same thing.
//!
//! Colours follow GAN Lab, which the course sends learners to: green is real, purple is fake,
//! and D's landscape fades to grey where D says ½.

use crate::toy::raster::Raster;
use crate::toy::view::{LANDSCAPE_SIDE, LATENT_LINES, LATENT_SPAN, LINE_POINTS, ToyView};

const GREY: [f32; 3] = [0.20, 0.21, 0.23];
const REAL_SIDE: [f32; 3] = [0.10, 0.42, 0.22];
const FAKE_SIDE: [f32; 3] = [0.38, 0.15, 0.46];
const REAL_POINT: [f32; 3] = [0.45, 0.95, 0.55];
const FAKE_POINT: [f32; 3] = [1.0, 0.50, 0.95];
const PULL: [f32; 3] = [0.97, 0.97, 0.97];
const MANIFOLD: [f32; 3] = [0.85, 0.85, 0.95];
const MISSED: [f32; 3] = [1.0, 0.35, 0.25];
const CURVE_D: [f32; 3] = [0.55, 0.75, 1.0];
const DRAWN: [f32; 3] = [1.0, 0.85, 0.3];
/// Arrow length in view half-widths per unit of pull (G's output units), and its cap.
const ARROW_GAIN: f32 = 0.06;
const ARROW_MAX: f32 = 0.12;

/// Which parts of the picture to draw (the panel's check boxes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layers {
    pub landscape: bool,
    pub real: bool,
    pub fake: bool,
    pub pull: bool,
    pub manifold: bool,
}

impl Default for Layers {
    fn default() -> Self {
        Self {
            landscape: true,
            real: true,
            fake: true,
            pull: true,
            manifold: true,
        }
    }
}

/// What is drawn over the view besides G and D.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    /// Centres of the modes no fake reached, ringed in red.
    pub missed: Vec<Vec<f32>>,
    /// Points the user is drawing (`n × 2`, data units), in yellow.
    pub drawn: Vec<f32>,
}

/// `view` drawn on a square of `size` pixels, RGBA row by row from the top.
pub fn draw(view: &ToyView, size: u32, layers: Layers, marks: &Marks) -> Vec<u8> {
    let mut raster = Raster::new(size, size, GREY);
    match view.dim {
        1 => draw_line_view(&mut raster, view, layers),
        _ => draw_plane(&mut raster, view, layers, marks),
    }
    raster.into_rgba()
}

/// Where the 1D picture's x line and z line run, as fractions of its side from the top.
const X_LINE: f32 = 0.62;
const Z_LINE: f32 = 0.9;

/// Where `point` (data units) sits in the picture of a `dim`-D view of half-side `extent`, as
/// fractions of the picture's side from its top-left corner: on the plane in 2D, on the x line
/// in 1D.
pub fn place(dim: usize, extent: f32, point: &[f32]) -> [f32; 2] {
    let across = (point[0] / extent + 1.0) / 2.0;
    match dim {
        1 => [across, X_LINE],
        _ => [across, (1.0 - point[1] / extent) / 2.0],
    }
}

/// Where a 1D view's `z` sits on its z line, which spans ±[`LATENT_SPAN`].
pub fn place_z(z: f32) -> [f32; 2] {
    [(z / LATENT_SPAN + 1.0) / 2.0, Z_LINE]
}

/// D's colour for a verdict: grey at ½, green towards "real", purple towards "fake".
pub fn verdict_colour(verdict: f32) -> [f32; 3] {
    let v = if verdict.is_finite() {
        verdict.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let (towards, amount) = if v >= 0.5 {
        (REAL_SIDE, (v - 0.5) * 2.0)
    } else {
        (FAKE_SIDE, (0.5 - v) * 2.0)
    };
    std::array::from_fn(|c| GREY[c] + (towards[c] - GREY[c]) * amount)
}

fn draw_plane(raster: &mut Raster, view: &ToyView, layers: Layers, marks: &Marks) {
    let size = raster.width as f32;
    let extent = view.extent;
    let to_pixel = |p: &[f32]| place(2, extent, p).map(|f| f * size);
    if layers.landscape && view.landscape.len() == LANDSCAPE_SIDE * LANDSCAPE_SIDE {
        raster.fill(|x, y| verdict_colour(bilinear(&view.landscape, x / size, y / size)));
    } else {
        raster.fill(|_, _| GREY);
    }
    if layers.manifold && view.manifold.len() == 2 * LATENT_LINES * LINE_POINTS * 2 {
        draw_manifold(raster, view, &to_pixel);
    }
    if layers.real {
        for point in view.real.chunks_exact(2) {
            raster.disc(to_pixel(point), 1.6, REAL_POINT, 0.75);
        }
    }
    if layers.fake {
        for point in view.fake.chunks_exact(2) {
            raster.disc(to_pixel(point), 1.8, FAKE_POINT, 0.9);
        }
    }
    if layers.pull {
        // Every other fake, so the arrows stay readable.
        for (point, pull) in view
            .fake
            .chunks_exact(2)
            .zip(view.pull.chunks_exact(2))
            .step_by(2)
        {
            let from = to_pixel(point);
            let arrow = capped([pull[0], -pull[1]], size / 2.0);
            raster.arrow(from, [from[0] + arrow[0], from[1] + arrow[1]], PULL, 0.8);
        }
    }
    for centre in marks.missed.iter().filter(|c| c.len() == 2) {
        raster.ring(to_pixel(centre), 7.0, MISSED, 0.95);
    }
    for point in marks.drawn.chunks_exact(2) {
        raster.disc(to_pixel(point), 1.8, DRAWN, 0.9);
    }
}

/// An arrow for `pull` in pixels, `half` pixels being the view's half-width.
fn capped(pull: [f32; 2], half: f32) -> [f32; 2] {
    let mut arrow = [pull[0] * ARROW_GAIN * half, pull[1] * ARROW_GAIN * half];
    let length = (arrow[0].powi(2) + arrow[1].powi(2)).sqrt();
    let most = ARROW_MAX * half;
    if length > most {
        arrow = [arrow[0] * most / length, arrow[1] * most / length];
    }
    arrow
}

/// G's latent grid, each segment brighter where G squeezes it (much z onto little x: where
/// the fakes pile up) and fainter where it stretches it, as GAN Lab shades its manifold.
fn draw_manifold(raster: &mut Raster, view: &ToyView, to_pixel: &dyn Fn(&[f32]) -> [f32; 2]) {
    let points: Vec<[f32; 2]> = view.manifold.chunks_exact(2).map(to_pixel).collect();
    let segments: Vec<([f32; 2], [f32; 2])> = points
        .chunks_exact(LINE_POINTS)
        .flat_map(|line| line.windows(2).map(|w| (w[0], w[1])))
        .collect();
    let length =
        |(a, b): &([f32; 2], [f32; 2])| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    let mut lengths: Vec<f32> = segments.iter().map(length).collect();
    lengths.sort_by(f32::total_cmp);
    let median = lengths[lengths.len() / 2].max(0.5);
    for segment in &segments {
        let alpha = (0.55 * median / length(segment).max(0.1)).clamp(0.12, 0.8);
        raster.line(segment.0, segment.1, 1.0, MANIFOLD, alpha);
    }
}

/// Figure 1 of Goodfellow et al. (2014), live: the z line below, the x line above with lines
/// from a row of z's to their G(z), p_data and p_g over x, and D(x) with the ½ line.
fn draw_line_view(raster: &mut Raster, view: &ToyView, layers: Layers) {
    let size = raster.width as f32;
    raster.fill(|_, _| [0.11, 0.12, 0.14]);
    let x_of = |x: f32| place(1, view.extent, &[x])[0] * size;
    let (top, x_axis, z_axis) = (0.06 * size, X_LINE * size, Z_LINE * size);
    let height = x_axis - top - 0.03 * size;
    // D's verdict as a band along the x line, and as a curve.
    if layers.landscape && view.landscape.len() == LANDSCAPE_SIDE {
        for x in 0..raster.width {
            let v = sample_line(&view.landscape, x as f32 / size);
            let colour = verdict_colour(v);
            for y in (x_axis as u32 + 2)..(x_axis as u32 + 10) {
                raster.blend(x as i32, y as i32, colour, 1.0);
            }
        }
        let half = x_axis - 0.5 * height;
        raster.dashed([0.0, half], [size, half], [0.6, 0.6, 0.6], 0.7);
        let curve: Vec<[f32; 2]> = (0..=raster.width)
            .step_by(2)
            .map(|x| {
                let v = sample_line(&view.landscape, x as f32 / size).clamp(-0.25, 1.25);
                [x as f32, x_axis - v * height]
            })
            .collect();
        raster.polyline(&curve, 2.0, CURVE_D, 0.95);
    }
    let densities = [
        (layers.real, &view.real, REAL_POINT),
        (layers.fake, &view.fake, FAKE_POINT),
    ];
    let smoothed: Vec<(bool, Vec<f32>, [f32; 3])> = densities
        .iter()
        .map(|(on, points, colour)| {
            (
                *on,
                density(points, view.extent, raster.width as usize),
                *colour,
            )
        })
        .collect();
    let peak = smoothed
        .iter()
        .filter(|(on, ..)| *on)
        .flat_map(|(_, d, _)| d.iter().copied())
        .fold(1e-6f32, f32::max);
    for (on, curve, colour) in &smoothed {
        if !on {
            continue;
        }
        let line: Vec<[f32; 2]> = curve
            .iter()
            .enumerate()
            .map(|(x, d)| [x as f32, x_axis - d / peak * height * 0.95])
            .collect();
        raster.polyline(&line, 2.0, *colour, 0.95);
    }
    raster.line([0.0, x_axis], [size, x_axis], 1.5, [0.8, 0.8, 0.8], 0.9);
    raster.line([0.0, z_axis], [size, z_axis], 1.5, [0.8, 0.8, 0.8], 0.9);
    // The row of z's and where G sends each.
    if layers.manifold && view.manifold.len() == LINE_POINTS {
        let noise = ToyView::manifold_noise(1, 1);
        for (&z, &x) in noise.iter().zip(&view.manifold) {
            let (from, to) = ([place_z(z)[0] * size, z_axis], [x_of(x), x_axis + 10.0]);
            raster.line(from, to, 1.0, MANIFOLD, 0.45);
            raster.disc(from, 2.0, MANIFOLD, 0.9);
        }
    }
    if layers.fake {
        for &x in view.fake.iter().step_by(4) {
            raster.disc([x_of(x), x_axis], 1.6, FAKE_POINT, 0.6);
        }
    }
    if layers.pull {
        for (&x, &pull) in view.fake.iter().zip(&view.pull).step_by(8) {
            let from = [x_of(x), x_axis - 4.0];
            let arrow = capped([pull, 0.0], size / 2.0);
            raster.arrow(from, [from[0] + arrow[0], from[1]], PULL, 0.8);
        }
    }
}

/// A smoothed histogram of 1D `points` over [−extent, extent], one value per pixel column.
fn density(points: &[f32], extent: f32, columns: usize) -> Vec<f32> {
    let mut counts = vec![0f32; columns];
    for &x in points {
        let column = ((x / extent + 1.0) / 2.0 * columns as f32).floor();
        if column >= 0.0 && (column as usize) < columns {
            counts[column as usize] += 1.0;
        }
    }
    // A Gaussian kernel of 1/80 of the view.
    let sigma = (columns as f32 / 80.0).max(1.0);
    let reach = (3.0 * sigma) as i64;
    let kernel: Vec<f32> = (-reach..=reach)
        .map(|d| (-(d as f32).powi(2) / (2.0 * sigma * sigma)).exp())
        .collect();
    (0..columns as i64)
        .map(|c| {
            (-reach..=reach)
                .filter_map(|d| {
                    counts
                        .get(usize::try_from(c + d).ok()?)
                        .map(|v| v * kernel[(d + reach) as usize])
                })
                .sum()
        })
        .collect()
}

/// The landscape at `(u, v)` in [0, 1]² of the view (v from the top), between cell centres.
fn bilinear(grid: &[f32], u: f32, v: f32) -> f32 {
    let side = LANDSCAPE_SIDE;
    let at = |t: f32| {
        let x = (t * side as f32 - 0.5).clamp(0.0, (side - 1) as f32);
        let low = (x.floor() as usize).min(side - 2);
        (low, x - low as f32)
    };
    let ((col, fx), (row, fy)) = (at(u), at(v));
    let value = |r: usize, c: usize| grid[r * side + c];
    let top = value(row, col) * (1.0 - fx) + value(row, col + 1) * fx;
    let bottom = value(row + 1, col) * (1.0 - fx) + value(row + 1, col + 1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// The 1D landscape at `u` in [0, 1] of the view.
fn sample_line(line: &[f32], u: f32) -> f32 {
    let side = line.len();
    let x = (u * side as f32 - 0.5).clamp(0.0, (side - 1) as f32);
    let low = (x.floor() as usize).min(side - 2);
    let f = x - low as f32;
    line[low] * (1.0 - f) + line[low + 1] * f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_colours_are_grey_at_a_half_and_lean_green_or_purple() {
        assert_eq!(verdict_colour(0.5), GREY);
        assert_eq!(verdict_colour(1.0), REAL_SIDE);
        assert_eq!(verdict_colour(0.0), FAKE_SIDE);
        assert_eq!(verdict_colour(f32::NAN), GREY);
        let leaning_real = verdict_colour(0.8);
        assert!(leaning_real[1] > GREY[1] && leaning_real[1] < REAL_SIDE[1]);
    }
}
