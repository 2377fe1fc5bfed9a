//! The moving average of G's weights that the stable presets draw with (see
//! [`crate::gan::model::Preset::average_decay`]).

use burn::module::{ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;

use crate::gan::model::Generator;

impl<B: Backend> Generator<B> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Cpu;
    use crate::gan::latent::{Stream, rng_for};
    use crate::gan::model::Preset;

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
}
