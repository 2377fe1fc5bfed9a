//! What a training step measured: on the device while training goes on, then read back to the
//! host many steps at a time.

use burn::prelude::*;

/// Figures per step in [`StepStats`].
const FIGURES: usize = 6;

/// What one step measured, still on the device.
pub struct StepStats<B: Backend> {
    /// D loss, G loss, mean D(x) and mean D(G(z)), |∇G|, |∇D|, in this order: packed into one
    /// tensor only when read, so that a step costs no copy for them.
    pub(in crate::gan) parts: Vec<Tensor<B, 1>>,
    pub step: u64,
}

/// Which network(s) one step trains: the app's single-step buttons teach the two halves apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StepMode {
    /// k D steps, then one G step.
    #[default]
    Both,
    DiscriminatorOnly,
    GeneratorOnly,
}

/// The figures of one step, on the host.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StepValues {
    pub step: u64,
    pub d_loss: f32,
    pub g_loss: f32,
    pub d_real: f32,
    pub d_fake: f32,
    /// L2 norms of the step's gradients over all of G's and of D's parameters (0 for a network
    /// the step did not train): how strongly each network is being pushed.
    pub g_grad_norm: f32,
    pub d_grad_norm: f32,
}

impl StepValues {
    pub fn is_finite(&self) -> bool {
        [
            self.d_loss,
            self.g_loss,
            self.d_real,
            self.d_fake,
            self.g_grad_norm,
            self.d_grad_norm,
        ]
        .iter()
        .all(|v| v.is_finite())
    }
}

impl<B: Backend> StepStats<B> {
    /// Reads the figures back: on a GPU this waits for the step to finish.
    pub fn read(self) -> StepValues {
        Self::read_all(vec![self]).pop().expect("one in, one out")
    }

    /// Reads many steps' figures with a single read-back (one GPU synchronisation).
    pub fn read_all(stats: Vec<Self>) -> Vec<StepValues> {
        if stats.is_empty() {
            return Vec::new();
        }
        let steps: Vec<u64> = stats.iter().map(|s| s.step).collect();
        let packed = Tensor::cat(stats.into_iter().flat_map(|s| s.parts).collect(), 0);
        let values = packed
            .into_data()
            .convert::<f32>()
            .to_vec::<f32>()
            .unwrap_or_default();
        steps
            .into_iter()
            .enumerate()
            .map(|(i, step)| {
                let get = |k: usize| values.get(FIGURES * i + k).copied().unwrap_or(f32::NAN);
                StepValues {
                    step,
                    d_loss: get(0),
                    g_loss: get(1),
                    d_real: get(2),
                    d_fake: get(3),
                    g_grad_norm: get(4),
                    d_grad_norm: get(5),
                }
            })
            .collect()
    }
}

/// Most step figures the app keeps: an hour at a thousand steps a second would otherwise hold
/// 3.6 million (160 MB), and every frame's plots and detectors would walk them all.
pub const HISTORY_CAP: usize = 20_000;

/// Keeps `history` within `cap` figures: whenever it is over, every other figure of its older
/// half goes. The recent half stays step by step (the detectors read the last few hundred),
/// and the plots keep the whole run, coarser the further back it is.
pub fn bound_history(history: &mut Vec<StepValues>, cap: usize) {
    while history.len() > cap.max(2) {
        let older = history.len() / 2;
        let mut index = 0;
        history.retain(|_| {
            let keep = index >= older || index % 2 == 0;
            index += 1;
            keep
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(step: u64) -> StepValues {
        StepValues {
            step,
            d_loss: 0.0,
            g_loss: 0.0,
            d_real: 0.5,
            d_fake: 0.5,
            g_grad_norm: 1.0,
            d_grad_norm: 1.0,
        }
    }

    #[test]
    fn a_bounded_history_keeps_the_recent_half_whole_and_the_start() {
        let mut history = Vec::new();
        for step in 1..=100_000 {
            history.push(at(step));
            bound_history(&mut history, 1000);
            assert!(history.len() <= 1000);
        }
        assert!(history.len() >= 750, "{} figures", history.len());
        assert_eq!(history[0].step, 1, "the run's start stays");
        assert_eq!(history.last().unwrap().step, 100_000);
        let recent = &history[history.len() - 375..];
        assert!(
            recent.windows(2).all(|w| w[1].step == w[0].step + 1),
            "recent steps all kept"
        );
        assert!(history.windows(2).all(|w| w[1].step > w[0].step));
    }
}
