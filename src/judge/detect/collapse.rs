//! Mode collapse on the digits: classes the judge no longer sees, or a batch of near-copies.

use super::{Detector, Finding, Lang, Level, waiting};
use crate::judge::metrics::Scores;

/// A class is "missing" below this share of the samples (10 % expected).
pub const MISSING_SHARE: f64 = 0.02;
/// Generated batches less diverse than this fraction of real digits count as collapsed.
pub const MIN_DIVERSITY: f64 = 0.6;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::detect::tests::shares;

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
}
