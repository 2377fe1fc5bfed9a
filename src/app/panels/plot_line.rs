//! Step figures as plot lines: a moving average, thinned to at most [`MAX_POINTS`] points. A
//! plot is under a thousand pixels wide while the history holds up to 20,000 steps; drawing
//! every step made each frame slower as a run went on (the soak test saw the frame rate halve
//! over the first 12 minutes).

use std::collections::VecDeque;

/// Points per line: about two per pixel of the widest plot.
pub const MAX_POINTS: usize = 2_000;

/// The moving average of `points` (x, y) over `window` of them, thinned: of each run of
/// consecutive averages only the first, the lowest, the highest and the last are kept, in
/// order (the M4 scheme), so spikes stay and the line spans the whole range.
pub fn smoothed(points: impl ExactSizeIterator<Item = (f64, f64)>, window: usize) -> Vec<[f64; 2]> {
    let window = window.max(1);
    let run_length = points.len().div_ceil(MAX_POINTS / 4).max(1);
    let mut recent = VecDeque::with_capacity(window + 1);
    let mut sum = 0.0;
    let mut line = Vec::with_capacity(MAX_POINTS);
    let mut run: Vec<[f64; 2]> = Vec::with_capacity(run_length);
    for (x, y) in points {
        sum += y;
        recent.push_back(y);
        if recent.len() > window {
            sum -= recent.pop_front().unwrap_or_default();
        }
        run.push([x, sum / recent.len() as f64]);
        if run.len() == run_length {
            end_run(&mut line, &mut run);
        }
    }
    end_run(&mut line, &mut run);
    line
}

/// Appends the run's first, lowest, highest and last points, in order and once each.
fn end_run(line: &mut Vec<[f64; 2]>, run: &mut Vec<[f64; 2]>) {
    let (Some(&first), Some(&last)) = (run.first(), run.last()) else {
        return;
    };
    let by_y = |a: &&[f64; 2], b: &&[f64; 2]| a[1].total_cmp(&b[1]);
    let low = *run.iter().min_by(by_y).unwrap_or(&first);
    let high = *run.iter().max_by(by_y).unwrap_or(&first);
    let mut kept = [first, low, high, last];
    kept.sort_by(|a, b| a[0].total_cmp(&b[0]));
    for point in kept {
        if line.last() != Some(&point) {
            line.push(point);
        }
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_history_is_the_plain_moving_average() {
        let points = [(0.0, 1.0), (1.0, 3.0), (2.0, 5.0), (3.0, 7.0)];
        assert_eq!(
            smoothed(points.into_iter(), 2),
            vec![[0.0, 1.0], [1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]
        );
    }

    #[test]
    fn a_long_history_is_thinned_in_order_and_keeps_its_spikes() {
        let points: Vec<(f64, f64)> = (0..20_000)
            .map(|i| {
                (
                    f64::from(i),
                    if i == 12_345 {
                        100.0
                    } else {
                        (f64::from(i) * 0.1).sin()
                    },
                )
            })
            .collect();
        let line = smoothed(points.iter().copied(), 1);
        assert!(line.len() <= MAX_POINTS, "{}", line.len());
        assert!(line.len() >= MAX_POINTS / 2, "{}", line.len());
        assert!(line.windows(2).all(|w| w[0][0] < w[1][0]), "x in order");
        assert!(
            line.iter()
                .any(|&[x, y]| x == 12_345.0 && (y - 100.0).abs() < 1e-9),
            "the spike survives"
        );
        assert_eq!(line.first().unwrap()[0], 0.0);
        assert_eq!(line.last().unwrap()[0], 19_999.0);
        // Smoothing applies before thinning: the spike is spread over the window.
        let line = smoothed(points.iter().copied(), 100);
        let top = line.iter().map(|p| p[1]).fold(f64::MIN, f64::max);
        assert!((0.5..1.5).contains(&top), "{top}");
    }
}
