//! What the generator drew over training: the fixed-noise grid every few steps, in bounded
//! memory, so a front end can replay how the digits came out of the noise.

/// Snapshots of one grid over training, oldest first, at least `spacing` steps apart.
///
/// When it holds `capacity` snapshots it drops every other one (the first always stays) and
/// doubles the spacing, so any length of training fits, evenly sampled, in `capacity` grids.
#[derive(Debug, Clone, PartialEq)]
pub struct GridTimeline {
    snapshots: Vec<(u64, Vec<u8>)>,
    spacing: u64,
    capacity: usize,
}

impl GridTimeline {
    /// A timeline taking a snapshot every `spacing` steps at first, holding at most
    /// `capacity` (at least 2).
    pub fn new(spacing: u64, capacity: usize) -> Self {
        Self {
            snapshots: Vec::new(),
            spacing: spacing.max(1),
            capacity: capacity.max(2),
        }
    }

    /// Keeps `grid`, drawn at `step`, if it is `spacing` steps past the last snapshot (or the
    /// first one); returns whether it was kept.
    pub fn offer(&mut self, step: u64, grid: &[u8]) -> bool {
        if let Some((last, _)) = self.snapshots.last()
            && step < last + self.spacing
        {
            return false;
        }
        self.snapshots.push((step, grid.to_vec()));
        if self.snapshots.len() > self.capacity {
            let mut index = 0;
            self.snapshots.retain(|_| {
                let keep = index % 2 == 0;
                index += 1;
                keep
            });
            self.spacing *= 2;
        }
        true
    }

    /// Forgets everything (a new session), back to `spacing` steps apart.
    pub fn clear(&mut self, spacing: u64) {
        self.snapshots.clear();
        self.spacing = spacing.max(1);
    }

    pub fn len(&self) -> usize {
        self.snapshots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.snapshots.is_empty()
    }

    /// Snapshot `index`: the step and the grid's pixels.
    pub fn get(&self, index: usize) -> Option<(u64, &[u8])> {
        self.snapshots
            .get(index)
            .map(|(step, grid)| (*step, grid.as_slice()))
    }

    /// Steps between snapshots now.
    pub fn spacing(&self) -> u64 {
        self.spacing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_run_fits_evenly_in_bounded_memory() {
        let mut timeline = GridTimeline::new(10, 16);
        for step in 0..=100_000 {
            timeline.offer(step, &[(step % 251) as u8; 4]);
            assert!(timeline.len() <= 16);
        }
        assert!(timeline.len() >= 8, "{} snapshots", timeline.len());
        assert_eq!(timeline.get(0).unwrap().0, 0, "step 0 stays");
        let steps: Vec<u64> = (0..timeline.len())
            .map(|i| timeline.get(i).unwrap().0)
            .collect();
        // Evenly spaced at the current spacing, and the latest within one spacing of the end.
        assert!(
            steps.windows(2).all(|w| w[1] - w[0] == timeline.spacing()),
            "{steps:?}"
        );
        assert!(100_000 - steps.last().unwrap() < timeline.spacing());
        // Each snapshot holds what was offered at its step.
        let (step, grid) = timeline.get(3).unwrap();
        assert_eq!(grid, &[(step % 251) as u8; 4]);
    }

    #[test]
    fn snapshots_closer_than_the_spacing_are_skipped() {
        let mut timeline = GridTimeline::new(100, 10);
        assert!(timeline.offer(5, &[1]));
        assert!(!timeline.offer(50, &[2]));
        assert!(timeline.offer(105, &[3]));
        assert_eq!(timeline.len(), 2);
        timeline.clear(100);
        assert!(timeline.is_empty());
    }
}
