//! D, the network that judges: a digit in, one logit out, with its gradient with respect to
//! the digit in closed form (R1 and "What D sees" need it; burn has no double backward).

use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;

use crate::gan::latent::SeededRng;
use crate::gan::model::classes::{compare_tables, init_table};
use crate::gan::model::conv::Downsampler;
use crate::gan::model::layers::{activation, activation_slope, init_linear, layer_widths};
use crate::gan::model::record_check::{
    compare, compare_convolutions, linear_shapes, record_shapes,
};

/// D: 784 pixels → (strided convolutions →) hidden layers (LeakyReLU) → one logit;
/// D(x) = sigmoid(logit). With `classes`, D judges an image as a drawing of a given class.
#[derive(Config, Debug, PartialEq)]
pub struct DiscriminatorConfig {
    pub hidden: Vec<usize>,
    #[config(default = 0.2)]
    pub leaky_slope: f64,
    /// Channels of the convolutions before the dense layers, e.g. `[64, 128]`; empty for an
    /// MLP.
    #[config(default = "Vec::new()")]
    pub downsample: Vec<usize>,
    /// Values an MLP reads: a digit's 784 pixels, or a toy point's 1 or 2 coordinates.
    #[config(default = 784)]
    pub input_width: usize,
    /// Classes D is told the image is of; 0 for an unconditional D.
    #[config(default = 0)]
    pub classes: usize,
}

#[derive(Module, Debug)]
pub struct Discriminator<B: Backend> {
    hidden: Vec<Linear<B>>,
    output: Linear<B>,
    leaky_slope: f64,
    /// The convolutional preset's layers before `hidden`; `None` in older checkpoints.
    downsampler: Option<Downsampler<B>>,
    /// A conditional D's `[classes, features]` projection table: the logit gains the inner
    /// product of the class's row with the features `output` reads. `None` for an
    /// unconditional D (and in older checkpoints).
    projection: Option<Param<Tensor<B, 2>>>,
}

impl DiscriminatorConfig {
    pub fn init<B: Backend>(&self, rng: &mut SeededRng, device: &B::Device) -> Discriminator<B> {
        let downsampler = (!self.downsample.is_empty())
            .then(|| Downsampler::init(&self.downsample, self.leaky_slope, rng, device));
        let input = downsampler
            .as_ref()
            .map_or(self.input_width, Downsampler::output_width);
        let widths = layer_widths(input, &self.hidden, 1);
        let mut layers: Vec<Linear<B>> = widths
            .windows(2)
            .map(|w| init_linear(w[0], w[1], rng, device))
            .collect();
        let output = layers.pop().expect("at least one layer");
        let features = widths[widths.len() - 2];
        let projection =
            (self.classes > 0).then(|| init_table(self.classes, features, features, rng, device));
        Discriminator {
            hidden: layers,
            output,
            leaky_slope: self.leaky_slope,
            downsampler,
            projection,
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
        )?;
        compare_tables(
            "discriminator",
            self.projection.as_ref().map(|table| table.dims()),
            record.projection.as_ref().map(|table| table.dims()),
        )
    }

    /// Classes this D judges given; 0 for an unconditional one.
    pub fn classes(&self) -> usize {
        self.projection.as_ref().map_or(0, |table| table.dims()[0])
    }

    /// Values D reads per sample: a digit's 784 pixels, or a toy point's 1 or 2 coordinates.
    pub fn input_width(&self) -> usize {
        match (&self.downsampler, self.hidden.first()) {
            (Some(_), _) => crate::data::IMAGE_PIXELS,
            (None, Some(first)) => first.weight.dims()[0],
            (None, None) => self.output.weight.dims()[0],
        }
    }

    /// Maps images `[batch, 784]` to logits `[batch, 1]`. A conditional D judges them
    /// without a class this way: its projection term is left out.
    pub fn forward(&self, images: Tensor<B, 2>) -> Tensor<B, 2> {
        self.forward_given(images, None)
    }

    /// The logits of images said to be of `classes` (`[batch, classes]`, one-hot), where D is
    /// conditional.
    pub fn forward_given(
        &self,
        images: Tensor<B, 2>,
        classes: Option<Tensor<B, 2>>,
    ) -> Tensor<B, 2> {
        let features = match &self.downsampler {
            Some(downsampler) => downsampler.forward(images),
            None => images,
        };
        let x = self.hidden.iter().fold(features, |x, layer| {
            activation(layer.forward(x), self.leaky_slope)
        });
        let rows = self.class_rows(classes);
        let logits = self.output.forward(x.clone());
        match rows {
            Some(rows) => logits + (x * rows).sum_dim(1),
            None => logits,
        }
    }

    /// Each image's row of the projection table, `[batch, features]`, where D is conditional
    /// and is given the classes.
    fn class_rows(&self, classes: Option<Tensor<B, 2>>) -> Option<Tensor<B, 2>> {
        Some(classes?.matmul(self.projection.as_ref()?.val()))
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
        self.forward_with_input_gradient_given(images, None)
    }

    /// [`Discriminator::forward_with_input_gradient`] for images said to be of `classes`: the
    /// projection adds the class's row to the output weights, so the gradient starts from a
    /// row per image instead of one for all.
    pub fn forward_with_input_gradient_given(
        &self,
        images: Tensor<B, 2>,
        classes: Option<Tensor<B, 2>>,
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
            // The activation is `before` times its slope: one slope serves both.
            let slope = activation_slope(before.clone(), leak);
            slopes.push(slope.clone());
            before * slope
        });
        let logits = self.output.forward(x.clone());
        // Back from the logit: w₃ᵀ as a row (plus each image's class row), then each layer's
        // slope and transposed weights.
        let mut gradient = self.output.weight.val().transpose();
        let logits = match self.class_rows(classes) {
            Some(rows) => {
                gradient = gradient + rows.clone();
                logits + (x * rows).sum_dim(1)
            }
            None => logits,
        };
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

#[cfg(test)]
mod tests {
    use burn::module::{ModuleMapper, ModuleVisitor, Param};

    use super::*;
    use crate::backend::Cpu;
    use crate::data::IMAGE_PIXELS;
    use crate::gan::latent::{Stream, rng_for};
    use crate::gan::model::test_tensors::{images, values};

    /// A small MLP D and a small convolutional one.
    fn small_discriminators<B: Backend>() -> [Discriminator<B>; 2] {
        [
            DiscriminatorConfig::new(vec![16, 8]),
            DiscriminatorConfig::new(Vec::new()).with_downsample(vec![4, 8]),
        ]
        .map(|config| config.init(&mut rng_for(3, Stream::Init, 0), &Default::default()))
    }

    #[test]
    fn the_closed_form_input_gradient_matches_finite_differences() {
        let x = crate::gan::latent::normal(&mut rng_for(4, Stream::Sample, 0), 2 * IMAGE_PIXELS);
        let conditional = DiscriminatorConfig::new(vec![16, 8])
            .with_classes(3)
            .init(&mut rng_for(6, Stream::Init, 0), &Default::default());
        let [mlp, convolutional] = small_discriminators::<Cpu>();
        for d in [mlp, convolutional, conditional] {
            // The two images said to be of classes 2 and 0.
            let classes = || {
                (d.classes() > 0).then(|| {
                    Tensor::<Cpu, 2>::from_data(
                        TensorData::new(crate::gan::model::classes::one_hot(&[2, 0], 3), [2, 3]),
                        &Default::default(),
                    )
                })
            };
            let forward = |x: &[f32]| values(d.forward_given(images(x), classes()));
            let (logits, gradient) = d.forward_with_input_gradient_given(images(&x), classes());
            assert_eq!(values(logits.clone()), forward(&x));
            if d.classes() > 0 {
                assert_ne!(
                    forward(&x),
                    values(d.forward(images(&x))),
                    "the class counts"
                );
            }
            let gradient = values(gradient);
            assert_eq!(gradient.len(), x.len());
            let eps = 1e-3;
            for row in 0..2 {
                for pixel in [0, 97, 350, 511, 783] {
                    let at = row * IMAGE_PIXELS + pixel;
                    let shifted = |by: f32| {
                        let mut moved = x.clone();
                        moved[at] += by;
                        forward(&moved)[row]
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
