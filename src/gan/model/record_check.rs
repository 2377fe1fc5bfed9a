//! Checks that a checkpoint's record has the preset's architecture, with a message naming
//! what differs: burn itself panics on a different layer count and accepts different widths.

use burn::nn::{Linear, LinearRecord};
use burn::prelude::*;

pub(super) fn linear_shapes<B: Backend>(layers: &[Linear<B>]) -> Vec<[usize; 2]> {
    layers.iter().map(|layer| layer.weight.dims()).collect()
}

pub(super) fn record_shapes<B: Backend>(layers: &[LinearRecord<B>]) -> Vec<[usize; 2]> {
    layers.iter().map(|layer| layer.weight.dims()).collect()
}

pub(super) fn compare(
    network: &str,
    expected: &[[usize; 2]],
    found: &[[usize; 2]],
) -> Result<(), String> {
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

/// Checks that a record has the convolutions (or none) that this preset has.
pub(super) fn compare_convolutions(
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
