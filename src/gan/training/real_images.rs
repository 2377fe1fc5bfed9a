//! The real samples a run trains on, on the device: digits (with their labels, for a
//! conditional preset) or the toy lab's points.

use burn::prelude::*;

use crate::data::IMAGE_PIXELS;
use crate::gan::model::classes::one_hot;

/// The training images (or the toy lab's points), uploaded once and batched on the device by
/// index.
pub struct RealImages<B: Backend> {
    pub(super) pixels: Tensor<B, 2>,
    pub(super) count: usize,
    /// `[count, classes]`: each image's label, one-hot, for a conditional preset.
    pub(super) labels: Option<Tensor<B, 2>>,
}

impl<B: Backend> RealImages<B> {
    /// `pixels` holds `count` images of 784 values in [-1, 1].
    pub fn new(pixels: Vec<f32>, device: &B::Device) -> Self {
        Self::with_width(pixels, IMAGE_PIXELS, device)
    }

    /// `values` holds samples of `width` values each in [-1, 1]: a toy run's points.
    pub fn with_width(values: Vec<f32>, width: usize, device: &B::Device) -> Self {
        let count = values.len() / width;
        let pixels = Tensor::from_data(TensorData::new(values, [count, width]), device);
        Self {
            pixels,
            count,
            labels: None,
        }
    }

    /// These images with their labels (one per image, below `classes`), which a conditional
    /// preset shows D with each real image.
    pub fn with_labels(self, labels: &[u8], classes: usize) -> Self {
        let rows = labels.len().min(self.count);
        let codes = one_hot(&labels[..rows], classes);
        let device = self.pixels.device();
        let labels = Tensor::from_data(TensorData::new(codes, [rows, classes]), &device);
        Self {
            labels: Some(labels),
            ..self
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}
