//! A walk through latent space: keyframes joined by slerp or lerp, looping or not.
//!
//! Pure host math, so the app's animated walk and the headless walk renderer trace the same
//! path, and tests can check it without a window.

use crate::gan::latent::{self, Interpolation, Stream};

/// Keyframes in latent space and how to travel between them.
#[derive(Debug, Clone, PartialEq)]
pub struct LatentPath {
    keyframes: Vec<Vec<f32>>,
    pub interpolation: Interpolation,
    /// A looping path returns from the last keyframe to the first.
    pub looping: bool,
}

impl LatentPath {
    /// `count` keyframes drawn from N(0, I) with `seed`: the same seed, the same path.
    pub fn random(seed: u64, count: usize, latent_dim: usize) -> Self {
        Self::random_nth(seed, 0, count, latent_dim)
    }

    /// Path number `n` of `seed`, for grids of simultaneous walks; path 0 is [`Self::random`].
    pub fn random_nth(seed: u64, n: u64, count: usize, latent_dim: usize) -> Self {
        let keyframes = (0..count.max(2) as u64)
            .map(|i| {
                let index = n << 32 | i;
                latent::normal(&mut latent::rng_for(seed, Stream::Walk, index), latent_dim)
            })
            .collect();
        Self {
            keyframes,
            interpolation: Interpolation::Slerp,
            looping: true,
        }
    }

    /// A path through these keyframes (at least two, all of one length).
    pub fn through(keyframes: Vec<Vec<f32>>) -> Self {
        assert!(keyframes.len() >= 2, "a path needs two keyframes");
        Self {
            keyframes,
            interpolation: Interpolation::Slerp,
            looping: true,
        }
    }

    pub fn keyframes(&self) -> &[Vec<f32>] {
        &self.keyframes
    }

    /// Segments travelled in one pass: a loop has one more, back to the start.
    pub fn segments(&self) -> usize {
        self.keyframes.len() - usize::from(!self.looping)
    }

    /// Wraps (looping) or clamps (not looping) a position measured in segments.
    pub fn normalize(&self, position: f32) -> f32 {
        let length = self.segments() as f32;
        if self.looping {
            position.rem_euclid(length)
        } else {
            position.clamp(0.0, length)
        }
    }

    /// The latent vector at `position` segments along the path (keyframe i is at i).
    pub fn point(&self, position: f32) -> Vec<f32> {
        let position = self.normalize(position);
        let segment = (position.floor() as usize).min(self.segments() - 1);
        let t = position - segment as f32;
        let from = &self.keyframes[segment];
        let to = &self.keyframes[(segment + 1) % self.keyframes.len()];
        self.interpolation.apply(from, to, t)
    }

    /// `per_segment` evenly spaced points per segment, concatenated: a whole pass of the path.
    /// A loop's last point is one step before the first, so the sequence repeats seamlessly;
    /// an open path ends on its last keyframe.
    pub fn samples(&self, per_segment: usize) -> Vec<f32> {
        let per_segment = per_segment.max(1);
        let count = self.segments() * per_segment + usize::from(!self.looping);
        (0..count)
            .flat_map(|i| self.point(i as f32 / per_segment as f32))
            .collect()
    }

    /// Inserts `keyframe` right after keyframe `after`: the walk heads there next.
    pub fn insert_after(&mut self, after: usize, keyframe: Vec<f32>) {
        let at = (after + 1).min(self.keyframes.len());
        self.keyframes.insert(at, keyframe);
    }

    /// Removes keyframe `index`, keeping at least two.
    pub fn remove(&mut self, index: usize) {
        if self.keyframes.len() > 2 && index < self.keyframes.len() {
            self.keyframes.remove(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5)
    }

    fn square() -> LatentPath {
        LatentPath::through(vec![
            vec![1.0, 0.0],
            vec![0.0, 1.0],
            vec![-1.0, 0.0],
            vec![0.0, -1.0],
        ])
    }

    #[test]
    fn passes_through_every_keyframe() {
        let path = square();
        for (i, key) in path.keyframes().iter().enumerate() {
            assert!(close(&path.point(i as f32), key), "keyframe {i}");
        }
    }

    #[test]
    fn slerp_keeps_the_norm_and_lerp_cuts_the_corner() {
        let mut path = square();
        let mid = path.point(0.5);
        assert!((mid[0].hypot(mid[1]) - 1.0).abs() < 1e-5, "{mid:?}");
        path.interpolation = Interpolation::Lerp;
        assert!(close(&path.point(0.5), &[0.5, 0.5]));
    }

    #[test]
    fn a_loop_wraps_and_an_open_path_stops() {
        let mut path = square();
        assert_eq!(path.segments(), 4);
        assert!(close(&path.point(4.0), &path.point(0.0)));
        assert!(close(&path.point(-0.5), &path.point(3.5)));
        // The closing segment runs from the last keyframe back to the first.
        let back = path.point(3.5);
        assert!(back[0] > 0.0 && back[1] < 0.0, "{back:?}");
        path.looping = false;
        assert_eq!(path.segments(), 3);
        assert!(close(&path.point(9.0), &[0.0, -1.0]));
        assert!(close(&path.point(-1.0), &[1.0, 0.0]));
    }

    #[test]
    fn samples_repeat_seamlessly_when_looping() {
        let mut path = square();
        let dim = 2;
        let samples = path.samples(8);
        assert_eq!(samples.len(), 4 * 8 * dim);
        assert!(close(&samples[..dim], &[1.0, 0.0]));
        // The step from the last sample back to the first is one ordinary step long.
        let step = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).powi(2))
                .sum::<f32>()
                .sqrt()
        };
        let last = &samples[samples.len() - dim..];
        let wrap = step(last, &samples[..dim]);
        let ordinary = step(&samples[..dim], &samples[dim..2 * dim]);
        assert!((wrap - ordinary).abs() < 1e-5, "{wrap} vs {ordinary}");
        path.looping = false;
        let open = path.samples(8);
        assert_eq!(open.len(), (3 * 8 + 1) * dim);
        assert!(close(&open[open.len() - dim..], &[0.0, -1.0]));
    }

    #[test]
    fn inserting_a_keyframe_makes_it_the_next_stop() {
        let mut path = square();
        path.insert_after(1, vec![5.0, 5.0]);
        assert_eq!(path.keyframes().len(), 5);
        assert!(close(&path.point(2.0), &[5.0, 5.0]));
        assert!(close(&path.point(3.0), &[-1.0, 0.0]));
        path.insert_after(99, vec![7.0, 7.0]);
        assert!(close(&path.keyframes()[5], &[7.0, 7.0]));
        path.remove(0);
        assert_eq!(path.keyframes().len(), 5);
        let mut two = LatentPath::through(vec![vec![0.0], vec![1.0]]);
        two.remove(0);
        assert_eq!(two.keyframes().len(), 2, "a path keeps two keyframes");
    }

    #[test]
    fn random_paths_follow_their_seed() {
        let a = LatentPath::random(3, 4, 100);
        assert_eq!(a, LatentPath::random(3, 4, 100));
        assert_ne!(a, LatentPath::random(4, 4, 100));
        assert_eq!(a.keyframes().len(), 4);
        assert!(a.keyframes().iter().all(|k| k.len() == 100));
    }
}
