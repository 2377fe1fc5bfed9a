//! The presets: each pairs a generator and a discriminator with the training tricks around
//! them, so one word (`--preset`) picks a whole recipe.

use crate::gan::model::classes::DIGIT_CLASSES;
use crate::gan::model::{DiscriminatorConfig, GeneratorConfig};

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
    /// The stable preset told which digit to draw: G(z, y) adds the class's row of a table to
    /// its first layer, D is a projection discriminator (Miyato & Koyama 2018). Training asks
    /// for classes uniformly; the real digits bring their labels.
    Conditional,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Stable => "stable",
            Preset::Course => "course",
            Preset::Dcgan => "dcgan",
            Preset::Conditional => "conditional",
        }
    }

    /// Classes G draws on request and D judges given: 0 for the unconditional presets.
    pub fn classes(self) -> usize {
        match self {
            Preset::Conditional => DIGIT_CLASSES,
            Preset::Stable | Preset::Course | Preset::Dcgan => 0,
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
            Preset::Stable | Preset::Conditional => GeneratorConfig::new(vec![256, 512, 1024])
                .with_batch_norm(true)
                .with_leaky_slope(0.2)
                .with_classes(self.classes()),
            Preset::Course => GeneratorConfig::new(vec![256, 512, 1024]),
            Preset::Dcgan => GeneratorConfig::new(Vec::new())
                .with_leaky_slope(0.2)
                .with_upsample(vec![128, 64, 1]),
        }
    }

    pub fn discriminator(self) -> DiscriminatorConfig {
        match self {
            Preset::Stable | Preset::Course | Preset::Conditional => {
                DiscriminatorConfig::new(vec![512, 256]).with_classes(self.classes())
            }
            Preset::Dcgan => DiscriminatorConfig::new(Vec::new()).with_downsample(vec![64, 128]),
        }
    }

    /// G of the toy lab's runs on `dim`-dimensional points (1 or 2), from 2D noise so that
    /// the latent grid maps onto the plane. `course` keeps the seed's recipe: Linear+ReLU.
    /// `stable` is narrow and deep: on the grid, four layers of 64 placed more points on the
    /// modes in a minute than three of 256, which train five times slower (`bench --toy`).
    pub fn toy_generator(self, dim: usize) -> GeneratorConfig {
        let (hidden, leaky_slope) = match self {
            Preset::Course => (vec![128, 128], 0.0),
            Preset::Stable | Preset::Dcgan | Preset::Conditional => (vec![64, 64, 64, 64], 0.2),
        };
        // z has as many dimensions as the points: Goodfellow's Figure 1 maps a line onto a
        // line, and GAN Lab's manifold is a sheet.
        GeneratorConfig::new(hidden)
            .with_latent_dim(dim)
            .with_output_width(dim)
            .with_leaky_slope(leaky_slope)
    }

    /// D of the toy lab's runs on `dim`-dimensional points.
    pub fn toy_discriminator(self, dim: usize) -> DiscriminatorConfig {
        let hidden = match self {
            Preset::Course => vec![128, 128],
            Preset::Stable | Preset::Dcgan | Preset::Conditional => vec![64, 64, 64],
        };
        DiscriminatorConfig::new(hidden).with_input_width(dim)
    }

    /// Decay of the moving average of G's weights that sampling uses (Yazıcı et al., "The
    /// Unusual Effectiveness of Averaging in GAN Training", 2019). It smooths out the
    /// step-to-step wobble of an MLP generator, which otherwise shows as speckled digits. The
    /// course preset shows the raw generator, so its collapse and oscillation stay visible.
    pub fn average_decay(self) -> Option<f64> {
        match self {
            Preset::Stable | Preset::Dcgan | Preset::Conditional => Some(0.999),
            Preset::Course => None,
        }
    }

    /// Largest shift, in pixels, of the random translations D sees every digit through
    /// (DiffAugment, see [`crate::gan::training::augment`]). On the 10,000-digit test split it halves the
    /// Fréchet distance at 16,000 steps. The course preset shows D without it.
    pub fn augment_shift(self) -> Option<usize> {
        match self {
            Preset::Stable | Preset::Dcgan | Preset::Conditional => Some(2),
            Preset::Course => None,
        }
    }

    /// Target for real images in D's loss: below 1 is one-sided label smoothing.
    pub fn real_label(self) -> f64 {
        match self {
            Preset::Stable | Preset::Dcgan | Preset::Conditional => 0.9,
            Preset::Course => 1.0,
        }
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
