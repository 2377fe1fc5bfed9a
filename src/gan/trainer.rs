//! One GAN training loop for every front end: the CLI, the app and the tests all call
//! [`Trainer::step`]. It never reads the GPU back on its own; [`StepStats::read`] does, when
//! the caller decides the figures are worth a synchronisation.

use burn::module::{AutodiffModule, ModuleVisitor, Param};
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{Adam, AdamConfig, GradientsParams, Optimizer};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;

use super::augment;
use super::guard::Snapshot;
use super::latent::{self, Stream};
use super::loss::LossKind;
use super::model::{Discriminator, Generator, Preset};
use crate::data::{DatasetKind, IMAGE_PIXELS};

/// Everything that defines a run; saved in every checkpoint.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    pub dataset: DatasetKind,
    pub preset: Preset,
    pub loss: LossKind,
    pub batch_size: usize,
    pub lr_g: f64,
    pub lr_d: f64,
    pub beta1: f64,
    pub beta2: f64,
    /// Discriminator steps per generator step (the k of Goodfellow's algorithm 1).
    pub d_steps: usize,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            dataset: DatasetKind::Mnist,
            preset: Preset::Stable,
            loss: LossKind::NonSaturating,
            batch_size: 64,
            lr_g: 2e-4,
            lr_d: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
            d_steps: 1,
            seed: 42,
        }
    }
}

impl TrainConfig {
    fn adam(&self) -> AdamConfig {
        AdamConfig::new()
            .with_beta_1(self.beta1 as f32)
            .with_beta_2(self.beta2 as f32)
            .with_epsilon(1e-8)
    }

    /// Checks values a user can type; returns what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.batch_size == 0 {
            return Err("batch size must be at least 1".into());
        }
        if self.d_steps == 0 {
            return Err("D steps per G step must be at least 1".into());
        }
        for (name, lr) in [("lr-g", self.lr_g), ("lr-d", self.lr_d)] {
            if !(lr.is_finite() && lr > 0.0 && lr < 1.0) {
                return Err(format!("--{name} must be in (0, 1), got {lr}"));
            }
        }
        Ok(())
    }
}

/// Added to the augmentation index of a generator step, to keep its offsets apart from those
/// of the D batches (indexed by `d_batches`, far below this).
const GENERATOR_AUGMENT_OFFSET: u64 = 1 << 62;

type GeneratorOptimizer<B> = OptimizerAdaptor<Adam, Generator<B>, B>;
type DiscriminatorOptimizer<B> = OptimizerAdaptor<Adam, Discriminator<B>, B>;

/// The training images, uploaded once and batched on the device by index.
pub struct RealImages<B: Backend> {
    pixels: Tensor<B, 2>,
    count: usize,
}

impl<B: Backend> RealImages<B> {
    /// `pixels` holds `count` images of 784 values in [-1, 1].
    pub fn new(pixels: Vec<f32>, device: &B::Device) -> Self {
        let count = pixels.len() / IMAGE_PIXELS;
        let pixels = Tensor::from_data(TensorData::new(pixels, [count, IMAGE_PIXELS]), device);
        Self { pixels, count }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// Figures per step in [`StepStats`]' packed tensor.
const FIGURES: usize = 6;

/// What one step measured, still on the device.
pub struct StepStats<B: Backend> {
    /// D loss, G loss, mean D(x), mean D(G(z)), |∇G|, |∇D|, packed so one read-back fetches all.
    packed: Tensor<B, 1>,
    pub step: u64,
}

/// Which network(s) one step trains: the app's single-step buttons teach the two halves apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StepMode {
    /// k D steps, then one G step.
    #[default]
    Both,
    DiscriminatorOnly,
    GeneratorOnly,
}

/// The figures of one step, on the host.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StepValues {
    pub step: u64,
    pub d_loss: f32,
    pub g_loss: f32,
    pub d_real: f32,
    pub d_fake: f32,
    /// L2 norms of the step's gradients over all of G's and of D's parameters (0 for a network
    /// the step did not train): how strongly each network is being pushed.
    pub g_grad_norm: f32,
    pub d_grad_norm: f32,
}

impl StepValues {
    pub fn is_finite(&self) -> bool {
        [
            self.d_loss,
            self.g_loss,
            self.d_real,
            self.d_fake,
            self.g_grad_norm,
            self.d_grad_norm,
        ]
        .iter()
        .all(|v| v.is_finite())
    }
}

impl<B: Backend> StepStats<B> {
    /// Reads the figures back: on a GPU this waits for the step to finish.
    pub fn read(self) -> StepValues {
        Self::read_all(vec![self]).pop().expect("one in, one out")
    }

    /// Reads many steps' figures with a single read-back (one GPU synchronisation).
    pub fn read_all(stats: Vec<Self>) -> Vec<StepValues> {
        if stats.is_empty() {
            return Vec::new();
        }
        let steps: Vec<u64> = stats.iter().map(|s| s.step).collect();
        let packed = Tensor::cat(stats.into_iter().map(|s| s.packed).collect(), 0);
        let values = packed
            .into_data()
            .convert::<f32>()
            .to_vec::<f32>()
            .unwrap_or_default();
        steps
            .into_iter()
            .enumerate()
            .map(|(i, step)| {
                let get = |k: usize| values.get(FIGURES * i + k).copied().unwrap_or(f32::NAN);
                StepValues {
                    step,
                    d_loss: get(0),
                    g_loss: get(1),
                    d_real: get(2),
                    d_fake: get(3),
                    g_grad_norm: get(4),
                    d_grad_norm: get(5),
                }
            })
            .collect()
    }
}

/// Both networks, their optimisers and the position in the data stream.
pub struct Trainer<B: AutodiffBackend> {
    config: TrainConfig,
    pub(super) generator: Generator<B>,
    pub(super) discriminator: Discriminator<B>,
    pub(super) optim_g: GeneratorOptimizer<B>,
    pub(super) optim_d: DiscriminatorOptimizer<B>,
    /// Moving average of the generator's weights, which sampling uses, where the preset
    /// averages (see [`Preset::average_decay`]).
    pub(super) average: Option<Generator<B::InnerBackend>>,
    /// Generator steps taken.
    pub(super) step: u64,
    /// Real batches D has seen; fixes which images and noise come next.
    pub(super) d_batches: u64,
    shuffled: Option<(u64, Vec<i32>)>,
    device: B::Device,
}

impl<B: AutodiffBackend> Trainer<B> {
    /// Fresh networks, initialised from `config.seed`.
    pub fn new(config: TrainConfig, device: &B::Device) -> Self {
        let mut rng = latent::rng_for(config.seed, Stream::Init, 0);
        let generator = config.preset.generator().init(&mut rng, device);
        let discriminator = config.preset.discriminator().init(&mut rng, device);
        Self::from_parts(config, generator, discriminator, 0, 0, device)
    }

    /// A trained generator facing a fresh discriminator (from `config.seed`), fresh optimisers.
    pub fn with_generator(
        config: TrainConfig,
        generator: Generator<B>,
        step: u64,
        device: &B::Device,
    ) -> Self {
        let mut rng = latent::rng_for(config.seed, Stream::Init, 1);
        let discriminator = config.preset.discriminator().init(&mut rng, device);
        Self::from_parts(config, generator, discriminator, step, 0, device)
    }

    pub(super) fn from_parts(
        config: TrainConfig,
        generator: Generator<B>,
        discriminator: Discriminator<B>,
        step: u64,
        d_batches: u64,
        device: &B::Device,
    ) -> Self {
        let adam = config.adam();
        let average = config
            .preset
            .average_decay()
            .map(|_| generator.valid().detached_copy());
        Self {
            optim_g: adam.init(),
            optim_d: adam.init(),
            average,
            config,
            generator,
            discriminator,
            step,
            d_batches,
            shuffled: None,
            device: device.clone(),
        }
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }
}

impl<B: AutodiffBackend> Snapshot for Trainer<B> {
    /// The whole state, as a copy later steps cannot touch. Cheap: tensors are immutable
    /// handles, so only BatchNorm's running statistics need copying (see
    /// [`Generator::detached_copy`]).
    fn snapshot(&self) -> Self {
        Self {
            config: self.config.clone(),
            generator: self.generator.detached_copy(),
            discriminator: self.discriminator.clone(),
            optim_g: self.optim_g.clone(),
            optim_d: self.optim_d.clone(),
            average: self.average.as_ref().map(Generator::detached_copy),
            step: self.step,
            d_batches: self.d_batches,
            shuffled: self.shuffled.clone(),
            device: self.device.clone(),
        }
    }
}

impl<B: AutodiffBackend> Trainer<B> {
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// Real images seen so far, divided by the dataset size.
    pub fn epoch(&self, dataset_len: usize) -> f64 {
        (self.d_batches * self.config.batch_size as u64) as f64 / dataset_len.max(1) as f64
    }

    pub fn device(&self) -> &B::Device {
        &self.device
    }

    /// Learning rates and D steps change between steps without a restart; Adam keeps its state.
    pub fn set_learning_rates(&mut self, lr_g: f64, lr_d: f64) {
        self.config.lr_g = lr_g;
        self.config.lr_d = lr_d;
    }

    pub fn set_d_steps(&mut self, d_steps: usize) {
        self.config.d_steps = d_steps.max(1);
    }

    /// The generator to sample from, without autodiff: the moving average of the weights
    /// where the preset keeps one, else the generator being trained.
    pub fn generator(&self) -> Generator<B::InnerBackend> {
        match &self.average {
            Some(average) => average.detached_copy(),
            None => self.generator.valid(),
        }
    }

    /// Width of the noise the generator takes, without copying a generator to ask it.
    pub fn latent_dim(&self) -> usize {
        self.generator.latent_dim()
    }

    /// Moves the average towards the generator just updated. The decay ramps up from 0.1
    /// (TensorFlow's `num_updates` rule), so early digits do not lag far behind training.
    fn update_average(&mut self) {
        let (Some(average), Some(decay)) =
            (self.average.take(), self.config.preset.average_decay())
        else {
            return;
        };
        let ramp = (1 + self.step) as f64 / (10 + self.step) as f64;
        self.average = Some(average.blend_towards(&self.generator.valid(), decay.min(ramp)));
    }

    /// The discriminator without autodiff, for inspection.
    pub fn discriminator(&self) -> Discriminator<B::InnerBackend> {
        self.discriminator.valid()
    }

    /// k discriminator steps, then one generator step (Goodfellow et al., algorithm 1).
    pub fn step(&mut self, data: &RealImages<B>) -> StepStats<B::InnerBackend> {
        self.step_with(StepMode::Both, data)
    }

    /// One step of the kind `mode` names; every mode measures all four figures on its batch.
    ///
    /// The generator step reuses the last fake batch that D was trained on, as PyTorch's DCGAN
    /// example does: one generator forward pass fewer per step.
    pub fn step_with(
        &mut self,
        mode: StepMode,
        data: &RealImages<B>,
    ) -> StepStats<B::InnerBackend> {
        let loss = self.config.loss;
        let real_label = self.config.preset.real_label();
        let d_rounds = match mode {
            StepMode::Both => self.config.d_steps,
            StepMode::DiscriminatorOnly => 1,
            StepMode::GeneratorOnly => 0,
        };
        let mut last = None;
        let device = self.device.clone();
        let zero = || Tensor::<B::InnerBackend, 1>::zeros([1], &device);
        let mut d_grad_norm = zero();
        for _ in 0..d_rounds {
            let (real_logits, fake_logits, fake) =
                self.d_forward(data, &self.discriminator.clone());
            let d_loss = loss.discriminator(real_logits.clone(), fake_logits.clone(), real_label);
            let grads = GradientsParams::from_grads(d_loss.backward(), &self.discriminator);
            d_grad_norm = gradient_norm(&self.discriminator, &grads, &self.device);
            self.discriminator =
                self.optim_d
                    .step(self.config.lr_d, self.discriminator.clone(), grads);
            last = Some((fake, real_logits.inner(), fake_logits.inner()));
        }
        let (fake, real_logits, fake_logits) = match last {
            Some(last) => last,
            // G alone: D judges a fresh batch without learning from it.
            None => {
                let frozen = self.discriminator.clone().no_grad();
                let (real_logits, fake_logits, fake) = self.d_forward(data, &frozen);
                (fake, real_logits.inner(), fake_logits.inner())
            }
        };
        let d_loss = loss.discriminator(real_logits.clone(), fake_logits.clone(), real_label);
        let d_real = loss.d_output(real_logits).mean();
        let d_fake = loss.d_output(fake_logits.clone()).mean();

        let mut g_grad_norm = zero();
        let g_loss = if mode == StepMode::DiscriminatorOnly {
            loss.generator(fake_logits)
        } else {
            // D's parameters are constants here: gradients flow through D into G only.
            let fake = self.augment(fake, self.d_batches + GENERATOR_AUGMENT_OFFSET);
            let fake_logits = self.discriminator.clone().no_grad().forward(fake);
            let g_loss = loss.generator(fake_logits);
            let grads = GradientsParams::from_grads(g_loss.backward(), &self.generator);
            g_grad_norm = gradient_norm(&self.generator, &grads, &self.device);
            self.generator = self
                .optim_g
                .step(self.config.lr_g, self.generator.clone(), grads);
            self.update_average();
            self.step += 1;
            g_loss.inner()
        };

        StepStats {
            packed: Tensor::cat(
                vec![d_loss, g_loss, d_real, d_fake, g_grad_norm, d_grad_norm],
                0,
            ),
            step: self.step,
        }
    }

    /// D's logits on the next real batch and on a fresh fake batch, in one forward pass: D has
    /// no batch statistics, so this equals two passes, with larger, faster products.
    fn d_forward(
        &mut self,
        data: &RealImages<B>,
        discriminator: &Discriminator<B>,
    ) -> (Tensor<B, 2>, Tensor<B, 2>, Tensor<B, 2>) {
        let real = self.next_real_batch(data);
        let fake = self.generator.forward(self.noise_batch(self.d_batches));
        self.d_batches += 1;
        let batch = self.config.batch_size;
        let both = self.augment(
            Tensor::cat(vec![real, fake.clone().detach()], 0),
            self.d_batches,
        );
        let logits = discriminator.forward(both);
        let real_logits = logits.clone().narrow(0, 0, batch);
        let fake_logits = logits.narrow(0, batch, batch);
        (real_logits, fake_logits, fake)
    }

    /// `images` as D should see them: translated where the preset augments (see
    /// [`super::augment`]), by offsets that are a pure function of the seed and `index`, so a
    /// resumed run draws the same.
    fn augment(&self, images: Tensor<B, 2>, index: u64) -> Tensor<B, 2> {
        match self.config.preset.augment_shift() {
            Some(shift) => augment::translate(
                images,
                shift,
                &mut latent::rng_for(self.config.seed, Stream::Augment, index),
            ),
            None => images,
        }
    }

    /// Noise for D batch `index`: a pure function of the seed, so a resumed run draws the same.
    fn noise_batch(&self, index: u64) -> Tensor<B, 2> {
        let latent_dim = self.latent_dim();
        let mut rng = latent::rng_for(self.config.seed, Stream::Noise, index);
        let values = latent::normal(&mut rng, self.config.batch_size * latent_dim);
        Tensor::from_data(
            TensorData::new(values, [self.config.batch_size, latent_dim]),
            &self.device,
        )
    }

    /// The next batch of a per-epoch shuffle; an epoch's last partial batch is skipped.
    fn next_real_batch(&mut self, data: &RealImages<B>) -> Tensor<B, 2> {
        let batch = self.config.batch_size;
        let batches_per_epoch = (data.count / batch).max(1) as u64;
        let epoch = self.d_batches / batches_per_epoch;
        let position = (self.d_batches % batches_per_epoch) as usize * batch;
        if self.shuffled.as_ref().is_none_or(|(e, _)| *e != epoch) {
            self.shuffled = Some((epoch, shuffled_indices(data.count, self.config.seed, epoch)));
        }
        let order = &self.shuffled.as_ref().expect("just set").1;
        let indices: Vec<i32> = (position..position + batch)
            .map(|i| order[i % order.len()])
            .collect();
        let indices = Tensor::from_data(TensorData::new(indices, [batch]), &self.device);
        data.pixels.clone().select(0, indices)
    }
}

/// The L2 norm of `module`'s gradients in `grads`, as a one-element tensor on the device.
fn gradient_norm<B: AutodiffBackend, M: AutodiffModule<B>>(
    module: &M,
    grads: &GradientsParams,
    device: &B::Device,
) -> Tensor<B::InnerBackend, 1> {
    struct SquaredSum<'a, B: AutodiffBackend> {
        grads: &'a GradientsParams,
        total: Option<Tensor<B::InnerBackend, 1>>,
    }
    impl<B: AutodiffBackend> ModuleVisitor<B> for SquaredSum<'_, B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            if let Some(grad) = self.grads.get::<B::InnerBackend, D>(param.id) {
                let squares = grad.powi_scalar(2).sum();
                self.total = Some(match self.total.take() {
                    Some(total) => total + squares,
                    None => squares,
                });
            }
        }
    }
    let mut visitor = SquaredSum::<B> { grads, total: None };
    module.visit(&mut visitor);
    visitor
        .total
        .map_or_else(|| Tensor::zeros([1], device), |total| total.sqrt())
}

fn shuffled_indices(count: usize, seed: u64, epoch: u64) -> Vec<i32> {
    use rand::seq::SliceRandom;
    let mut order: Vec<i32> = (0..count as i32).collect();
    order.shuffle(&mut latent::rng_for(seed, Stream::Shuffle, epoch));
    order
}
