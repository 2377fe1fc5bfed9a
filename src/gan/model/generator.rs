//! G, the network that draws: noise in, a digit out, with the closed-form pull-back that
//! projection and the latent directions use instead of a second autodiff graph.

use burn::module::Param;
use burn::nn::{BatchNorm, BatchNormConfig, Linear};
use burn::prelude::*;
use burn::tensor::activation::tanh;

use crate::gan::latent::SeededRng;
use crate::gan::model::batch_norm::{detached_norm, normalize_batch, normalize_inference};
use crate::gan::model::classes::{compare_tables, cycling_labels, init_table, one_hot};
use crate::gan::model::conv::{Upsampler, UpsamplerTrace, feature_side};
use crate::gan::model::layers::{activation, activation_slope, init_linear, layer_widths};
use crate::gan::model::record_check::{
    compare, compare_convolutions, linear_shapes, record_shapes,
};

/// G: z ~ N(0, 1) → hidden layers → 784 pixels in [-1, 1], or, with `upsample`, → a dense
/// layer → transposed convolutions → 28×28 pixels. With `classes`, G also takes the class
/// to draw (see [`crate::gan::model::classes`]).
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
    /// Values an MLP draws: a digit's 784 pixels, or a toy point's 1 or 2 coordinates.
    #[config(default = 784)]
    pub output_width: usize,
    /// Classes G draws on request; 0 for an unconditional G.
    #[config(default = 0)]
    pub classes: usize,
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
    /// A conditional G's `[classes, width]` table, added to its first dense layer; `None`
    /// for an unconditional G (and in every checkpoint from before conditional ones).
    class_table: Option<Param<Tensor<B, 2>>>,
}

impl GeneratorConfig {
    pub fn init<B: Backend>(&self, rng: &mut SeededRng, device: &B::Device) -> Generator<B> {
        let output_width = match self.upsample.first() {
            Some(channels) => channels * feature_side(self.upsample.len() - 1).pow(2),
            None => self.output_width,
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
        // Drawn last, so that an unconditional G's weights are what they always were.
        let class_table = (self.classes > 0).then(|| {
            init_table(
                self.classes,
                widths[1],
                self.latent_dim + self.classes,
                rng,
                device,
            )
        });
        Generator {
            hidden: layers,
            norms,
            output,
            leaky_slope: self.leaky_slope,
            upsampler,
            class_table,
        }
    }
}

impl<B: Backend> Generator<B> {
    /// Maps codes to images `[batch, 784]` in [-1, 1]. A code is noise `[batch, latent_dim]`;
    /// a conditional G's may go on with the class, `[batch, latent_dim + classes]`: a one-hot
    /// row, or a blend of two for a morph. Given noise alone, it draws row i as class i mod
    /// classes (see [`cycling_labels`]).
    ///
    /// BatchNorm uses batch statistics on an autodiff backend (training) and running statistics
    /// otherwise, so sampling single images from `valid()` is well defined.
    pub fn forward(&self, code: Tensor<B, 2>) -> Tensor<B, 2> {
        let (mut x, mut classes) = self.split_code(code);
        for (index, layer) in self.hidden.iter().enumerate() {
            x = self.add_class(layer.forward(x), classes.take());
            if let Some(norm) = self.norms.get(index) {
                x = if B::ad_enabled(&x.device()) {
                    normalize_batch(norm, x)
                } else {
                    norm.forward(x)
                };
            }
            x = activation(x, self.leaky_slope);
        }
        let x = self.add_class(self.output.forward(x), classes.take());
        match &self.upsampler {
            Some(upsampler) => upsampler.forward(x),
            None => tanh_keeping_output(x),
        }
    }

    /// Classes this G draws on request; 0 for an unconditional one.
    pub fn classes(&self) -> usize {
        self.class_table.as_ref().map_or(0, |table| table.dims()[0])
    }

    /// A code's noise, and its class part where G is conditional: the code's own columns
    /// after the noise, or the cycling classes when it has none.
    fn split_code(&self, code: Tensor<B, 2>) -> (Tensor<B, 2>, Option<Tensor<B, 2>>) {
        let classes = self.classes();
        if classes == 0 {
            return (code, None);
        }
        let latent = self.latent_dim();
        let [rows, width] = code.dims();
        if width > latent {
            let noise = code.clone().narrow(1, 0, latent);
            return (noise, Some(code.narrow(1, latent, width - latent)));
        }
        let codes = one_hot(&cycling_labels(rows, classes), classes);
        let device = code.device();
        let class_part = Tensor::from_data(TensorData::new(codes, [rows, classes]), &device);
        (code, Some(class_part))
    }

    /// The first dense layer's output plus the class's row of the table, where there is one.
    fn add_class(&self, x: Tensor<B, 2>, classes: Option<Tensor<B, 2>>) -> Tensor<B, 2> {
        match (classes, &self.class_table) {
            (Some(classes), Some(table)) => x + classes.matmul(table.val()),
            _ => x,
        }
    }

    /// G's images for `z` in inference mode (BatchNorm's running statistics, on any backend),
    /// with the slopes that [`Generator::pull_back`] needs to carry a gradient on the images
    /// back to `z` in closed form. Projection searches z this way on the inner backend: no
    /// autodiff graph, and no batch statistics that would tie the restarts to each other.
    pub fn trace(&self, code: Tensor<B, 2>) -> GeneratorTrace<B> {
        let leak = self.leaky_slope;
        let mut slopes = Vec::with_capacity(self.hidden.len());
        let class_columns = code.dims()[1] > self.latent_dim();
        let (mut x, mut classes) = self.split_code(code);
        for index in 0..self.hidden.len() {
            let (before, gain) = self.pre_activation(index, x, classes.take());
            let slope = activation_slope(before.clone(), leak);
            slopes.push(match gain {
                Some(gain) => slope * gain,
                None => slope,
            });
            x = activation(before, leak);
        }
        let x = self.add_class(self.output.forward(x), classes.take());
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
            class_columns,
        }
    }

    /// The first hidden layer's output for `z`, in inference mode: where GANSpace looks for
    /// the directions of greatest variation (see [`crate::gan::latent::directions`]).
    pub fn first_hidden(&self, code: Tensor<B, 2>) -> Tensor<B, 2> {
        let (z, classes) = self.split_code(code);
        match (self.hidden.is_empty(), &self.upsampler) {
            (false, _) => activation(self.pre_activation(0, z, classes).0, self.leaky_slope),
            (true, Some(upsampler)) => {
                upsampler.dense_features(self.add_class(self.output.forward(z), classes))
            }
            (true, None) => z,
        }
    }

    /// Hidden layer `index` before its activation, in inference mode, and BatchNorm's gain
    /// there (`[1, width]`), if the layer has one. `classes` is the class part of the code,
    /// for the first layer of a conditional G.
    fn pre_activation(
        &self,
        index: usize,
        x: Tensor<B, 2>,
        classes: Option<Tensor<B, 2>>,
    ) -> (Tensor<B, 2>, Option<Tensor<B, 2>>) {
        let x = self.add_class(self.hidden[index].forward(x), classes);
        match self.norms.get(index) {
            Some(norm) => {
                let (normalized, gain) = normalize_inference(norm, x);
                (normalized, Some(gain))
            }
            None => (x, None),
        }
    }

    /// The gradient with respect to the code of a loss whose gradient with respect to
    /// `trace`'s images is `upstream`: back through tanh (1 − y²) and any convolutions, then
    /// each dense layer's transposed weights and slopes. Where the code had class columns,
    /// their gradient follows the noise's, through the class table.
    pub fn pull_back(&self, trace: GeneratorTrace<B>, upstream: Tensor<B, 2>) -> Tensor<B, 2> {
        let at_output = match (&self.upsampler, trace.upsampled) {
            (Some(upsampler), Some(upsampled)) => upsampler.pull_back(upsampled, upstream),
            _ => upstream * trace.images.square().neg().add_scalar(1.0),
        };
        // The gradient on the first dense layer's output, which the class table feeds.
        let mut at_first = at_output.clone();
        let mut gradient = at_output.matmul(self.output.weight.val().transpose());
        for (layer, slope) in self.hidden.iter().zip(trace.slopes).rev() {
            at_first = gradient * slope;
            gradient = at_first.clone().matmul(layer.weight.val().transpose());
        }
        match (&self.class_table, trace.class_columns) {
            (Some(table), true) => {
                let classes = at_first.matmul(table.val().transpose());
                Tensor::cat(vec![gradient, classes], 1)
            }
            _ => gradient,
        }
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
        )?;
        compare_tables(
            "generator",
            self.class_table.as_ref().map(|table| table.dims()),
            record.class_table.as_ref().map(|table| table.dims()),
        )
    }

    pub fn latent_dim(&self) -> usize {
        self.first_layer().weight.dims()[0]
    }

    /// Values per sample: a digit's 784 pixels, or a toy point's 1 or 2 coordinates.
    pub fn output_width(&self) -> usize {
        match &self.upsampler {
            Some(_) => crate::data::IMAGE_PIXELS,
            None => self.output.weight.dims()[1],
        }
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
    /// Whether the code held class columns, whose gradient the pull-back then gives too.
    class_columns: bool,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Cpu;
    use crate::data::IMAGE_PIXELS;
    use crate::gan::latent::{Stream, rng_for};
    use crate::gan::model::test_tensors::{images, values};

    #[test]
    fn the_generator_pull_back_matches_finite_differences_in_inference_mode() {
        let mlp = GeneratorConfig::new(vec![32, 48])
            .with_batch_norm(true)
            .with_leaky_slope(0.2);
        let convolutional = GeneratorConfig::new(Vec::new())
            .with_leaky_slope(0.2)
            .with_upsample(vec![8, 4, 1]);
        let conditional = mlp.clone().with_classes(10);
        for config in [mlp, convolutional, conditional] {
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
        // A conditional G's code goes on with its class columns: checked as a blend of classes.
        let width = config.latent_dim + config.classes;
        let z = crate::gan::latent::normal(&mut rng_for(10, Stream::Sample, 0), 2 * width);
        let latent = |values: &[f32]| {
            Tensor::<Cpu, 2>::from_data(
                TensorData::new(values.to_vec(), [2, width]),
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
        assert_eq!(gradient.len(), z.len());
        for at in [0, 13, 57, 99, 105, width, width + 42, 2 * width - 1] {
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
}
