//! The adversarial losses, computed from D's logits so they stay finite however confident D is.

use burn::prelude::*;
use burn::tensor::activation::{log_sigmoid, sigmoid};

/// Which game G and D play (`--loss`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    /// Goodfellow's min-max as written: G minimises log(1 − D(G(z))). Its gradient vanishes
    /// when D confidently rejects the fakes, which is exactly when G needs it most.
    Minimax,
    /// G maximises log D(G(z)) instead: same fixed point, strong gradients early on.
    NonSaturating,
    /// Least squares (Mao et al. 2017): D regresses real → 1, fake → 0; G pushes fakes to 1.
    Lsgan,
}

impl LossKind {
    pub fn name(self) -> &'static str {
        match self {
            LossKind::Minimax => "minimax",
            LossKind::NonSaturating => "non-saturating",
            LossKind::Lsgan => "lsgan",
        }
    }

    /// D's loss: how well it tells real from fake. `logits` (`[2n, 1]`) are D's verdicts on n
    /// real images then n fakes, and `targets` what each should be ([`d_targets`]: the real
    /// label, then 0). For the BCE losses this is −[log D(x) + log(1 − D(G(z)))] averaged over
    /// each half, 2·ln 2 ≈ 1.386 at equilibrium.
    ///
    /// One sum over both halves rather than a loss per half: splitting the logits would cost
    /// the backward pass a zero-filled gradient and a copy per half.
    pub fn discriminator<B: Backend>(
        self,
        logits: Tensor<B, 2>,
        targets: Tensor<B, 2>,
    ) -> Tensor<B, 1> {
        let half = (logits.dims()[0] / 2).max(1) as f64;
        match self {
            // −[t·log σ(l) + (1−t)·log(1−σ(l))] = softplus(l) − t·l
            LossKind::Minimax | LossKind::NonSaturating => (softplus(logits.clone())
                - logits * targets)
                .sum()
                .div_scalar(half),
            LossKind::Lsgan => (logits - targets).square().sum().mul_scalar(0.5 / half),
        }
    }

    /// G's loss on D's logits for its fakes.
    pub fn generator<B: Backend>(self, fake_logits: Tensor<B, 2>) -> Tensor<B, 1> {
        match self {
            // log(1 − σ(l)) = −softplus(l)
            LossKind::Minimax => softplus(fake_logits).neg().mean(),
            // −log σ(l) = softplus(−l)
            LossKind::NonSaturating => softplus(fake_logits.neg()).mean(),
            LossKind::Lsgan => fake_logits.sub_scalar(1.0).square().mean().mul_scalar(0.5),
        }
    }

    /// What D "says" about a batch, comparable across losses: a probability for the BCE losses,
    /// the raw regression output for LSGAN (whose optimum is also 0.5 at equilibrium).
    pub fn d_output<B: Backend>(self, logits: Tensor<B, 2>) -> Tensor<B, 2> {
        match self {
            LossKind::Minimax | LossKind::NonSaturating => sigmoid(logits),
            LossKind::Lsgan => logits,
        }
    }
}

impl LossKind {
    /// [`LossKind::d_output`] of one logit.
    pub fn verdict(self, logit: f32) -> f32 {
        match self {
            LossKind::Minimax | LossKind::NonSaturating => sigmoid_scalar(logit),
            LossKind::Lsgan => logit,
        }
    }

    /// How D's verdict ([`LossKind::d_output`]) moves with its logit `logit`: dD/dl. Times
    /// ∇ₓl it is D's saliency ∂D/∂x.
    pub fn output_slope(self, logit: f32) -> f32 {
        match self {
            LossKind::Minimax | LossKind::NonSaturating => {
                let p = sigmoid_scalar(logit);
                p * (1.0 - p)
            }
            LossKind::Lsgan => 1.0,
        }
    }

    /// How hard G's loss on one fake pulls its logit up: −∂L_G/∂l. Times ∇ₓl it is the change
    /// G wants in that fake's pixels. For the minimax loss it is σ(l), which vanishes when D
    /// confidently rejects the fake: the course's vanishing gradient, on one digit.
    pub fn generator_pull(self, logit: f32) -> f32 {
        match self {
            // L = −softplus(l)
            LossKind::Minimax => sigmoid_scalar(logit),
            // L = softplus(−l)
            LossKind::NonSaturating => sigmoid_scalar(-logit),
            // L = ½(l − 1)²
            LossKind::Lsgan => 1.0 - logit,
        }
    }
}

impl LossKind {
    /// D's and G's losses on a few verdicts ([`LossKind::d_output`] values on real points and
    /// on as many fakes), on the host: what the slow-motion step writes beside the samples it
    /// shows. The same formulas as [`LossKind::discriminator`] and [`LossKind::generator`],
    /// with verdicts clamped away from 0 and 1 so a certain D costs a large, finite loss.
    pub fn losses_of_verdicts(self, real: &[f32], fake: &[f32], real_label: f32) -> (f32, f32) {
        let mean =
            |values: &mut dyn Iterator<Item = f32>, n: usize| values.sum::<f32>() / n.max(1) as f32;
        match self {
            LossKind::Minimax | LossKind::NonSaturating => {
                let p = |v: f32| v.clamp(1e-7, 1.0 - 1e-7);
                let bce = |v: f32, t: f32| -(t * p(v).ln() + (1.0 - t) * (1.0 - p(v)).ln());
                let d = mean(&mut real.iter().map(|&v| bce(v, real_label)), real.len())
                    + mean(&mut fake.iter().map(|&v| bce(v, 0.0)), fake.len());
                let g = match self {
                    LossKind::Minimax => {
                        mean(&mut fake.iter().map(|&v| (1.0 - p(v)).ln()), fake.len())
                    }
                    _ => mean(&mut fake.iter().map(|&v| -p(v).ln()), fake.len()),
                };
                (d, g)
            }
            LossKind::Lsgan => {
                let d =
                    0.5 * mean(
                        &mut real.iter().map(|&v| (v - real_label).powi(2)),
                        real.len(),
                    ) + 0.5 * mean(&mut fake.iter().map(|&v| v * v), fake.len());
                let g = 0.5 * mean(&mut fake.iter().map(|&v| (v - 1.0).powi(2)), fake.len());
                (d, g)
            }
        }
    }
}

fn sigmoid_scalar(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl std::fmt::Display for LossKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// log(1 + eˣ), overflow-safe, with an exact gradient σ(x) that is also bit-reproducible.
///
/// The value comes from burn's stable `log_sigmoid`, taken off the graph; the gradient comes
/// from the linear surrogate `x·σ(x)` (σ held constant), which adds exactly zero to the value.
/// Differentiating `log` directly goes through a reciprocal that some CPU backends compute with
/// SIMD whose last bits depend on buffer alignment (burn-ndarray's did), so identical runs
/// drifted apart; the surrogate keeps the gradient exact and reproducible on any backend.
pub fn softplus<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    let value = log_sigmoid(x.clone().neg()).neg().detach();
    let slope = sigmoid(x.clone()).detach();
    let surrogate = x * slope;
    value + surrogate.clone() - surrogate.detach()
}

/// The targets of [`LossKind::discriminator`] for batches of `batch` real and `batch` fake
/// images: `real_label` then 0, as a `[2 · batch, 1]` column.
pub fn d_targets<B: Backend>(batch: usize, real_label: f64, device: &B::Device) -> Tensor<B, 2> {
    let mut values = vec![real_label as f32; batch];
    values.resize(2 * batch, 0.0);
    Tensor::from_data(TensorData::new(values, [2 * batch, 1]), device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::CpuBackend;

    type B = CpuBackend;

    fn logits(values: &[f32]) -> Tensor<B, 2> {
        Tensor::from_data(
            TensorData::new(values.to_vec(), [values.len(), 1]),
            &Default::default(),
        )
        .require_grad()
    }

    fn scalar(t: Tensor<B, 1>) -> f32 {
        t.into_data().to_vec::<f32>().unwrap()[0]
    }

    /// D's loss on real logits `real` and as many fake logits `fake`.
    fn d_loss(kind: LossKind, real: &[f32], fake: &[f32], real_label: f64) -> f32 {
        let both = [real, fake].concat();
        let targets = d_targets(real.len(), real_label, &Default::default());
        scalar(kind.discriminator(logits(&both), targets))
    }

    #[test]
    fn bce_matches_its_definition_and_stays_finite() {
        let (l, f) = (0.3f32, -0.7f32);
        let sigma = |x: f32| 1.0 / (1.0 + (-x).exp());
        let expected = -(0.9 * sigma(l).ln() + 0.1 * (1.0 - sigma(l)).ln()) - (1.0 - sigma(f)).ln();
        let loss = d_loss(LossKind::NonSaturating, &[l], &[f], 0.9);
        assert!((loss - expected).abs() < 1e-5, "{loss} vs {expected}");
        // Extreme logits that overflow a naive log(sigmoid(x)): two real digits judged fake
        // with certainty cost 200 each, two fakes judged fake nothing; the mean is per half.
        let loss = d_loss(
            LossKind::NonSaturating,
            &[-200.0, -200.0],
            &[-200.0, -200.0],
            1.0,
        );
        assert!((loss - 200.0).abs() < 1e-3, "{loss}");
    }

    #[test]
    fn the_host_losses_of_verdicts_are_the_tensor_losses() {
        let (real, fake) = ([0.8f32, -1.3, 2.5], [-0.4f32, 1.1, -3.0]);
        for kind in [LossKind::Minimax, LossKind::NonSaturating, LossKind::Lsgan] {
            let verdicts = |l: &[f32]| l.iter().map(|&l| kind.verdict(l)).collect::<Vec<_>>();
            let (d, g) = kind.losses_of_verdicts(&verdicts(&real), &verdicts(&fake), 0.9);
            let expected_d = d_loss(kind, &real, &fake, 0.9);
            let expected_g = scalar(kind.generator(logits(&fake)));
            assert!(
                (d - expected_d).abs() < 1e-5,
                "{kind}: D {d} vs {expected_d}"
            );
            assert!(
                (g - expected_g).abs() < 1e-5,
                "{kind}: G {g} vs {expected_g}"
            );
        }
    }

    #[test]
    fn equilibrium_d_loss_is_log_four() {
        let d = d_loss(LossKind::NonSaturating, &[0.0, 0.0], &[0.0, 0.0], 1.0);
        assert!((d - 4f32.ln()).abs() < 1e-6);
    }

    /// The course's "vanishing gradients": when D rejects fakes (D(G(z)) ≈ 0), the minimax
    /// loss gives G almost no gradient while the non-saturating loss gives it a strong one.
    #[test]
    fn minimax_saturates_where_non_saturating_does_not() {
        let grad_at = |kind: LossKind| {
            let l = logits(&[-8.0]);
            let grads = kind.generator(l.clone()).backward();
            l.grad(&grads).unwrap().into_data().to_vec::<f32>().unwrap()[0].abs()
        };
        let minimax = grad_at(LossKind::Minimax);
        let non_saturating = grad_at(LossKind::NonSaturating);
        assert!(minimax < 1e-3, "{minimax}");
        assert!(non_saturating > 0.99, "{non_saturating}");
    }

    #[test]
    fn softplus_has_the_exact_value_and_gradient() {
        let points = [-30.0f32, -2.0, 0.0, 3.0, 40.0];
        let x = logits(&points);
        let y = softplus(x.clone());
        let grads = y.clone().sum().backward();
        let values = y.into_data().to_vec::<f32>().unwrap();
        let slopes = x.grad(&grads).unwrap().into_data().to_vec::<f32>().unwrap();
        for ((&v, &g), l) in values.iter().zip(&slopes).zip(points) {
            let expected = (1.0 + (l as f64).exp()).ln() as f32;
            assert!(
                (v - expected).abs() <= 1e-6 * expected.max(1.0),
                "softplus({l}) = {v}"
            );
            let sigma = (1.0 / (1.0 + (-l as f64).exp())) as f32;
            assert!(
                (g - sigma).abs() < 1e-6,
                "softplus'({l}) = {g}, not {sigma}"
            );
        }
    }

    #[test]
    fn the_pull_and_the_slope_are_the_derivatives_autodiff_finds() {
        for kind in [LossKind::Minimax, LossKind::NonSaturating, LossKind::Lsgan] {
            for l in [-6.0f32, -0.5, 0.0, 1.3, 5.0] {
                let x = logits(&[l]);
                let grads = kind.generator(x.clone()).backward();
                let d_loss = x.grad(&grads).unwrap().into_data().to_vec::<f32>().unwrap()[0];
                let pull = kind.generator_pull(l);
                assert!(
                    (pull + d_loss).abs() < 1e-5,
                    "{kind} at {l}: {pull} vs {d_loss}"
                );
                let x = logits(&[l]);
                let grads = kind.d_output(x.clone()).sum().backward();
                let d_out = x.grad(&grads).unwrap().into_data().to_vec::<f32>().unwrap()[0];
                let slope = kind.output_slope(l);
                let verdict = kind
                    .d_output(logits(&[l]))
                    .into_data()
                    .to_vec::<f32>()
                    .unwrap()[0];
                assert!((kind.verdict(l) - verdict).abs() < 1e-6, "{kind} at {l}");
                assert!(
                    (slope - d_out).abs() < 1e-5,
                    "{kind} at {l}: {slope} vs {d_out}"
                );
            }
        }
    }

    #[test]
    fn lsgan_targets() {
        assert!(d_loss(LossKind::Lsgan, &[1.0], &[0.0], 1.0).abs() < 1e-7);
        // Half the mean squared error of each half: (0.5² + 0.25²)/2.
        let d = d_loss(LossKind::Lsgan, &[0.5, 0.5], &[0.25, 0.25], 1.0);
        assert!((d - 0.15625).abs() < 1e-7, "{d}");
        assert!(scalar(LossKind::Lsgan.generator(logits(&[1.0]))).abs() < 1e-7);
    }
}
