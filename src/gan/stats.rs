//! What a training step measured: on the device while training goes on, then read back to the
//! host many steps at a time.

use burn::prelude::*;

/// Figures per step in [`StepStats`].
const FIGURES: usize = 6;

/// What one step measured, still on the device.
pub struct StepStats<B: Backend> {
    /// D loss, G loss, mean D(x) and mean D(G(z)), |∇G|, |∇D|, in this order: packed into one
    /// tensor only when read, so that a step costs no copy for them.
    pub(super) parts: Vec<Tensor<B, 1>>,
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
