//! Vanishing gradients: D rejecting every fake for long, or G's gradient norm collapsing.

use super::{Detector, Finding, Lang, Level, WINDOW, mean, median, waiting};
use crate::gan::{LossKind, StepValues};

/// Vanishing gradients: D rejecting every fake for long, or G's gradient norm collapsing.
pub fn vanishing_gradients(history: &[StepValues], loss: LossKind, lang: Lang) -> Finding {
    let detector = Detector::VanishingGradients;
    if history.len() < WINDOW / 2 {
        return waiting(detector, lang);
    }
    let recent = &history[history.len().saturating_sub(WINDOW / 2)..];
    let d_fake = mean(recent.iter().map(|v| v.d_fake));
    let grad_now = median(recent.iter().map(|v| v.g_grad_norm));
    let grad_peak = history
        .chunks(WINDOW / 2)
        .map(|chunk| median(chunk.iter().map(|v| v.g_grad_norm)))
        .fold(0.0, f64::max);
    let collapsed = grad_peak > 0.0 && grad_now < 0.05 * grad_peak;
    let d_wins = d_fake < 0.05;
    let figures = lang.pick(
        format!("D(G(z)) = {d_fake:.3}, |grad G| = {grad_now:.3} (peak {grad_peak:.3})"),
        format!("D(G(z)) = {d_fake:.3}, |grad G| = {grad_now:.3} (max {grad_peak:.3})"),
    );
    if !(collapsed || d_wins) {
        return Finding {
            detector,
            level: Level::Calm,
            headline: figures,
            lesson: String::new(),
        };
    }
    let loss_note = match loss {
        LossKind::Minimax => lang.pick(
            " This run uses the minimax loss, which saturates exactly here.",
            " Cet entraînement utilise la perte minimax, qui sature justement ici.",
        ),
        _ => String::new(),
    };
    Finding {
        detector,
        level: Level::Warning,
        headline: lang.pick(
            format!("D is winning: {figures}"),
            format!("D gagne : {figures}"),
        ),
        lesson: lang.pick(
            format!(
                "When D rejects every fake, G's minimax loss log(1 - D(G(z))) is flat: its \
                 slope vanishes and G stops learning. The non-saturating loss maximises \
                 log D(G(z)) instead, whose gradient is strongest precisely when D wins.{loss_note} \
                 Try: the non-saturating loss, a lower D learning rate, fewer D steps per G \
                 step, label smoothing."
            ),
            format!(
                "Quand D rejette tous les faux, la perte minimax de G, log(1 - D(G(z))), est \
                 plate : sa pente s'annule et G n'apprend plus. La perte non saturante maximise \
                 plutôt log D(G(z)), dont le gradient est le plus fort justement quand D \
                 gagne.{loss_note} À essayer : la perte non saturante, un taux d'apprentissage \
                 plus bas pour D, moins de pas de D par pas de G, le lissage des étiquettes."
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::detect::tests::steps;

    #[test]
    fn vanishing_gradients_fire_when_d_wins_or_g_gradient_dies() {
        let healthy = steps(600, |_| (1.0, 0.4, 2.0));
        assert_eq!(
            vanishing_gradients(&healthy, LossKind::Minimax, Lang::En).level,
            Level::Calm
        );
        let d_wins = steps(600, |i| (1.0, if i > 300 { 0.01 } else { 0.4 }, 2.0));
        let finding = vanishing_gradients(&d_wins, LossKind::Minimax, Lang::En);
        assert_eq!(finding.level, Level::Warning);
        assert!(finding.lesson.contains("minimax"));
        let dying = steps(600, |i| (1.0, 0.3, if i > 350 { 0.01 } else { 2.0 }));
        assert_eq!(
            vanishing_gradients(&dying, LossKind::NonSaturating, Lang::En).level,
            Level::Warning
        );
    }
}
