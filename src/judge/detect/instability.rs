//! Instability: G's loss swinging back and forth, or the quality lost after being reached.

use super::{Detector, Finding, Lang, Level, WINDOW, mean, waiting};
use crate::gan::StepValues;
use crate::judge::metrics::Scores;

/// Steps the oscillation measure ignores: the first few hundred steps move the losses fast and
/// far while the networks leave their initial weights, which is not a game gone unstable.
pub const SETTLING_STEPS: u64 = 300;

/// How much the losses swing: the RMS change between successive 25-step means of G's loss
/// over the last `WINDOW` steps after [`SETTLING_STEPS`] (the means remove batch noise; the
/// differences a steady trend).
pub fn loss_oscillation(history: &[StepValues]) -> Option<f64> {
    const CHUNK: usize = 25;
    let settled = history.partition_point(|v| v.step <= SETTLING_STEPS);
    let recent = &history[settled.max(history.len().saturating_sub(WINDOW))..];
    let means: Vec<f64> = recent
        .chunks_exact(CHUNK)
        .map(|chunk| mean(chunk.iter().map(|v| v.g_loss)))
        .collect();
    if means.len() < 4 {
        return None;
    }
    let squares: f64 = means.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    Some((squares / (means.len() - 1) as f64).sqrt())
}

/// Above this RMS swing of G's loss between 25-step means, training is oscillating.
pub const MAX_OSCILLATION: f64 = 0.3;
/// A quality drop of this fraction of the best recent Inception Score counts as unstable.
pub const MAX_QUALITY_DROP: f64 = 0.25;

/// Instability: oscillating losses, or the quality falling back after having been reached.
pub fn instability(history: &[StepValues], scores: &[(u64, Scores)], lang: Lang) -> Finding {
    let detector = Detector::Instability;
    let Some(swing) = loss_oscillation(history) else {
        return waiting(detector, lang);
    };
    let recent = &scores[scores.len().saturating_sub(4)..];
    let drop = match (
        recent.iter().map(|s| s.1.inception_score).reduce(f64::max),
        recent.last(),
    ) {
        (Some(best), Some(last)) if best > 0.0 => (best - last.1.inception_score) / best,
        _ => 0.0,
    };
    let headline = lang.pick(
        format!(
            "G loss swing {swing:.2}, quality drop {:.0} %",
            drop * 100.0
        ),
        format!(
            "oscillation de la perte de G {swing:.2}, baisse de qualité {:.0} %",
            drop * 100.0
        ),
    );
    if swing <= MAX_OSCILLATION && drop <= MAX_QUALITY_DROP {
        return Finding {
            detector,
            level: Level::Calm,
            headline,
            lesson: String::new(),
        };
    }
    Finding {
        detector,
        level: Level::Warning,
        headline,
        lesson: lang.pick(
            "The two players keep overshooting each other instead of settling: each update \
             undoes the other's, and the samples get worse again. Try: lower learning rates \
             for both, Adam's beta1 = 0.5, label smoothing, the stable preset.",
            "Les deux joueurs se dépassent sans cesse au lieu de se stabiliser : chaque mise à \
             jour défait celle de l'autre, et les échantillons se dégradent. À essayer : des \
             taux d'apprentissage plus bas pour les deux, beta1 = 0,5 pour Adam, le lissage \
             des étiquettes, le preset stable.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::detect::tests::{shares, steps};

    #[test]
    fn oscillating_losses_are_unstable_but_a_steady_trend_is_not() {
        let trend = steps(WINDOW, |i| (1.0 + i as f32 / WINDOW as f32, 0.4, 1.0));
        assert_eq!(instability(&trend, &[], Lang::En).level, Level::Calm);
        let swinging = steps(WINDOW, |i| {
            (if (i / 25) % 2 == 0 { 0.5 } else { 2.5 }, 0.4, 1.0)
        });
        assert_eq!(instability(&swinging, &[], Lang::En).level, Level::Warning);
        // A swing while the networks leave their initial weights is not instability.
        let settling = steps(500, |i| {
            let swing = if (i / 25) % 2 == 0 { 0.5 } else { 2.5 };
            (if i < 300 { swing } else { 1.0 }, 0.4, 1.0)
        });
        assert_eq!(instability(&settling, &[], Lang::En).level, Level::Calm);
        assert_eq!(
            instability(&settling[..350], &[], Lang::En).level,
            Level::Waiting
        );
        // Quality lost after being reached.
        let drop = [
            (1000, shares([0.1; 10])),
            (1500, {
                let mut s = shares([0.1; 10]);
                s.inception_score = 2.0;
                s
            }),
        ];
        assert_eq!(instability(&trend, &drop, Lang::En).level, Level::Warning);
    }
}
