//! How near the game is to Goodfellow's equilibrium, where D says ½ on real and fake alike.

use super::{Detector, Finding, Lang, Level, mean, waiting};
use crate::gan::StepValues;

/// How close the game is to Goodfellow's equilibrium, where D(x) = D(G(z)) = 0.5: 1 there,
/// 0 when D is certain of both. Over the last 100 steps.
pub fn equilibrium_gauge(history: &[StepValues]) -> Option<(f64, f64, f64)> {
    let recent = &history[history.len().saturating_sub(100)..];
    if recent.is_empty() {
        return None;
    }
    let d_real = mean(recent.iter().map(|v| v.d_real));
    let d_fake = mean(recent.iter().map(|v| v.d_fake));
    let distance = (d_real - 0.5).abs().max((d_fake - 0.5).abs());
    Some(((1.0 - 2.0 * distance).clamp(0.0, 1.0), d_real, d_fake))
}

/// Below this gauge, D is far ahead of G (or behind).
pub const MIN_EQUILIBRIUM: f64 = 0.4;

pub fn equilibrium(history: &[StepValues], lang: Lang) -> Finding {
    let detector = Detector::Equilibrium;
    let Some((gauge, d_real, d_fake)) = equilibrium_gauge(history) else {
        return waiting(detector, lang);
    };
    let headline = lang.pick(
        format!("gauge {gauge:.2}: D(x) = {d_real:.2}, D(G(z)) = {d_fake:.2}"),
        format!("jauge {gauge:.2} : D(x) = {d_real:.2}, D(G(z)) = {d_fake:.2}"),
    );
    if gauge >= MIN_EQUILIBRIUM {
        return Finding {
            detector,
            level: Level::Calm,
            headline,
            lesson: lang.pick(
                "Near equilibrium D can barely tell real from fake: both outputs sit near 0.5.",
                "Près de l'équilibre, D distingue à peine le vrai du faux : ses deux sorties \
                 sont proches de 0.5.",
            ),
        };
    }
    Finding {
        detector,
        level: Level::Warning,
        headline,
        lesson: lang.pick(
            "At Goodfellow's equilibrium G's samples are indistinguishable from the data and \
             D answers 0.5 everywhere. Far from it, one player dominates: if D is certain, G gets \
             little useful signal. Try: a lower D learning rate, label smoothing, fewer D steps.",
            "À l'équilibre de Goodfellow, les échantillons de G sont indiscernables des données \
             et D répond 0.5 partout. Loin de lui, un joueur domine : si D est certain, G reçoit \
             peu de signal utile. À essayer : un taux d'apprentissage plus bas pour D, le \
             lissage des étiquettes, moins de pas de D.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::detect::tests::steps;

    #[test]
    fn equilibrium_gauge_is_one_at_a_half() {
        let mut at_nash = steps(100, |_| (0.7, 0.5, 1.0));
        at_nash.iter_mut().for_each(|v| v.d_real = 0.5);
        assert_eq!(equilibrium_gauge(&at_nash).unwrap().0, 1.0);
        assert_eq!(equilibrium(&at_nash, Lang::En).level, Level::Calm);
        let mut certain = steps(100, |_| (3.0, 0.02, 1.0));
        certain.iter_mut().for_each(|v| v.d_real = 0.98);
        assert!(equilibrium_gauge(&certain).unwrap().0 < 0.1);
        assert_eq!(equilibrium(&certain, Lang::Fr).level, Level::Warning);
    }
}
