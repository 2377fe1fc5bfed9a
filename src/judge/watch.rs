//! The lessons' watch over a headless run (`ganimate train`): the training-curve detectors of
//! [`crate::judge::detect`], fed every reviewed step, saying when one starts warning and when
//! it is calm again, once each.

use crate::gan::training::run::Watcher;
use crate::gan::{LossKind, StepValues};
use crate::judge::detect::{Lang, Level, WINDOW, instability, vanishing_gradients};

/// The training-curve detectors for a headless run (`ganimate train`): fed the figures as they
/// are read back, it says when a detector starts warning and when it is calm again, once each.
pub struct Watch {
    history: Vec<StepValues>,
    loss: LossKind,
    lang: Lang,
    /// Per detector: warned, and since which step it has been calm again.
    states: [(bool, Option<u64>); 2],
}

/// Steps a warned detector must stay calm before a [`Watch`] says so: figures hovering at a
/// threshold would otherwise flip it back and forth.
const CALM_AGAIN_AFTER: u64 = WINDOW as u64 / 2;

/// Steps of figures a [`Watch`] keeps: ten detector windows.
const WATCH_MEMORY: usize = 10 * WINDOW;

impl Watcher for Watch {
    fn push(&mut self, values: &[StepValues]) -> Vec<String> {
        Watch::push(self, values)
    }
}

impl Watch {
    pub fn new(loss: LossKind, lang: Lang) -> Self {
        Self {
            history: Vec::new(),
            loss,
            lang,
            states: [(false, None); 2],
        }
    }

    /// Adds the figures of the steps since the last call; returns the lines worth printing.
    pub fn push(&mut self, values: &[StepValues]) -> Vec<String> {
        self.history.extend_from_slice(values);
        let excess = self.history.len().saturating_sub(WATCH_MEMORY);
        self.history.drain(..excess);
        let Some(step) = self.history.last().map(|v| v.step) else {
            return Vec::new();
        };
        let findings = [
            vanishing_gradients(&self.history, self.loss, self.lang),
            instability(&self.history, &[], self.lang),
        ];
        let mut lines = Vec::new();
        for (finding, (warned, calm_since)) in findings.iter().zip(&mut self.states) {
            let title = finding.detector.title(self.lang);
            match finding.level {
                Level::Warning => {
                    *calm_since = None;
                    if *warned {
                        continue;
                    }
                    *warned = true;
                    lines.push(self.lang.pick(
                        format!(
                            "warning at step {step}: {title}: {}\n  {}",
                            finding.headline, finding.lesson
                        ),
                        format!(
                            "alerte au pas {step} : {title} : {}\n  {}",
                            finding.headline, finding.lesson
                        ),
                    ));
                }
                Level::Calm if *warned => {
                    if step - *calm_since.get_or_insert(step) < CALM_AGAIN_AFTER {
                        continue;
                    }
                    (*warned, *calm_since) = (false, None);
                    lines.push(self.lang.pick(
                        format!("step {step}: {title}: calm again ({})", finding.headline),
                        format!(
                            "pas {step} : {title} : de nouveau calme ({})",
                            finding.headline
                        ),
                    ));
                }
                _ => {}
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::detect::tests::steps;

    #[test]
    fn a_watch_reports_each_warning_once_and_the_return_to_calm() {
        let mut watch = Watch::new(LossKind::Minimax, Lang::En);
        let healthy = steps(300, |i| (1.0 + 0.001 * i as f32, 0.4, 2.0));
        assert!(watch.push(&healthy).is_empty(), "healthy training is quiet");
        let mut d_wins = steps(300, |_| (1.0, 0.01, 2.0));
        for (i, values) in d_wins.iter_mut().enumerate() {
            values.step = 301 + i as u64;
        }
        let lines = watch.push(&d_wins);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("warning at step 600: Vanishing gradients: D is winning"));
        assert!(lines[0].contains("minimax loss"), "{}", lines[0]);
        assert!(
            watch.push(&d_wins[..20]).is_empty(),
            "said once, not every read-back"
        );
        let mut recovered = steps(400, |i| (1.0 + 0.001 * i as f32, 0.4, 2.0));
        for (i, values) in recovered.iter_mut().enumerate() {
            values.step = 621 + i as u64;
        }
        // Read back every 20 steps: calm from step 660 on (the 200-step mean of D(G(z)) passes
        // 0.05 at 641), and said 200 steps later.
        let lines: Vec<String> = recovered.chunks(20).flat_map(|c| watch.push(c)).collect();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("step 860: Vanishing gradients: calm again"),
            "{}",
            lines[0]
        );
        // The course's language too.
        let mut french = Watch::new(LossKind::NonSaturating, Lang::Fr);
        french.push(&healthy);
        let lines = french.push(&d_wins);
        assert!(
            lines[0].starts_with("alerte au pas 600 : Disparition du gradient : D gagne"),
            "{}",
            lines[0]
        );
        assert!(
            !lines[0].contains("Cet entraînement utilise"),
            "{}",
            lines[0]
        );
    }
}
