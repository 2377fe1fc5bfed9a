//! What each discriminator batch draws: its noise, which real digits it sees, and the offsets D
//! sees them (and G's fakes) shifted by.
//!
//! All of it is a pure function of the seed and the batch's index, drawn on the host from
//! ganimate's seeded streams, so a resumed run draws exactly what an unbroken one would. It is
//! drawn and uploaded a chunk of batches at a time: every upload makes wgpu flush its pending
//! work, so one upload per step would cost more than the step's arithmetic.

use burn::prelude::*;

use crate::gan::config::TrainConfig;
use crate::gan::latent::{self, Stream};
use crate::gan::sample::class_codes;
use crate::gan::training::augment::Translations;
use crate::gan::training::loss::d_targets;

/// Added to the augmentation index of a generator step, to keep its offsets apart from those
/// of the D batches (indexed by D batch, far below this).
const GENERATOR_AUGMENT_OFFSET: u64 = 1 << 62;

/// Noise drawn per chunk, at most: the chunk spans this many bytes of noise, so large batches
/// upload every few steps and small ones every hundred or so.
const CHUNK_NOISE_BYTES: usize = 4 << 20;
/// Batches per chunk, at most.
const MAX_CHUNK: usize = 256;

/// The inputs of one D batch, on the device.
pub struct BatchInputs<B: Backend> {
    /// G's codes: `[batch, latent_dim]` ~ N(0, 1), then for a conditional preset the one-hot
    /// classes G is asked for (`[batch, classes]` more columns).
    pub noise: Tensor<B, 2>,
    /// `[batch]`: which training images are the real batch.
    pub real: Tensor<B, 1, Int>,
    /// `[2 · batch]`: offsets of the real then the fake images as D sees them, when the preset
    /// augments.
    pub d_offsets: Option<Tensor<B, 1, Int>>,
    /// `[batch]`: offsets of the fakes as D sees them in the G step that follows this batch.
    pub g_offsets: Option<Tensor<B, 1, Int>>,
}

/// A chunk of consecutive D batches' inputs on the device.
#[derive(Clone)]
struct Chunk<B: Backend> {
    first: u64,
    len: u64,
    /// The size of the dataset the image indices were drawn for.
    images: usize,
    /// `[len · batch, latent_dim (+ classes)]`.
    noise: Tensor<B, 2>,
    /// Per batch: `batch` image indices, then (when augmenting) `2 · batch` D offsets and
    /// `batch` G offsets.
    indices: Tensor<B, 1, Int>,
}

/// Draws and uploads inputs a chunk at a time, and hands out one batch's at a time.
#[derive(Clone)]
pub struct InputStream<B: Backend> {
    translations: Option<Translations<B>>,
    /// What D should answer for a real then a fake batch (see [`LossKind::discriminator`]).
    ///
    /// [`LossKind::discriminator`]: crate::gan::training::loss::LossKind::discriminator
    d_targets: Tensor<B, 2>,
    chunk: Option<Chunk<B>>,
    /// The current epoch's shuffle of the training images: the epoch, the dataset's size, the
    /// order.
    shuffled: Option<(u64, usize, Vec<i32>)>,
}

impl<B: Backend> InputStream<B> {
    pub fn new(config: &TrainConfig, device: &B::Device) -> Self {
        Self {
            translations: config
                .augment_shift()
                .map(|shift| Translations::new(shift, device)),
            d_targets: d_targets(config.batch_size, config.preset.real_label(), device),
            chunk: None,
            shuffled: None,
        }
    }

    pub fn translations(&self) -> Option<&Translations<B>> {
        self.translations.as_ref()
    }

    pub fn d_targets(&self) -> Tensor<B, 2> {
        self.d_targets.clone()
    }

    /// The inputs of D batch `index` over a dataset of `images` images. A conditional
    /// preset's codes have `latent_dim + classes` columns.
    pub fn batch(
        &mut self,
        index: u64,
        config: &TrainConfig,
        latent_dim: usize,
        images: usize,
        device: &B::Device,
    ) -> BatchInputs<B> {
        let b = config.batch_size;
        let code_width = latent_dim + config.preset.classes();
        if self
            .chunk
            .as_ref()
            .is_none_or(|c| !(c.first..c.first + c.len).contains(&index) || c.images != images)
        {
            let len = (CHUNK_NOISE_BYTES / (b * code_width * 4)).clamp(1, MAX_CHUNK) as u64;
            self.chunk = Some(self.draw(index, len, config, latent_dim, images, device));
        }
        let chunk = self.chunk.as_ref().expect("just drawn");
        let row = (index - chunk.first) as usize;
        let per_batch = self.indices_per_batch(b);
        let start = row * per_batch;
        let ints = |offset: usize, len: usize| chunk.indices.clone().narrow(0, start + offset, len);
        let augmented = self.translations.is_some();
        BatchInputs {
            noise: chunk.noise.clone().narrow(0, row * b, b),
            real: ints(0, b),
            d_offsets: augmented.then(|| ints(b, 2 * b)),
            g_offsets: augmented.then(|| ints(3 * b, b)),
        }
    }

    fn indices_per_batch(&self, batch: usize) -> usize {
        if self.translations.is_some() {
            4 * batch
        } else {
            batch
        }
    }

    /// Draws batches `first..first + len` and uploads them: one float and one integer tensor.
    fn draw(
        &mut self,
        first: u64,
        len: u64,
        config: &TrainConfig,
        latent_dim: usize,
        images: usize,
        device: &B::Device,
    ) -> Chunk<B> {
        let b = config.batch_size;
        let per_batch = self.indices_per_batch(b);
        let classes = config.preset.classes();
        let code_width = latent_dim + classes;
        let mut noise = Vec::with_capacity(len as usize * b * code_width);
        let mut indices = Vec::with_capacity(len as usize * per_batch);
        for index in first..first + len {
            let mut rng = latent::rng_for(config.seed, Stream::Noise, index);
            let z = latent::normal(&mut rng, b * latent_dim);
            if classes == 0 {
                noise.extend(z);
            } else {
                let mut rng = latent::rng_for(config.seed, Stream::Class, index);
                let asked = latent::uniform_classes(&mut rng, b, classes);
                noise.extend(class_codes(&z, latent_dim, &asked, classes));
            }
            indices.extend(self.real_indices(index, config, images));
            if let Some(translations) = &self.translations {
                // D sees batch `index` after counting it, hence `index + 1`.
                let seen = index + 1;
                let rng = |i| latent::rng_for(config.seed, Stream::Augment, i);
                indices.extend(translations.draw(2 * b, &mut rng(seen)));
                indices.extend(translations.draw(b, &mut rng(seen + GENERATOR_AUGMENT_OFFSET)));
            }
        }
        let rows = len as usize;
        Chunk {
            first,
            len,
            images,
            noise: Tensor::from_data(TensorData::new(noise, [rows * b, code_width]), device),
            indices: Tensor::from_data(TensorData::new(indices, [rows * per_batch]), device),
        }
    }

    /// Batch `index` of a per-epoch shuffle; an epoch's last partial batch is skipped.
    fn real_indices(&mut self, index: u64, config: &TrainConfig, images: usize) -> Vec<i32> {
        let batch = config.batch_size;
        let batches_per_epoch = (images / batch).max(1) as u64;
        let epoch = index / batches_per_epoch;
        let position = (index % batches_per_epoch) as usize * batch;
        if self
            .shuffled
            .as_ref()
            .is_none_or(|(e, n, _)| (*e, *n) != (epoch, images))
        {
            self.shuffled = Some((epoch, images, shuffled_indices(images, config.seed, epoch)));
        }
        let order = &self.shuffled.as_ref().expect("just set").2;
        (position..position + batch)
            .map(|i| order[i % order.len()])
            .collect()
    }
}

fn shuffled_indices(count: usize, seed: u64, epoch: u64) -> Vec<i32> {
    use rand::seq::SliceRandom;
    let mut order: Vec<i32> = (0..count as i32).collect();
    order.shuffle(&mut latent::rng_for(seed, Stream::Shuffle, epoch));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Cpu;
    use crate::gan::Preset;

    fn values<const D: usize, K>(tensor: Tensor<Cpu, D, K>) -> Vec<f64>
    where
        K: burn::tensor::BasicOps<Cpu>,
    {
        tensor.into_data().convert::<f64>().to_vec().unwrap()
    }

    /// Everything one batch draws, on the host.
    fn drawn(inputs: BatchInputs<Cpu>) -> Vec<Vec<f64>> {
        let mut all = vec![values(inputs.noise), values(inputs.real)];
        all.extend(inputs.d_offsets.map(values));
        all.extend(inputs.g_offsets.map(values));
        all
    }

    #[test]
    fn a_batch_draws_the_same_whichever_chunk_it_falls_in() {
        let device = Default::default();
        let config = TrainConfig {
            batch_size: 32,
            ..TrainConfig::default()
        };
        assert_eq!(config.preset, Preset::Stable, "the preset that augments");
        let images = 1000;
        // One stream walks from batch 0 and crosses a chunk boundary on the way; the other
        // starts cold at each batch, as a resumed run does.
        let mut walking = InputStream::<Cpu>::new(&config, &device);
        let len = (CHUNK_NOISE_BYTES / (32 * 100 * 4)).clamp(1, MAX_CHUNK) as u64;
        for index in 0..len + 3 {
            let walked = drawn(walking.batch(index, &config, 100, images, &device));
            if index + 3 < len && index > 2 {
                continue; // the middle of the first chunk adds nothing
            }
            let mut cold = InputStream::<Cpu>::new(&config, &device);
            let fresh = drawn(cold.batch(index, &config, 100, images, &device));
            assert_eq!(walked, fresh, "batch {index}");
        }
        // The draws are the seeded streams': the noise of batch 5 is Stream::Noise's item 5.
        let noise = values(walking.batch(5, &config, 100, images, &device).noise);
        let expected = latent::normal(&mut latent::rng_for(42, Stream::Noise, 5), 32 * 100);
        assert_eq!(
            noise,
            expected.iter().map(|&v| f64::from(v)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn another_dataset_gets_indices_of_its_own() {
        let device = Default::default();
        let config = TrainConfig::default();
        let mut stream = InputStream::<Cpu>::new(&config, &device);
        stream.batch(0, &config, 100, 10_000, &device);
        let real = values(stream.batch(1, &config, 100, 64, &device).real);
        assert!(real.iter().all(|&i| (0.0..64.0).contains(&i)), "{real:?}");
    }

    #[test]
    fn each_epoch_shows_every_image_once() {
        let device = Default::default();
        let config = TrainConfig {
            batch_size: 10,
            ..TrainConfig::default()
        };
        let mut stream = InputStream::<Cpu>::new(&config, &device);
        let seen = |stream: &mut InputStream<Cpu>, epoch: u64| {
            let mut seen: Vec<i64> = (epoch * 10..epoch * 10 + 10)
                .flat_map(|i| values(stream.batch(i, &config, 100, 100, &device).real))
                .map(|v| v as i64)
                .collect();
            let order = seen.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..100).collect::<Vec<_>>());
            order
        };
        assert_ne!(
            seen(&mut stream, 0),
            seen(&mut stream, 1),
            "a new shuffle each epoch"
        );
    }
}
