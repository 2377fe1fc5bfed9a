//! The class input of a conditional GAN (Mirza & Osindero 2014): one-hot class codes, the
//! table that turns a class into a vector of a layer's width, and the record check for it.
//!
//! G adds its table's row for the class to its first dense layer, which equals concatenating
//! the one-hot code to z. D adds ⟨row, features⟩ to its logit: the projection discriminator of
//! Miyato & Koyama (2018), whose input gradient stays in closed form.

use burn::module::Param;
use burn::prelude::*;

use crate::gan::latent::{SeededRng, uniform};

/// Classes of the digit data sets (MNIST and Fashion-MNIST alike).
pub const DIGIT_CLASSES: usize = 10;

/// A `[classes, width]` table initialised like a dense layer with `fan_in` inputs.
pub(super) fn init_table<B: Backend>(
    classes: usize,
    width: usize,
    fan_in: usize,
    rng: &mut SeededRng,
    device: &B::Device,
) -> Param<Tensor<B, 2>> {
    let bound = 1.0 / (fan_in as f32).sqrt();
    Param::from_tensor(Tensor::from_data(
        TensorData::new(uniform(rng, classes * width, bound), [classes, width]),
        device,
    ))
}

/// `labels` as one-hot rows of `classes` values, row-major.
pub fn one_hot(labels: &[u8], classes: usize) -> Vec<f32> {
    let mut codes = vec![0.0; labels.len() * classes];
    for (row, &label) in labels.iter().enumerate() {
        codes[row * classes + usize::from(label) % classes] = 1.0;
    }
    codes
}

/// The classes a conditional G draws when it is given noise alone: row i is class i mod
/// `classes`, so that every sampler that knows nothing of classes shows each in turn.
pub fn cycling_labels(rows: usize, classes: usize) -> Vec<u8> {
    (0..rows).map(|row| (row % classes.max(1)) as u8).collect()
}

/// Checks that a record has the class table (or none) that the preset has.
pub(super) fn compare_tables(
    network: &str,
    expected: Option<[usize; 2]>,
    found: Option<[usize; 2]>,
) -> Result<(), String> {
    match (expected, found) {
        (None, None) => Ok(()),
        (Some(expected), Some(found)) if expected == found => Ok(()),
        (Some(_), None) => Err(format!(
            "{network} is unconditional, this preset draws given a class"
        )),
        (None, Some(_)) => Err(format!(
            "{network} is conditional (it takes a class), this preset is not"
        )),
        (Some(expected), Some(found)) => Err(format!(
            "{network} has a class table of {found:?}, this preset's is {expected:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_rows_mark_their_class() {
        assert_eq!(one_hot(&[2, 0], 3), [0.0, 0.0, 1.0, 1.0, 0.0, 0.0].to_vec());
        assert_eq!(cycling_labels(5, 3), [0, 1, 2, 0, 1]);
    }
}
