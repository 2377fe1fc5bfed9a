//! BatchNorm's passes written out for the shapes ganimate uses: training on `[batch, features]`
//! without burn's transposes, inference with the gain the closed-form gradients need, and
//! copies whose running statistics are their own.

use burn::module::RunningState;
use burn::nn::BatchNorm;
use burn::prelude::*;

/// BatchNorm's training pass, as burn's `BatchNorm::forward` computes it, for `[batch,
/// features]` input: batch statistics normalise, and move the running ones by `momentum`.
/// burn's own pass handles any rank by transposing and reshaping first, which costs a copy of
/// the activations in each direction; reducing along the batch dimension needs neither.
pub(super) fn normalize_batch<B: Backend>(norm: &BatchNorm<B>, x: Tensor<B, 2>) -> Tensor<B, 2> {
    let features = x.dims()[1];
    let mean = x.clone().mean_dim(0);
    let centered = x - mean.clone();
    let var = centered.clone().square().mean_dim(0);
    let scale = norm.gamma.val().reshape([1, features]);
    let shift = norm.beta.val().reshape([1, features]);
    let normalized = centered / var.clone().add_scalar(norm.epsilon).sqrt() * scale + shift;
    // After the activations' operations, and both reshapes before the arithmetic: a reshape
    // between element-wise operations ends fusion's run, and with the reshapes in the middle
    // the two updates took four kernels per layer instead of two (`bench --profile`).
    let batch_mean = mean.detach().reshape([features]);
    let batch_var = var.detach().reshape([features]);
    let follow = |state: &RunningState<Tensor<B, 1>>, batch: Tensor<B, 1>| {
        let moved =
            state.value_sync().mul_scalar(1.0 - norm.momentum) + batch.mul_scalar(norm.momentum);
        state.update(moved.detach());
    };
    follow(&norm.running_mean, batch_mean);
    follow(&norm.running_var, batch_var);
    normalized
}

/// BatchNorm with its running statistics, for `[batch, channels, ...]` input, and its gain
/// (γ/√(var + ε), shaped to broadcast over `x`): the factor a gradient picks up going back
/// through it.
pub(super) fn normalize_inference<B: Backend, const D: usize>(
    norm: &BatchNorm<B>,
    x: Tensor<B, D>,
) -> (Tensor<B, D>, Tensor<B, D>) {
    let mut shape = [1; D];
    shape[1] = x.dims()[1];
    let gain = (norm.gamma.val() / norm.running_var.value().add_scalar(norm.epsilon).sqrt())
        .reshape(shape);
    let mean = norm.running_mean.value().reshape(shape);
    let shift = norm.beta.val().reshape(shape);
    ((x - mean) * gain.clone() + shift, gain)
}

/// A copy of `norm` whose running statistics live under locks of their own. burn's `clone`
/// shares them, so training the original would move the copy's too.
pub(super) fn detached_norm<B: Backend>(norm: &BatchNorm<B>) -> BatchNorm<B> {
    let mut copy = norm.clone();
    copy.running_mean = detached(&norm.running_mean);
    copy.running_var = detached(&norm.running_var);
    copy
}

fn detached<B: Backend>(state: &RunningState<Tensor<B, 1>>) -> RunningState<Tensor<B, 1>> {
    let current = state.clone().into_record();
    RunningState::with_id(current.id, current.val())
}
