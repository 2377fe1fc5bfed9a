//! Floating-point operations of the networks' layers, counted from their shapes, so that
//! `bench` can say how much of the machine a step uses. Only the products are counted (dense
//! layers and convolutions): activations, norms and the optimiser are a few passes over
//! memory each, a fraction of a percent of the arithmetic at these widths.

use crate::data::IMAGE_SIDE;
use crate::gan::model::conv::{KERNEL, feature_side};
use crate::gan::model::layers::layer_widths;
use crate::gan::model::{DiscriminatorConfig, GeneratorConfig};

/// A network's forward pass, per sample: every layer's products, and its first layer's,
/// whose input gradient a backward pass skips when the input needs none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForwardFlops {
    pub total: f64,
    pub first_layer: f64,
}

/// Multiply-adds count two operations each.
fn dense(widths: &[usize]) -> Vec<f64> {
    widths
        .windows(2)
        .map(|pair| 2.0 * (pair[0] * pair[1]) as f64)
        .collect()
}

impl ForwardFlops {
    fn of(layers: Vec<f64>) -> Self {
        Self {
            total: layers.iter().sum(),
            first_layer: layers.first().copied().unwrap_or(0.0),
        }
    }
}

impl GeneratorConfig {
    pub fn forward_flops(&self) -> ForwardFlops {
        let mut layers = match self.upsample.first() {
            Some(channels) => {
                let side = feature_side(self.upsample.len() - 1);
                dense(&layer_widths(
                    self.latent_dim,
                    &self.hidden,
                    channels * side * side,
                ))
            }
            None => dense(&layer_widths(
                self.latent_dim,
                &self.hidden,
                self.output_width,
            )),
        };
        // A transposed convolution spreads each input pixel of each input channel over a
        // kernel of each output channel; the map's side doubles at every layer.
        let mut side = feature_side(self.upsample.len().saturating_sub(1));
        for pair in self.upsample.windows(2) {
            layers.push(2.0 * (side * side * pair[0] * pair[1] * KERNEL * KERNEL) as f64);
            side *= 2;
        }
        ForwardFlops::of(layers)
    }
}

impl DiscriminatorConfig {
    pub fn forward_flops(&self) -> ForwardFlops {
        // A strided convolution sums a kernel of every input channel for each output pixel;
        // the map's side halves at every layer.
        let mut layers = Vec::new();
        let mut side = IMAGE_SIDE;
        let mut channels_in = 1;
        for &channels_out in &self.downsample {
            side /= 2;
            layers.push(2.0 * (side * side * channels_in * channels_out * KERNEL * KERNEL) as f64);
            channels_in = channels_out;
        }
        let input = if self.downsample.is_empty() {
            self.input_width
        } else {
            channels_in * side * side
        };
        layers.extend(dense(&layer_widths(input, &self.hidden, 1)));
        ForwardFlops::of(layers)
    }
}

#[cfg(test)]
mod tests {
    use crate::gan::model::Preset;

    #[test]
    fn dense_layers_count_two_operations_per_weight() {
        // Course: 100 → 256 → 512 → 1024 → 784 and 784 → 512 → 256 → 1.
        let g = Preset::Course.generator().forward_flops();
        let weights = 100 * 256 + 256 * 512 + 512 * 1024 + 1024 * 784;
        assert_eq!(g.total, 2.0 * weights as f64);
        assert_eq!(g.first_layer, 2.0 * (100 * 256) as f64);
        let d = Preset::Course.discriminator().forward_flops();
        assert_eq!(d.total, 2.0 * (784 * 512 + 512 * 256 + 256) as f64);
        assert_eq!(d.first_layer, 2.0 * (784 * 512) as f64);
    }

    #[test]
    fn convolutions_count_a_kernel_per_pixel_and_channel_pair() {
        // dcgan's D: 1 → 64 channels at 14×14, 64 → 128 at 7×7, then 6,272 → 1.
        let d = Preset::Dcgan.discriminator().forward_flops();
        let conv1 = 2 * 14 * 14 * 64 * 16;
        let conv2 = 2 * 7 * 7 * 64 * 128 * 16;
        assert_eq!(d.first_layer, conv1 as f64);
        assert_eq!(d.total, (conv1 + conv2 + 2 * 128 * 7 * 7) as f64);
        // dcgan's G: 100 → 128·7·7, then 128 → 64 from 7×7 and 64 → 1 from 14×14.
        let g = Preset::Dcgan.generator().forward_flops();
        let dense = 2 * 100 * 128 * 7 * 7;
        let up1 = 2 * 7 * 7 * 128 * 64 * 16;
        let up2 = 2 * 14 * 14 * 64 * 16;
        assert_eq!(g.total, (dense + up1 + up2) as f64);
    }
}
