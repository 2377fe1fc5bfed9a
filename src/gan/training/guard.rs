//! The divergence guard: a non-finite loss or an exploding gradient would otherwise leave the
//! networks full of NaNs (and a checkpoint of them). The guard keeps the last state whose every
//! step was checked healthy, in memory, and hands it back when a step goes wrong.

use crate::gan::training::stats::StepValues;

/// A gradient norm above this is exploding: healthy steps here stay below ~10².
pub const MAX_GRADIENT_NORM: f32 = 1e4;

/// What went wrong at a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    NonFiniteLoss { d_loss: f32, g_loss: f32 },
    ExplodingGradient { network: &'static str, norm: f32 },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NonFiniteLoss { d_loss, g_loss } => {
                write!(f, "non-finite loss (D {d_loss}, G {g_loss})")
            }
            Problem::ExplodingGradient { network, norm } => {
                write!(f, "exploding gradient ({network}'s norm {norm:.3e})")
            }
        }
    }
}

/// The first unhealthy step among `values`, and why.
pub fn first_problem(values: &[StepValues]) -> Option<(u64, Problem)> {
    values.iter().find_map(|v| {
        let problem = if !(v.d_loss.is_finite() && v.g_loss.is_finite()) {
            Problem::NonFiniteLoss {
                d_loss: v.d_loss,
                g_loss: v.g_loss,
            }
        } else if !(v.g_grad_norm.is_finite() && v.g_grad_norm <= MAX_GRADIENT_NORM) {
            Problem::ExplodingGradient {
                network: "G",
                norm: v.g_grad_norm,
            }
        } else if !(v.d_grad_norm.is_finite() && v.d_grad_norm <= MAX_GRADIENT_NORM) {
            Problem::ExplodingGradient {
                network: "D",
                norm: v.d_grad_norm,
            }
        } else if !v.is_finite() {
            Problem::NonFiniteLoss {
                d_loss: v.d_loss,
                g_loss: v.g_loss,
            }
        } else {
            return None;
        };
        Some((v.step, problem))
    })
}

/// A divergence the guard caught.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// The step that went wrong.
    pub step: u64,
    pub problem: Problem,
    /// The step of the state rolled back to.
    pub restored_step: u64,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "training diverged at step {}: {}; rolled back to step {}",
            self.step, self.problem, self.restored_step
        )
    }
}

/// A state the guard can keep: `snapshot` must share nothing that later training changes.
pub trait Snapshot {
    fn snapshot(&self) -> Self;
}

/// Holds the last known-good state `T` (a snapshot of the trainer).
pub struct Guard<T: Snapshot> {
    good: T,
    good_step: u64,
}

impl<T: Snapshot> Guard<T> {
    /// `state` at `step` is trusted: nothing has been trained on it yet, or it was loaded.
    pub fn new(state: &T, step: u64) -> Self {
        Self {
            good: state.snapshot(),
            good_step: step,
        }
    }

    /// Reviews the figures of every step since the last review, `current` being the state
    /// after the last of them. Healthy: `current` becomes the state to return to. Otherwise
    /// `current` is replaced by the last good state.
    ///
    /// A step with a finite loss and finite, bounded gradients makes a finite update, so the
    /// state after it is sound: no later step needs to vouch for it.
    pub fn review(
        &mut self,
        values: &[StepValues],
        current: &mut T,
        current_step: u64,
    ) -> Result<(), Divergence> {
        match first_problem(values) {
            None => {
                self.good = current.snapshot();
                self.good_step = current_step;
                Ok(())
            }
            Some((step, problem)) => {
                // A copy, so the good state stays untouched for another rollback.
                *current = self.good.snapshot();
                Err(Divergence {
                    step,
                    problem,
                    restored_step: self.good_step,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Snapshot for i32 {
        fn snapshot(&self) -> Self {
            *self
        }
    }

    fn values(step: u64, d_loss: f32, g_norm: f32) -> StepValues {
        StepValues {
            step,
            d_loss,
            g_loss: 1.0,
            d_real: 0.5,
            d_fake: 0.5,
            g_grad_norm: g_norm,
            d_grad_norm: 1.0,
        }
    }

    #[test]
    fn healthy_steps_move_the_snapshot_and_a_bad_one_restores_it() {
        let mut state = 1;
        let mut guard = Guard::new(&state, 0);
        state = 2;
        assert!(guard.review(&[values(1, 1.0, 1.0)], &mut state, 1).is_ok());
        state = 3;
        let err = guard
            .review(
                &[values(2, 1.0, 1.0), values(3, f32::NAN, 1.0)],
                &mut state,
                3,
            )
            .unwrap_err();
        assert_eq!(state, 2);
        assert_eq!((err.step, err.restored_step), (3, 1));
        assert!(matches!(err.problem, Problem::NonFiniteLoss { .. }));
        state = 4;
        let err = guard
            .review(&[values(2, 1.0, 1e6)], &mut state, 2)
            .unwrap_err();
        assert_eq!(state, 2);
        assert_eq!(
            err.to_string(),
            "training diverged at step 2: exploding gradient (G's norm 1.000e6); rolled back to step 1"
        );
    }
}
