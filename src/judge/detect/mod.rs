//! The course's three classic failures and its equilibrium, each measured from what training
//! and the judge report, with a short lesson in English or French: what is happening, and what
//! to try. Pure functions over histories, so the app, the CLI and the tests share them.

mod collapse;
mod equilibrium;
mod gradients;
mod instability;

pub use collapse::{MIN_DIVERSITY, MISSING_SHARE, mode_collapse};
pub use equilibrium::{MIN_EQUILIBRIUM, equilibrium, equilibrium_gauge};
pub use gradients::vanishing_gradients;
pub use instability::{
    MAX_OSCILLATION, MAX_QUALITY_DROP, SETTLING_STEPS, instability, loss_oscillation,
};

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

/// Steps the windowed detectors look back over.
pub const WINDOW: usize = 400;

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
    use crate::gan::StepValues;
    use crate::judge::metrics::Scores;

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

    pub(in crate::judge) fn shares(shares: [f64; 10]) -> Scores {
        Scores {
            samples: 100,
            inception_score: 5.0,
            frechet_distance: 1.0,
            class_shares: shares,
        }
    }
}
