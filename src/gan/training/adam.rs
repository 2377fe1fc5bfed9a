//! Adam in one pass over each parameter.
//!
//! burn's `Adam` is written as a dozen tensor operations per parameter. On the GPU, fusion
//! merges them into one kernel; on the CPU each one is a pass over memory, and for these MLPs
//! they cost as much as the matrix products. This optimiser computes the same update (same
//! state, same record, so checkpoints are unchanged) with the fewest operations, and on the
//! CPU backend ([`Flex`]) in one loop that updates the weights and both moments in place.

use std::any::{Any, TypeId};

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::module::{AutodiffModule, ModuleVisitor, Param};
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{
    AdamState, AdaptiveMomentumState, GradientsParams, LearningRate, SimpleOptimizer,
};
use burn::prelude::*;
use burn::tensor::TensorPrimitive;
use burn::tensor::backend::AutodiffBackend;
use rayon::prelude::*;

/// Adam's hyper-parameters, as in burn's `AdamConfig` (no weight decay, no AMSGrad).
#[derive(Config, Debug)]
pub struct FusedAdamConfig {
    #[config(default = 0.9)]
    pub beta_1: f32,
    #[config(default = 0.999)]
    pub beta_2: f32,
    #[config(default = 1e-8)]
    pub epsilon: f32,
}

impl FusedAdamConfig {
    pub fn init<B: AutodiffBackend, M: AutodiffModule<B>>(
        &self,
    ) -> OptimizerAdaptor<FusedAdam, M, B> {
        OptimizerAdaptor::from(self.build())
    }

    fn build(&self) -> FusedAdam {
        FusedAdam {
            beta_1: self.beta_1,
            beta_2: self.beta_2,
            epsilon: self.epsilon,
        }
    }
}

#[derive(Clone, Debug)]
pub struct FusedAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
}

/// The scalars of step `time` (1-based): burn's bias corrections folded into a step size and
/// an epsilon, so the update is `p − step_size · m / (√v + epsilon)`.
#[derive(Clone, Copy, Debug)]
struct Coefficients {
    beta_1: f32,
    beta_2: f32,
    step_size: f32,
    epsilon: f32,
}

impl FusedAdam {
    fn coefficients(&self, lr: LearningRate, time: usize) -> Coefficients {
        let time = time as i32;
        let correction_2 = (1.0 - self.beta_2.powi(time)).sqrt();
        let correction_1 = 1.0 - self.beta_1.powi(time);
        Coefficients {
            beta_1: self.beta_1,
            beta_2: self.beta_2,
            step_size: (lr as f32) * correction_2 / correction_1,
            epsilon: self.epsilon * correction_2,
        }
    }
}

impl<B: Backend> SimpleOptimizer<B> for FusedAdam {
    type State<const D: usize> = AdamState<B, D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<B, D>,
        grad: Tensor<B, D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<B, D>, Option<Self::State<D>>) {
        // Moments start at zero, as in burn's Adam (whose first step skips the zeros).
        let (time, moment_1, moment_2) = match state {
            Some(AdamState { momentum }) => (momentum.time, momentum.moment_1, momentum.moment_2),
            None => (0, grad.zeros_like(), grad.zeros_like()),
        };
        let time = time + 1;
        let coefficients = self.coefficients(lr, time);
        let (tensor, moment_1, moment_2) = if on_flex::<B>() {
            update_in_place(tensor, grad, moment_1, moment_2, coefficients)
        } else {
            update_with_tensor_ops(tensor, grad, moment_1, moment_2, coefficients)
        };
        let momentum = AdaptiveMomentumState::new(time, moment_1, moment_2);
        (tensor, Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &B::Device) -> Self::State<D> {
        state.momentum.moment_1 = state.momentum.moment_1.to_device(device);
        state.momentum.moment_2 = state.momentum.moment_2.to_device(device);
        state
    }
}

/// The update as tensor operations: what fusion turns into one kernel on the GPU.
fn update_with_tensor_ops<B: Backend, const D: usize>(
    tensor: Tensor<B, D>,
    grad: Tensor<B, D>,
    moment_1: Tensor<B, D>,
    moment_2: Tensor<B, D>,
    c: Coefficients,
) -> (Tensor<B, D>, Tensor<B, D>, Tensor<B, D>) {
    let moment_1 = moment_1.mul_scalar(c.beta_1) + grad.clone().mul_scalar(1.0 - c.beta_1);
    let moment_2 = moment_2.mul_scalar(c.beta_2) + (grad.clone() * grad).mul_scalar(1.0 - c.beta_2);
    let update = moment_1
        .clone()
        .mul_scalar(c.step_size)
        .div(moment_2.clone().sqrt().add_scalar(c.epsilon));
    (tensor - update, moment_1, moment_2)
}

fn on_flex<B: Backend>() -> bool {
    TypeId::of::<B>() == TypeId::of::<Flex>()
}

/// Elements per parallel chunk: large enough that a thread's share outweighs waking it.
const CHUNK: usize = 1 << 15;

/// The same arithmetic as [`update_with_tensor_ops`], operation for operation (so the two agree
/// bit for bit), in one pass that writes the weights and moments in place where no one else
/// holds them.
fn update_in_place<B: Backend, const D: usize>(
    tensor: Tensor<B, D>,
    grad: Tensor<B, D>,
    moment_1: Tensor<B, D>,
    moment_2: Tensor<B, D>,
    c: Coefficients,
) -> (Tensor<B, D>, Tensor<B, D>, Tensor<B, D>) {
    let shape = tensor.shape();
    let grad = contiguous(to_flex(grad));
    let mut weights = contiguous(to_flex(tensor));
    let mut first = contiguous(to_flex(moment_1));
    let mut second = contiguous(to_flex(moment_2));
    {
        let grad = grad.storage::<f32>();
        let weights = weights.storage_mut::<f32>();
        let first = first.storage_mut::<f32>();
        let second = second.storage_mut::<f32>();
        let update = |w: &mut [f32], m: &mut [f32], v: &mut [f32], g: &[f32]| {
            for (((w, m), v), &g) in w.iter_mut().zip(m).zip(v).zip(g) {
                *m = *m * c.beta_1 + g * (1.0 - c.beta_1);
                *v = *v * c.beta_2 + (g * g) * (1.0 - c.beta_2);
                *w -= (*m * c.step_size) / (v.sqrt() + c.epsilon);
            }
        };
        if grad.len() > CHUNK {
            weights
                .par_chunks_mut(CHUNK)
                .zip(first.par_chunks_mut(CHUNK))
                .zip(second.par_chunks_mut(CHUNK))
                .zip(grad.par_chunks(CHUNK))
                .for_each(|(((w, m), v), g)| update(w, m, v, g));
        } else {
            update(weights, first, second, grad);
        }
    }
    let back = |t: FlexTensor| from_flex::<B, D>(t).reshape(shape.clone());
    (back(weights), back(first), back(second))
}

/// A copy with its own contiguous buffer, unless `tensor` already is one.
fn contiguous(tensor: FlexTensor) -> FlexTensor {
    let copy = tensor.to_contiguous();
    drop(tensor); // so that `copy` is the buffer's only owner again where no copy was made
    copy
}

fn to_flex<B: Backend, const D: usize>(tensor: Tensor<B, D>) -> FlexTensor {
    let primitive: Box<dyn Any> = Box::new(tensor.into_primitive().tensor());
    *primitive
        .downcast::<FlexTensor>()
        .expect("checked by on_flex: the backend is Flex")
}

fn from_flex<B: Backend, const D: usize>(tensor: FlexTensor) -> Tensor<B, D> {
    let primitive: Box<dyn Any> = Box::new(tensor);
    let primitive = *primitive
        .downcast::<B::FloatTensorPrimitive>()
        .expect("checked by on_flex: the backend is Flex");
    Tensor::from_primitive(TensorPrimitive::Float(primitive))
}

/// The L2 norm of `module`'s gradients in `grads`, as a one-element tensor on the device; None
/// when it has none. Every tensor's sum of squares is taken first and the sums added after, so
/// that on the GPU the additions fuse into one kernel instead of one after every reduction.
pub(super) fn gradient_norm<B: AutodiffBackend, M: AutodiffModule<B>>(
    module: &M,
    grads: &GradientsParams,
) -> Option<Tensor<B::InnerBackend, 1>> {
    struct SquaredSums<'a, B: AutodiffBackend> {
        grads: &'a GradientsParams,
        sums: Vec<Tensor<B::InnerBackend, 1>>,
    }
    impl<B: AutodiffBackend> ModuleVisitor<B> for SquaredSums<'_, B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            if let Some(grad) = self.grads.get::<B::InnerBackend, D>(param.id) {
                // As a product of the flattened gradient with itself: one kernel on the GPU,
                // where squaring and summing take two.
                let count = grad.shape().num_elements();
                let row = grad.reshape([1, count]);
                self.sums
                    .push(row.clone().matmul(row.transpose()).reshape([1]));
            }
        }
    }
    let mut visitor = SquaredSums::<B> {
        grads,
        sums: Vec::new(),
    };
    module.visit(&mut visitor);
    visitor
        .sums
        .into_iter()
        .reduce(|total, sum| total + sum)
        .map(Tensor::sqrt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::optim::AdamConfig;

    fn tensor(values: &[f32]) -> Tensor<Flex, 2> {
        Tensor::from_data(
            TensorData::new(values.to_vec(), [values.len() / 4, 4]),
            &Default::default(),
        )
    }

    fn values(t: Tensor<Flex, 2>) -> Vec<f32> {
        t.into_data().to_vec().unwrap()
    }

    /// Weights and a gradient per step, larger than one chunk so the parallel path runs.
    fn problem(steps: usize) -> (Vec<f32>, Vec<Vec<f32>>) {
        let n = 3 * CHUNK + 12;
        let weights = (0..n)
            .map(|i| ((i * 7919) % 997) as f32 / 500.0 - 1.0)
            .collect();
        // Each weight's gradient keeps its sign from step to step and changes in size.
        let grads = (0..steps)
            .map(|s| {
                (0..n)
                    .map(|i| ((i * 104_729) % 1009) as f32 / 300.0 - 1.6)
                    .map(|g| g * (1.0 + 0.3 * s as f32))
                    .collect()
            })
            .collect();
        (weights, grads)
    }

    #[test]
    fn in_place_update_equals_the_tensor_ops_bit_for_bit_and_burns_adam_closely() {
        let (start, grads) = problem(3);
        let fused = FusedAdamConfig::new().with_beta_1(0.5).build();
        let reference = AdamConfig::new()
            .with_beta_1(0.5)
            .with_epsilon(1e-8)
            .build();
        let lr = 2e-4;

        let mut ours = (tensor(&start), None);
        let mut burns = (tensor(&start), None);
        let (mut by_ops, mut moments) =
            (tensor(&start), None::<(Tensor<Flex, 2>, Tensor<Flex, 2>)>);
        for (time, grad) in grads.iter().enumerate() {
            let (w, s) = fused.step(lr, ours.0, tensor(grad), ours.1);
            ours = (w, s);
            let (w, s) =
                SimpleOptimizer::<Flex>::step(&reference, lr, burns.0, tensor(grad), burns.1);
            burns = (w, s);
            let (m, v) =
                moments.unwrap_or_else(|| (tensor(grad).zeros_like(), tensor(grad).zeros_like()));
            let (w, m, v) = update_with_tensor_ops(
                by_ops,
                tensor(grad),
                m,
                v,
                fused.coefficients(lr, time + 1),
            );
            by_ops = w;
            moments = Some((m, v));
        }
        let ours = values(ours.0);
        assert_eq!(ours, values(by_ops), "one pass and the tensor ops disagree");
        for (a, b) in ours.iter().zip(values(burns.0)) {
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                "{a} vs burn's {b}"
            );
        }
        // Adam moves each weight by about the learning rate a step (all but the few whose
        // gradient is 0).
        let moved = ours
            .iter()
            .zip(&start)
            .filter(|(a, w)| (*a - *w).abs() > 5e-4)
            .count();
        assert!(
            moved > ours.len() * 99 / 100,
            "{moved} of {} weights moved",
            ours.len()
        );
    }

    #[test]
    fn shared_weights_are_copied_not_changed() {
        let (start, grads) = problem(1);
        let optim = FusedAdamConfig::new().build();
        let weights = tensor(&start);
        let kept = weights.clone(); // e.g. the divergence guard's snapshot
        let (updated, _) = optim.step(1e-3, weights, tensor(&grads[0]), None);
        assert_eq!(values(kept), start);
        assert_ne!(values(updated), start);
    }
}
