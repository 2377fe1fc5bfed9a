//! The course's three classic failures and its equilibrium, each measured from what training
//! and the judge report, with a short lesson in English or French: what is happening, and what
//! to try. Pure functions over histories, so the app, the CLI and the tests share them.

use super::metrics::Scores;
use crate::gan::{LossKind, StepValues};

/// The language lessons are written in (the course is taught in French).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// Picks the text for this language.
    pub fn pick(self, en: impl Into<String>, fr: impl Into<String>) -> String {
        match self {
            Lang::En => en.into(),
            Lang::Fr => fr.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detector {
    ModeCollapse,
    VanishingGradients,
    Instability,
    Equilibrium,
}

impl Detector {
    pub fn title(self, lang: Lang) -> String {
        match self {
            Detector::ModeCollapse => lang.pick("Mode collapse", "Effondrement des modes"),
            Detector::VanishingGradients => {
                lang.pick("Vanishing gradients", "Disparition du gradient")
            }
            Detector::Instability => lang.pick("Instability", "Instabilité"),
            Detector::Equilibrium => lang.pick("Nash equilibrium", "Équilibre de Nash"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Not enough evidence yet.
    Waiting,
    Calm,
    Warning,
}

/// One detector's verdict, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub detector: Detector,
    pub level: Level,
    /// One line: the measurement.
    pub headline: String,
    /// What it means and what to try; empty when calm.
    pub lesson: String,
}

/// A class is "missing" below this share of the samples (10 % expected).
pub const MISSING_SHARE: f64 = 0.02;
/// Generated batches less diverse than this fraction of real digits count as collapsed.
pub const MIN_DIVERSITY: f64 = 0.6;
/// Steps the windowed detectors look back over.
pub const WINDOW: usize = 400;

/// Mode collapse: classes missing from the judge's histogram, or near-copies in the batch.
/// `diversity` is the batch's mean pairwise distance as a fraction of real digits'.
pub fn mode_collapse(scores: Option<&Scores>, diversity: Option<f64>, lang: Lang) -> Finding {
    let detector = Detector::ModeCollapse;
    let Some(scores) = scores else {
        return waiting(detector, lang);
    };
    let missing = scores.rare_classes(MISSING_SHARE);
    let diverse = diversity.is_none_or(|d| d >= MIN_DIVERSITY);
    let diversity_text = diversity.map_or(String::new(), |d| {
        lang.pick(
            format!("; diversity {:.0} % of real digits", d * 100.0),
            format!(
                " ; diversité {:.0} % de celle des vrais chiffres",
                d * 100.0
            ),
        )
    });
    if missing.is_empty() && diverse {
        return Finding {
            detector,
            level: Level::Calm,
            headline: lang.pick(
                format!("all 10 digits drawn{diversity_text}"),
                format!("les 10 chiffres sont produits{diversity_text}"),
            ),
            lesson: String::new(),
        };
    }
    let list = missing
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let headline = if missing.is_empty() {
        lang.pick(
            format!("the samples look alike{diversity_text}"),
            format!("les échantillons se ressemblent{diversity_text}"),
        )
    } else {
        lang.pick(
            format!("digits {{{list}}} are (almost) never drawn{diversity_text}"),
            format!("les chiffres {{{list}}} ne sont (presque) jamais produits{diversity_text}"),
        )
    };
    Finding {
        detector,
        level: Level::Warning,
        headline,
        lesson: lang.pick(
            "G found a few outputs that fool D and stopped exploring the rest: it maps many \
             different z to the same digits. D then learns to reject those, and G hops to \
             another few. Try: the stable preset (BatchNorm in G, label smoothing), a lower \
             G learning rate, a larger batch, or a reset with another seed.",
            "G a trouvé quelques images qui trompent D et n'explore plus le reste : beaucoup \
             de z différents donnent les mêmes chiffres. D apprend alors à les rejeter et G \
             saute vers d'autres. À essayer : le preset stable (BatchNorm dans G, lissage des \
             étiquettes), un taux d'apprentissage plus bas pour G, un batch plus grand, ou \
             une réinitialisation avec une autre graine.",
        ),
    }
}

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

fn waiting(detector: Detector, lang: Lang) -> Finding {
    Finding {
        detector,
        level: Level::Waiting,
        headline: lang.pick("not enough steps yet", "pas encore assez de pas"),
        lesson: String::new(),
    }
}

fn mean(values: impl Iterator<Item = f32>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + f64::from(v), c + 1));
    if count == 0 { 0.0 } else { sum / count as f64 }
}

fn median(values: impl Iterator<Item = f32>) -> f64 {
    let mut sorted: Vec<f32> = values.filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(f32::total_cmp);
    f64::from(sorted[sorted.len() / 2])
}

#[cfg(test)]
pub(in crate::judge) mod tests {
    use super::*;

    pub(in crate::judge) fn steps(
        n: usize,
        make: impl Fn(usize) -> (f32, f32, f32),
    ) -> Vec<StepValues> {
        (0..n)
            .map(|i| {
                let (g_loss, d_fake, g_grad_norm) = make(i);
                StepValues {
                    step: i as u64 + 1,
                    d_loss: 1.2,
                    g_loss,
                    d_real: 0.6,
                    d_fake,
                    g_grad_norm,
                    d_grad_norm: 1.0,
                }
            })
            .collect()
    }

    fn shares(shares: [f64; 10]) -> Scores {
        Scores {
            samples: 100,
            inception_score: 5.0,
            frechet_distance: 1.0,
            class_shares: shares,
        }
    }

    #[test]
    fn collapse_names_the_missing_digits() {
        let calm = mode_collapse(Some(&shares([0.1; 10])), Some(0.9), Lang::En);
        assert_eq!(calm.level, Level::Calm);
        let mut skewed = [0.0; 10];
        skewed[1] = 0.7;
        skewed[7] = 0.3;
        let warned = mode_collapse(Some(&shares(skewed)), Some(0.9), Lang::En);
        assert_eq!(warned.level, Level::Warning);
        assert!(
            warned.headline.contains("{0, 2, 3, 4, 5, 6, 8, 9}"),
            "{}",
            warned.headline
        );
        let alike = mode_collapse(Some(&shares([0.1; 10])), Some(0.3), Lang::Fr);
        assert_eq!(alike.level, Level::Warning);
        assert!(alike.headline.contains("ressemblent"));
        assert_eq!(mode_collapse(None, None, Lang::En).level, Level::Waiting);
    }

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
