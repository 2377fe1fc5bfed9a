//! The two networks, built from configs the way burn's examples do, plus the presets.
//!
//! Weights are initialised from ganimate's own seeded RNG rather than the backend's, so a seed
//! gives the same initial networks on every backend and concurrent runs cannot disturb each
//! other's initialisation.

pub mod conv;
pub mod layers;

use burn::module::{ModuleMapper, ModuleVisitor, Param, RunningState};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, LinearRecord};
use burn::prelude::*;
use burn::tensor::activation::tanh;

use crate::data::IMAGE_PIXELS;
use crate::gan::latent::{SeededRng, uniform};
use crate::gan::model::conv::{Downsampler, Upsampler, UpsamplerTrace, feature_side};
use crate::gan::model::layers::{activation, activation_slope, detached_norm, normalize_inference};

/// Architectures selectable everywhere (`--preset`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Stabilised MLP GAN: BatchNorm + LeakyReLU in G, one-sided label smoothing, shifted
    /// digits for D, averaged weights for drawing.
    Stable,
    /// The course's network exactly: Linear+ReLU generator, Linear+LeakyReLU discriminator.
    Course,
    /// Convolutional (DCGAN): G draws 7×7 feature maps and upsamples them with transposed
    /// convolutions, D reads digits with strided convolutions; the stable preset's smoothing,
    /// shifts and averaging. Made for a GPU: on the CPU backend a step takes ~18× stable's.
    Dcgan,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Stable => "stable",
            Preset::Course => "course",
            Preset::Dcgan => "dcgan",
        }
    }

    /// How much slower than `stable`'s a step of this preset is on the CPU backend, for the
    /// warnings there (`ganimate bench --backend cpu` on 2 cores: 2.1 against 38 steps/s);
    /// None for a preset that is not slow there.
    pub fn cpu_slowdown(self) -> Option<&'static str> {
        (self == Preset::Dcgan).then_some("a step takes ~18× stable's on the CPU")
    }

    pub fn generator(self) -> GeneratorConfig {
        match self {
            Preset::Stable => GeneratorConfig::new(vec![256, 512, 1024])
                .with_batch_norm(true)
                .with_leaky_slope(0.2),
            Preset::Course => GeneratorConfig::new(vec![256, 512, 1024]),
            Preset::Dcgan => GeneratorConfig::new(Vec::new())
                .with_leaky_slope(0.2)
                .with_upsample(vec![128, 64, 1]),
        }
    }

    pub fn discriminator(self) -> DiscriminatorConfig {
        match self {
            Preset::Stable | Preset::Course => DiscriminatorConfig::new(vec![512, 256]),
            Preset::Dcgan => DiscriminatorConfig::new(Vec::new()).with_downsample(vec![64, 128]),
        }
    }

    /// Decay of the moving average of G's weights that sampling uses (Yazıcı et al., "The
    /// Unusual Effectiveness of Averaging in GAN Training", 2019). It smooths out the
    /// step-to-step wobble of an MLP generator, which otherwise shows as speckled digits. The
    /// course preset shows the raw generator, so its collapse and oscillation stay visible.
    pub fn average_decay(self) -> Option<f64> {
        match self {
            Preset::Stable | Preset::Dcgan => Some(0.999),
            Preset::Course => None,
        }
    }

    /// Largest shift, in pixels, of the random translations D sees every digit through
    /// (DiffAugment, see [`crate::gan::training::augment`]). On the 10,000-digit test split it halves the
    /// Fréchet distance at 16,000 steps. The course preset shows D without it.
    pub fn augment_shift(self) -> Option<usize> {
        match self {
            Preset::Stable | Preset::Dcgan => Some(2),
            Preset::Course => None,
        }
    }

    /// Target for real images in D's loss: below 1 is one-sided label smoothing.
    pub fn real_label(self) -> f64 {
        match self {
            Preset::Stable | Preset::Dcgan => 0.9,
            Preset::Course => 1.0,
        }
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// G: z ~ N(0, 1) → hidden layers → 784 pixels in [-1, 1], or, with `upsample`, → a dense
/// layer → transposed convolutions → 28×28 pixels.
#[derive(Config, Debug, PartialEq)]
pub struct GeneratorConfig {
    pub hidden: Vec<usize>,
    #[config(default = 100)]
    pub latent_dim: usize,
    #[config(default = false)]
    pub batch_norm: bool,
    /// Negative slope of the hidden activation; 0 is a plain ReLU.
    #[config(default = 0.0)]
    pub leaky_slope: f64,
    /// Channels from the 7×7 feature map to the image's one, e.g. `[128, 64, 1]`; empty for
    /// an MLP.
    #[config(default = "Vec::new()")]
    pub upsample: Vec<usize>,
}

#[derive(Module, Debug)]
pub struct Generator<B: Backend> {
    hidden: Vec<Linear<B>>,
    norms: Vec<BatchNorm<B>>,
    /// The last dense layer: the image of an MLP, the feature maps of a convolutional G.
    output: Linear<B>,
    leaky_slope: f64,
    /// The convolutional preset's layers after `output`. Checkpoints from before it existed
    /// have none, which reads as `None`.
    upsampler: Option<Upsampler<B>>,
}

impl GeneratorConfig {
    pub fn init<B: Backend>(&self, rng: &mut SeededRng, device: &B::Device) -> Generator<B> {
        let output_width = match self.upsample.first() {
            Some(channels) => channels * feature_side(self.upsample.len() - 1).pow(2),
            None => IMAGE_PIXELS,
        };
        let widths = layer_widths(self.latent_dim, &self.hidden, output_width);
        let mut layers: Vec<Linear<B>> = widths
            .windows(2)
            .map(|w| init_linear(w[0], w[1], rng, device))
            .collect();
        let output = layers.pop().expect("at least one layer");
        let norms = if self.batch_norm {
            self.hidden
                .iter()
                .map(|&width| BatchNormConfig::new(width).init(device))
                .collect()
        } else {
            Vec::new()
        };
        let upsampler = (!self.upsample.is_empty())
            .then(|| Upsampler::init(&self.upsample, self.leaky_slope, rng, device));
        Generator {
            hidden: layers,
            norms,
            output,
            leaky_slope: self.leaky_slope,
            upsampler,
        }
    }
}

impl<B: Backend> Generator<B> {
    /// Maps noise `[batch, latent_dim]` to images `[batch, 784]` in [-1, 1].
    ///
    /// BatchNorm uses batch statistics on an autodiff backend (training) and running statistics
    /// otherwise, so sampling single images from `valid()` is well defined.
    pub fn forward(&self, z: Tensor<B, 2>) -> Tensor<B, 2> {
        let mut x = z;
        for (index, layer) in self.hidden.iter().enumerate() {
            x = layer.forward(x);
            if let Some(norm) = self.norms.get(index) {
                x = if B::ad_enabled(&x.device()) {
                    normalize_batch(norm, x)
                } else {
                    norm.forward(x)
                };
            }
            x = activation(x, self.leaky_slope);
        }
        let x = self.output.forward(x);
        match &self.upsampler {
            Some(upsampler) => upsampler.forward(x),
            None => tanh_keeping_output(x),
        }
    }

    /// G's images for `z` in inference mode (BatchNorm's running statistics, on any backend),
    /// with the slopes that [`Generator::pull_back`] needs to carry a gradient on the images
    /// back to `z` in closed form. Projection searches z this way on the inner backend: no
    /// autodiff graph, and no batch statistics that would tie the restarts to each other.
    pub fn trace(&self, z: Tensor<B, 2>) -> GeneratorTrace<B> {
        let leak = self.leaky_slope;
        let mut slopes = Vec::with_capacity(self.hidden.len());
        let mut x = z;
        for index in 0..self.hidden.len() {
            let (before, gain) = self.pre_activation(index, x);
            let slope = activation_slope(before.clone(), leak);
            slopes.push(match gain {
                Some(gain) => slope * gain,
                None => slope,
            });
            x = activation(before, leak);
        }
        let x = self.output.forward(x);
        let (images, upsampled) = match &self.upsampler {
            Some(upsampler) => {
                let trace = upsampler.trace(x);
                (trace.images.clone(), Some(trace))
            }
            None => (tanh(x), None),
        };
        GeneratorTrace {
            images,
            slopes,
            upsampled,
        }
    }

    /// The first hidden layer's output for `z`, in inference mode: where GANSpace looks for
    /// the directions of greatest variation (see [`crate::gan::latent::directions`]).
    pub fn first_hidden(&self, z: Tensor<B, 2>) -> Tensor<B, 2> {
        match (self.hidden.is_empty(), &self.upsampler) {
            (false, _) => activation(self.pre_activation(0, z).0, self.leaky_slope),
            (true, Some(upsampler)) => upsampler.dense_features(self.output.forward(z)),
            (true, None) => z,
        }
    }

    /// Hidden layer `index` before its activation, in inference mode, and BatchNorm's gain
    /// there (`[1, width]`), if the layer has one.
    fn pre_activation(
        &self,
        index: usize,
        x: Tensor<B, 2>,
    ) -> (Tensor<B, 2>, Option<Tensor<B, 2>>) {
        let x = self.hidden[index].forward(x);
        match self.norms.get(index) {
            Some(norm) => {
                let (normalized, gain) = normalize_inference(norm, x);
                (normalized, Some(gain))
            }
            None => (x, None),
        }
    }

    /// The gradient with respect to z of a loss whose gradient with respect to `trace`'s images
    /// is `upstream`: back through tanh (1 − y²) and any convolutions, then each dense layer's
    /// transposed weights and slopes.
    pub fn pull_back(&self, trace: GeneratorTrace<B>, upstream: Tensor<B, 2>) -> Tensor<B, 2> {
        let at_output = match (&self.upsampler, trace.upsampled) {
            (Some(upsampler), Some(upsampled)) => upsampler.pull_back(upsampled, upstream),
            _ => upstream * trace.images.square().neg().add_scalar(1.0),
        };
        let mut gradient = at_output.matmul(self.output.weight.val().transpose());
        for (layer, slope) in self.hidden.iter().zip(trace.slopes).rev() {
            gradient = (gradient * slope).matmul(layer.weight.val().transpose());
        }
        gradient
    }

    /// A copy that shares nothing mutable with `self`. burn's `clone` shares BatchNorm's
    /// running statistics (they live behind one lock), so training the original would change
    /// a plain clone's sampling too: the divergence guard's snapshots must not.
    pub fn detached_copy(&self) -> Self {
        let mut copy = self.clone();
        copy.norms = self.norms.iter().map(detached_norm).collect();
        copy.upsampler = self.upsampler.as_ref().map(Upsampler::detached_copy);
        copy
    }

    /// Moves these weights towards `current`'s: `self ← decay·self + (1 − decay)·current`,
    /// parameter by parameter, BatchNorm's running statistics included.
    pub fn blend_towards(self, current: &Self, decay: f64) -> Self {
        struct Collect<B: Backend>(Vec<Tensor<B, 1>>);
        impl<B: Backend> ModuleVisitor<B> for Collect<B> {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
                self.0.push(param.val().flatten(0, D - 1));
            }
        }
        struct Blend<B: Backend> {
            current: std::vec::IntoIter<Tensor<B, 1>>,
            decay: f64,
        }
        impl<B: Backend> ModuleMapper<B> for Blend<B> {
            fn map_float<const D: usize>(
                &mut self,
                param: Param<Tensor<B, D>>,
            ) -> Param<Tensor<B, D>> {
                let (id, average, mapper) = param.consume();
                let current = self
                    .current
                    .next()
                    .expect("both generators have the same parameters")
                    .reshape(average.shape());
                let blended = average.mul_scalar(self.decay) + current.mul_scalar(1.0 - self.decay);
                Param::from_mapped_value(id, blended, mapper)
            }
        }
        let mut collect = Collect(Vec::new());
        current.visit(&mut collect);
        self.map(&mut Blend {
            current: collect.0.into_iter(),
            decay,
        })
    }

    /// Checks that `record` has this network's architecture. burn itself would panic on a
    /// different layer count and silently accept different widths.
    pub fn check_record(&self, record: &GeneratorRecord<B>) -> Result<(), String> {
        let mut expected = linear_shapes(&self.hidden);
        expected.push(self.output.weight.dims());
        let mut found = record_shapes(&record.hidden);
        found.push(record.output.weight.dims());
        compare("generator", &expected, &found)?;
        if record.norms.len() != self.norms.len() {
            return Err(format!(
                "generator has {} BatchNorm layers, this preset {}",
                record.norms.len(),
                self.norms.len()
            ));
        }
        compare_convolutions(
            "generator",
            self.upsampler.as_ref().map(Upsampler::shapes),
            record.upsampler.as_ref().map(Upsampler::record_shapes),
        )
    }

    pub fn latent_dim(&self) -> usize {
        self.first_layer().weight.dims()[0]
    }

    /// The first layer's weights, `[latent_dim, width]` row-major: where the latent directions
    /// that matter most are read (see [`crate::gan::latent::directions`]). This reads back from the device.
    pub fn first_layer_weights(&self) -> Vec<f32> {
        self.first_layer()
            .weight
            .val()
            .into_data()
            .convert::<f32>()
            .to_vec::<f32>()
            .unwrap_or_default()
    }

    fn first_layer(&self) -> &Linear<B> {
        self.hidden.first().unwrap_or(&self.output)
    }
}

/// A pass of G kept for [`Generator::pull_back`].
pub struct GeneratorTrace<B: Backend> {
    /// `[batch, 784]` in [-1, 1].
    pub images: Tensor<B, 2>,
    /// Per hidden layer, `[batch, width]`: the activation's slope times BatchNorm's gain.
    slopes: Vec<Tensor<B, 2>>,
    /// The convolutional layers' pass, where G has them.
    upsampled: Option<UpsamplerTrace<B>>,
}

/// D: 784 pixels → (strided convolutions →) hidden layers (LeakyReLU) → one logit;
/// D(x) = sigmoid(logit).
#[derive(Config, Debug, PartialEq)]
pub struct DiscriminatorConfig {
    pub hidden: Vec<usize>,
    #[config(default = 0.2)]
    pub leaky_slope: f64,
    /// Channels of the convolutions before the dense layers, e.g. `[64, 128]`; empty for an
    /// MLP.
    #[config(default = "Vec::new()")]
    pub downsample: Vec<usize>,
}

#[derive(Module, Debug)]
pub struct Discriminator<B: Backend> {
    hidden: Vec<Linear<B>>,
    output: Linear<B>,
    leaky_slope: f64,
    /// The convolutional preset's layers before `hidden`; `None` in older checkpoints.
    downsampler: Option<Downsampler<B>>,
}

impl DiscriminatorConfig {
    pub fn init<B: Backend>(&self, rng: &mut SeededRng, device: &B::Device) -> Discriminator<B> {
        let downsampler = (!self.downsample.is_empty())
            .then(|| Downsampler::init(&self.downsample, self.leaky_slope, rng, device));
        let input = downsampler
            .as_ref()
            .map_or(IMAGE_PIXELS, Downsampler::output_width);
        let widths = layer_widths(input, &self.hidden, 1);
        let mut layers: Vec<Linear<B>> = widths
            .windows(2)
            .map(|w| init_linear(w[0], w[1], rng, device))
            .collect();
        let output = layers.pop().expect("at least one layer");
        Discriminator {
            hidden: layers,
            output,
            leaky_slope: self.leaky_slope,
            downsampler,
        }
    }
}

impl<B: Backend> Discriminator<B> {
    /// Checks that `record` has this network's architecture (see [`Generator::check_record`]).
    pub fn check_record(&self, record: &DiscriminatorRecord<B>) -> Result<(), String> {
        let mut expected = linear_shapes(&self.hidden);
        expected.push(self.output.weight.dims());
        let mut found = record_shapes(&record.hidden);
        found.push(record.output.weight.dims());
        compare("discriminator", &expected, &found)?;
        compare_convolutions(
            "discriminator",
            self.downsampler.as_ref().map(Downsampler::shapes),
            record.downsampler.as_ref().map(Downsampler::record_shapes),
        )
    }

    /// Maps images `[batch, 784]` to logits `[batch, 1]`.
    pub fn forward(&self, images: Tensor<B, 2>) -> Tensor<B, 2> {
        let features = match &self.downsampler {
            Some(downsampler) => downsampler.forward(images),
            None => images,
        };
        let x = self.hidden.iter().fold(features, |x, layer| {
            activation(layer.forward(x), self.leaky_slope)
        });
        self.output.forward(x)
    }

    /// The logits and, in closed form, their gradient with respect to the images, `[batch,
    /// 784]`: ∇ₓD = W₁·diag(σ′₁)·W₂·diag(σ′₂)·w₃, σ′ being LeakyReLU's slope (1 or the leak,
    /// constant almost everywhere), then back through any convolutions. It is built from
    /// ordinary tensor operations, so one `backward()` of a penalty on it reaches D's weights:
    /// R1 without double backward, which burn's autodiff does not have.
    pub fn forward_with_input_gradient(
        &self,
        images: Tensor<B, 2>,
    ) -> (Tensor<B, 2>, Tensor<B, 2>) {
        let leak = self.leaky_slope;
        let (features, convolved) = match &self.downsampler {
            Some(downsampler) => {
                let (features, slopes) = downsampler.forward_with_slopes(images);
                (features, Some((downsampler, slopes)))
            }
            None => (images, None),
        };
        let mut slopes = Vec::with_capacity(self.hidden.len());
        let x = self.hidden.iter().fold(features, |x, layer| {
            let before = layer.forward(x);
            slopes.push(activation_slope(before.clone(), leak));
            activation(before, leak)
        });
        let logits = self.output.forward(x);
        // Back from the logit: w₃ᵀ as a row, then each layer's slope and transposed weights.
        let mut gradient = self.output.weight.val().transpose();
        for (layer, slope) in self.hidden.iter().zip(slopes).rev() {
            gradient = (gradient * slope).matmul(layer.weight.val().transpose());
        }
        let gradient = match convolved {
            Some((downsampler, slopes)) => downsampler.pull_back(slopes, gradient),
            None => gradient,
        };
        (logits, gradient)
    }
}

/// BatchNorm's training pass, as burn's `BatchNorm::forward` computes it, for `[batch,
/// features]` input: batch statistics normalise, and move the running ones by `momentum`.
/// burn's own pass handles any rank by transposing and reshaping first, which costs a copy of
/// the activations in each direction; reducing along the batch dimension needs neither.
fn normalize_batch<B: Backend>(norm: &BatchNorm<B>, x: Tensor<B, 2>) -> Tensor<B, 2> {
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

fn linear_shapes<B: Backend>(layers: &[Linear<B>]) -> Vec<[usize; 2]> {
    layers.iter().map(|layer| layer.weight.dims()).collect()
}

fn record_shapes<B: Backend>(layers: &[LinearRecord<B>]) -> Vec<[usize; 2]> {
    layers.iter().map(|layer| layer.weight.dims()).collect()
}

fn compare(network: &str, expected: &[[usize; 2]], found: &[[usize; 2]]) -> Result<(), String> {
    if expected == found {
        return Ok(());
    }
    let describe = |shapes: &[[usize; 2]]| {
        let mut widths: Vec<String> = shapes.iter().map(|s| s[0].to_string()).collect();
        widths.extend(shapes.last().map(|s| s[1].to_string()));
        widths.join(" → ")
    };
    Err(format!(
        "{network} layers are {}, this preset's are {}",
        describe(found),
        describe(expected)
    ))
}

/// tanh whose backward pass uses its output, 1 − y², instead of computing tanh again as burn's
/// does: on the CPU backend tanh is a libm call per pixel, the costliest element-wise operation
/// of a step. The value is tanh's exactly: the surrogate term `s − s` adds an exact zero.
fn tanh_keeping_output<B: Backend>(x: Tensor<B, 2>) -> Tensor<B, 2> {
    let y = tanh(x.clone().detach());
    let slope = y.clone().square().neg().add_scalar(1.0);
    let surrogate = x * slope;
    y + (surrogate.clone() - surrogate.detach())
}

/// Checks that a record has the convolutions (or none) that this preset has.
fn compare_convolutions(
    network: &str,
    expected: Option<Vec<[usize; 4]>>,
    found: Option<Vec<[usize; 4]>>,
) -> Result<(), String> {
    match (expected, found) {
        (None, None) => Ok(()),
        (Some(expected), Some(found)) if expected == found => Ok(()),
        (Some(_), None) => Err(format!("{network} has no convolutions, this preset has")),
        (None, Some(_)) => Err(format!("{network} has convolutions, this preset has none")),
        (Some(expected), Some(found)) => Err(format!(
            "{network} convolution weights are {found:?}, this preset's are {expected:?}"
        )),
    }
}

fn layer_widths(input: usize, hidden: &[usize], output: usize) -> Vec<usize> {
    std::iter::once(input)
        .chain(hidden.iter().copied())
        .chain(std::iter::once(output))
        .collect()
}

/// A `Linear` layer initialised like PyTorch's: weights and bias ~ U(-k, k), k = 1/√fan_in.
pub(crate) fn init_linear<B: Backend>(
    d_in: usize,
    d_out: usize,
    rng: &mut SeededRng,
    device: &B::Device,
) -> Linear<B> {
    let bound = 1.0 / (d_in as f32).sqrt();
    let weight = Tensor::from_data(
        TensorData::new(uniform(rng, d_in * d_out, bound), [d_in, d_out]),
        device,
    );
    let bias = Tensor::from_data(TensorData::new(uniform(rng, d_out, bound), [d_out]), device);
    let mut linear = LinearConfig::new(d_in, d_out).init(device);
    linear.weight = Param::from_tensor(weight);
    linear.bias = Some(Param::from_tensor(bias));
    linear
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Cpu;
    use crate::gan::latent::{Stream, rng_for};

    fn outputs(generator: &Generator<Cpu>) -> Vec<f32> {
        let z = Tensor::<Cpu, 2>::from_data(
            TensorData::new(
                crate::gan::latent::normal(&mut rng_for(1, Stream::Sample, 0), 400),
                [4, 100],
            ),
            &Default::default(),
        );
        generator.forward(z).into_data().to_vec().unwrap()
    }

    fn parameters(generator: &Generator<Cpu>) -> Vec<f32> {
        struct Flatten(Vec<f32>);
        impl ModuleVisitor<Cpu> for Flatten {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<Cpu, D>>) {
                self.0
                    .extend(param.val().into_data().to_vec::<f32>().unwrap());
            }
        }
        let mut flatten = Flatten(Vec::new());
        generator.visit(&mut flatten);
        flatten.0
    }

    #[test]
    fn blending_moves_every_weight_and_statistic_by_one_minus_decay() {
        let device = Default::default();
        let config = Preset::Stable.generator();
        let a = config.init::<Cpu>(&mut rng_for(1, Stream::Init, 0), &device);
        let b = config.init::<Cpu>(&mut rng_for(2, Stream::Init, 0), &device);
        let (pa, pb) = (parameters(&a), parameters(&b));

        let kept = a.detached_copy().blend_towards(&b, 1.0);
        assert_eq!(parameters(&kept), pa);
        assert_eq!(outputs(&kept), outputs(&a));
        let replaced = a.detached_copy().blend_towards(&b, 0.0);
        assert_eq!(parameters(&replaced), pb);

        let quarter = parameters(&a.detached_copy().blend_towards(&b, 0.75));
        for ((x, y), blended) in pa.iter().zip(&pb).zip(&quarter) {
            assert!((blended - (0.75 * x + 0.25 * y)).abs() < 1e-6);
        }
        // The blend is a new generator: the originals are untouched.
        assert_eq!(parameters(&a), pa);
        assert_eq!(parameters(&b), pb);
    }

    #[test]
    fn the_generator_pull_back_matches_finite_differences_in_inference_mode() {
        let mlp = GeneratorConfig::new(vec![32, 48])
            .with_batch_norm(true)
            .with_leaky_slope(0.2);
        let convolutional = GeneratorConfig::new(Vec::new())
            .with_leaky_slope(0.2)
            .with_upsample(vec![8, 4, 1]);
        for config in [mlp, convolutional] {
            check_pull_back(&config);
        }
    }

    fn check_pull_back(config: &GeneratorConfig) {
        // Training steps on the autodiff backend move BatchNorm's running statistics away from
        // their initial 0 and 1, so the check covers them.
        type A = crate::backend::CpuBackend;
        let trained = config.init::<A>(&mut rng_for(8, Stream::Init, 0), &Default::default());
        for round in 0..3 {
            let z = crate::gan::latent::normal(&mut rng_for(9, Stream::Sample, round), 800);
            let z = Tensor::<A, 2>::from_data(TensorData::new(z, [8, 100]), &Default::default())
                .mul_scalar(1.5)
                .add_scalar(0.3);
            let _ = trained.forward(z);
        }
        let g = burn::module::AutodiffModule::valid(&trained);
        let z = crate::gan::latent::normal(&mut rng_for(10, Stream::Sample, 0), 200);
        let latent = |values: &[f32]| {
            Tensor::<Cpu, 2>::from_data(
                TensorData::new(values.to_vec(), [2, 100]),
                &Default::default(),
            )
        };
        // The trace draws what sampling draws.
        let traced = values(g.trace(latent(&z)).images);
        for (a, b) in traced.iter().zip(values(g.forward(latent(&z)))) {
            assert!((a - b).abs() < 1e-5);
        }
        // A loss that weighs each pixel differently: L = Σ wᵢ·yᵢ.
        let weights =
            crate::gan::latent::normal(&mut rng_for(11, Stream::Sample, 0), 2 * IMAGE_PIXELS);
        let loss = |values: &[f32]| -> f64 {
            let images = g
                .forward(latent(values))
                .into_data()
                .to_vec::<f32>()
                .unwrap();
            images
                .iter()
                .zip(&weights)
                .map(|(y, w)| f64::from(y * w))
                .sum()
        };
        let gradient = values(g.pull_back(g.trace(latent(&z)), images(&weights)));
        let eps = 1e-2;
        for at in [0, 13, 57, 99, 100, 142, 199] {
            let shifted = |by: f32| {
                let mut moved = z.clone();
                moved[at] += by;
                loss(&moved)
            };
            let numeric = ((shifted(eps) - shifted(-eps)) / (2.0 * f64::from(eps))) as f32;
            let exact = gradient[at];
            assert!(
                (numeric - exact).abs() < 2e-2 + 2e-2 * exact.abs(),
                "{config:?} z[{at}]: finite differences {numeric}, pull-back {exact}"
            );
        }
    }

    /// A small MLP D and a small convolutional one.
    fn small_discriminators<B: Backend>() -> [Discriminator<B>; 2] {
        [
            DiscriminatorConfig::new(vec![16, 8]),
            DiscriminatorConfig::new(Vec::new()).with_downsample(vec![4, 8]),
        ]
        .map(|config| config.init(&mut rng_for(3, Stream::Init, 0), &Default::default()))
    }

    fn images<B: Backend>(values: &[f32]) -> Tensor<B, 2> {
        let rows = values.len() / IMAGE_PIXELS;
        Tensor::from_data(
            TensorData::new(values.to_vec(), [rows, IMAGE_PIXELS]),
            &Default::default(),
        )
    }

    fn values<B: Backend, const D: usize>(tensor: Tensor<B, D>) -> Vec<f32> {
        tensor.into_data().convert::<f32>().to_vec().unwrap()
    }

    #[test]
    fn the_closed_form_input_gradient_matches_finite_differences() {
        let x = crate::gan::latent::normal(&mut rng_for(4, Stream::Sample, 0), 2 * IMAGE_PIXELS);
        for d in small_discriminators::<Cpu>() {
            let (logits, gradient) = d.forward_with_input_gradient(images(&x));
            assert_eq!(values(logits.clone()), values(d.forward(images(&x))));
            let gradient = values(gradient);
            assert_eq!(gradient.len(), x.len());
            let eps = 1e-3;
            for row in 0..2 {
                for pixel in [0, 97, 350, 511, 783] {
                    let at = row * IMAGE_PIXELS + pixel;
                    let shifted = |by: f32| {
                        let mut moved = x.clone();
                        moved[at] += by;
                        values(d.forward(images(&moved)))[row]
                    };
                    let numeric = (shifted(eps) - shifted(-eps)) / (2.0 * eps);
                    let exact = gradient[at];
                    assert!(
                        (numeric - exact).abs() < 1e-3 + 1e-2 * exact.abs(),
                        "row {row} pixel {pixel}: finite differences {numeric}, closed form {exact}"
                    );
                }
            }
        }
    }

    type A = crate::backend::CpuBackend;

    /// Every float parameter's gradient in `grads`, flattened, in the order burn visits them.
    fn parameter_gradients(
        d: &Discriminator<A>,
        grads: &<A as burn::tensor::backend::AutodiffBackend>::Gradients,
    ) -> Vec<Vec<f32>> {
        struct Gradients<'a>(
            &'a <A as burn::tensor::backend::AutodiffBackend>::Gradients,
            Vec<Vec<f32>>,
        );
        impl ModuleVisitor<A> for Gradients<'_> {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<A, D>>) {
                let grad = param.grad(self.0).map(values).unwrap_or_default();
                self.1.push(grad);
            }
        }
        let mut visitor = Gradients(grads, Vec::new());
        d.visit(&mut visitor);
        visitor.1
    }

    /// A copy of `d` with element `index` of float parameter `target` moved by `by`.
    fn nudged(d: &Discriminator<A>, target: usize, index: usize, by: f32) -> Discriminator<A> {
        struct Nudge {
            target: usize,
            index: usize,
            by: f32,
            seen: usize,
        }
        impl ModuleMapper<A> for Nudge {
            fn map_float<const D: usize>(
                &mut self,
                param: Param<Tensor<A, D>>,
            ) -> Param<Tensor<A, D>> {
                self.seen += 1;
                if self.seen - 1 != self.target {
                    return param;
                }
                let value = param.val();
                let mut moved = values(value.clone());
                moved[self.index] += self.by;
                Param::from_tensor(Tensor::from_data(
                    TensorData::new(moved, value.shape()),
                    &value.device(),
                ))
            }
        }
        d.clone().map(&mut Nudge {
            target,
            index,
            by,
            seen: 0,
        })
    }

    #[test]
    fn one_backward_of_the_r1_penalty_gives_its_weight_gradient() {
        let x = crate::gan::latent::normal(&mut rng_for(5, Stream::Sample, 0), 3 * IMAGE_PIXELS);
        let penalty =
            |d: &Discriminator<A>| d.forward_with_input_gradient(images(&x)).1.square().sum();
        // (parameter in visiting order, elements): the MLP's first and last weights; the
        // convolutional D's dense weight, then both convolutions' weights.
        let checks: [&[(usize, [usize; 3])]; 2] = [
            &[(4, [0, 3, 7]), (0, [5, 2000, 12000])],
            &[(0, [0, 100, 391]), (2, [0, 9, 63]), (4, [7, 200, 511])],
        ];
        for (d, checks) in small_discriminators::<A>().into_iter().zip(checks) {
            let grads = parameter_gradients(&d, &penalty(&d).backward());
            // The penalty is smooth only while no activation changes side; a nudge to a
            // convolution's weight moves hundreds of pre-activations, so the step shrinks
            // until the convolutions' slopes stay as they are.
            let pattern = |d: &Discriminator<A>| {
                d.downsampler.as_ref().map(|downsampler| {
                    let slopes = downsampler.forward_with_slopes(images(&x)).1;
                    slopes.into_iter().map(values).collect::<Vec<_>>()
                })
            };
            let unchanged = pattern(&d);
            for &(parameter, indices) in checks {
                for index in indices {
                    let eps = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5]
                        .into_iter()
                        .find(|&eps| {
                            [eps, -eps]
                                .iter()
                                .all(|&by| pattern(&nudged(&d, parameter, index, by)) == unchanged)
                        })
                        .expect("a step that keeps every slope");
                    let numeric = (values(penalty(&nudged(&d, parameter, index, eps)))[0]
                        - values(penalty(&nudged(&d, parameter, index, -eps)))[0])
                        / (2.0 * eps);
                    let exact = grads[parameter][index];
                    assert!(
                        (numeric - exact).abs() < 2e-3 + 2e-2 * exact.abs(),
                        "parameter {parameter} element {index}: finite differences {numeric}, \
                         backward {exact}"
                    );
                }
            }
        }
    }
}
