//! The two networks, built from configs the way burn's examples do, plus the presets.
//!
//! Weights are initialised from ganimate's own seeded RNG rather than the backend's, so a seed
//! gives the same initial networks on every backend and concurrent runs cannot disturb each
//! other's initialisation.

mod average;
mod batch_norm;
pub mod classes;
pub mod conv;
mod discriminator;
mod flops;
mod generator;
mod layers;
mod preset;
mod record_check;

pub use discriminator::{Discriminator, DiscriminatorConfig, DiscriminatorRecord};
pub use flops::ForwardFlops;
pub use generator::{Generator, GeneratorConfig, GeneratorRecord, GeneratorTrace};
pub(crate) use layers::init_linear;
pub use preset::Preset;

/// Tensors from and to plain values, for the networks' gradient checks.
#[cfg(test)]
mod test_tensors {
    use burn::prelude::*;

    use crate::data::IMAGE_PIXELS;

    pub(super) fn images<B: Backend>(values: &[f32]) -> Tensor<B, 2> {
        let rows = values.len() / IMAGE_PIXELS;
        Tensor::from_data(
            TensorData::new(values.to_vec(), [rows, IMAGE_PIXELS]),
            &Default::default(),
        )
    }

    pub(super) fn values<B: Backend, const D: usize>(tensor: Tensor<B, D>) -> Vec<f32> {
        tensor.into_data().convert::<f32>().to_vec().unwrap()
    }
}
