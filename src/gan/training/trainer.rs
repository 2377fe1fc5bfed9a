//! One GAN training loop for every front end: the CLI, the app and the tests all call
//! [`Trainer::step`]. It never reads the GPU back on its own; [`StepStats::read`] does, when
//! the caller decides the figures are worth a synchronisation.

use burn::module::AutodiffModule;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{GradientsParams, Optimizer};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;

use crate::gan::config::TrainConfig;
use crate::gan::latent::{self, Stream};
use crate::gan::model::{Discriminator, Generator};
use crate::gan::training::adam::{FusedAdam, gradient_norm};
use crate::gan::training::guard::Snapshot;
use crate::gan::training::inputs::{BatchInputs, InputStream};
pub use crate::gan::training::real_images::RealImages;
use crate::gan::training::slot::Slot;
use crate::gan::training::stats::{StepMode, StepStats};

type GeneratorOptimizer<B> = OptimizerAdaptor<FusedAdam, Generator<B>, B>;
type DiscriminatorOptimizer<B> = OptimizerAdaptor<FusedAdam, Discriminator<B>, B>;

/// Generator steps between updates of the moving average of its weights.
const AVERAGE_EVERY: u64 = 4;

/// Both networks, their optimisers and the position in the data stream.
pub struct Trainer<B: AutodiffBackend> {
    config: TrainConfig,
    pub(in crate::gan) generator: Slot<Generator<B>>,
    pub(in crate::gan) discriminator: Slot<Discriminator<B>>,
    pub(in crate::gan) optim_g: GeneratorOptimizer<B>,
    pub(in crate::gan) optim_d: DiscriminatorOptimizer<B>,
    /// Moving average of the generator's weights, which sampling uses, where the preset
    /// averages (see [`Preset::average_decay`]).
    pub(in crate::gan) average: Option<Generator<B::InnerBackend>>,
    /// Generator steps taken.
    pub(in crate::gan) step: u64,
    /// Real batches D has seen; fixes which images and noise come next.
    pub(in crate::gan) d_batches: u64,
    inputs: InputStream<B>,
    device: B::Device,
}

impl<B: AutodiffBackend> Trainer<B> {
    /// Fresh networks, initialised from `config.seed`.
    pub fn new(config: TrainConfig, device: &B::Device) -> Self {
        let mut rng = latent::rng_for(config.seed, Stream::Init, 0);
        let generator = config.generator().init(&mut rng, device);
        let discriminator = config.discriminator().init(&mut rng, device);
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
        let discriminator = config.discriminator().init(&mut rng, device);
        Self::from_parts(config, generator, discriminator, step, 0, device)
    }

    pub(in crate::gan) fn from_parts(
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
            inputs: InputStream::new(&config, device),
            config,
            generator: Slot::new(generator),
            discriminator: Slot::new(discriminator),
            step,
            d_batches,
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
            generator: Slot::new(self.generator.detached_copy()),
            discriminator: Slot::new(self.discriminator.clone()),
            optim_g: self.optim_g.clone(),
            optim_d: self.optim_d.clone(),
            average: self.average.as_ref().map(Generator::detached_copy),
            step: self.step,
            d_batches: self.d_batches,
            inputs: self.inputs.clone(),
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

    /// The generator being trained, without autodiff, even where sampling uses the moving
    /// average: what one G step changes.
    pub fn training_generator(&self) -> Generator<B::InnerBackend> {
        self.generator.valid().detached_copy()
    }

    /// Width of the noise the generator takes, without copying a generator to ask it.
    pub fn latent_dim(&self) -> usize {
        self.generator.latent_dim()
    }

    /// Moves the average towards the generator just updated, every [`AVERAGE_EVERY`] steps
    /// by the decay of that many steps at once: the blend is a kernel per tensor, and with a
    /// decay of 0.999 the average lags by a few steps in a thousand either way. The decay
    /// ramps up from 0.1 (TensorFlow's `num_updates` rule), so early digits do not lag far
    /// behind training.
    fn update_average(&mut self) {
        let Some(decay) = self.config.preset.average_decay() else {
            return;
        };
        if !self.step.is_multiple_of(AVERAGE_EVERY) {
            return;
        }
        let Some(average) = self.average.take() else {
            return;
        };
        let ramp = (1 + self.step) as f64 / (10 + self.step) as f64;
        let decay = decay.min(ramp).powi(AVERAGE_EVERY as i32);
        self.average = Some(average.blend_towards(&self.generator.valid(), decay));
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
        let d_rounds = match mode {
            StepMode::Both => self.config.d_steps,
            StepMode::DiscriminatorOnly => 1,
            StepMode::GeneratorOnly => 0,
        };
        let mut last = None;
        for round in 1..=d_rounds {
            let pass = self.d_forward(data, &self.discriminator.clone(), true);
            let d_loss = loss.discriminator(pass.logits.clone(), self.inputs.d_targets());
            // The figures show D's loss alone; the penalty only shapes its gradient.
            let objective = match &pass.input_gradient {
                Some(gradient) => d_loss.clone() + self.r1_penalty(gradient.clone()),
                None => d_loss.clone(),
            };
            let grads = GradientsParams::from_grads(objective.backward(), &*self.discriminator);
            // Only the last round's norm is shown: the others would cost kernels for nothing.
            let norm = (round == d_rounds).then(|| gradient_norm(&*self.discriminator, &grads));
            let (optim, lr) = (&mut self.optim_d, self.config.lr_d);
            self.discriminator.update(|d| optim.step(lr, d, grads));
            last = Some((pass, d_loss.inner(), norm.flatten()));
        }
        let (pass, d_loss, d_grad_norm) = match last {
            Some(last) => last,
            // G alone: D judges a fresh batch without learning from it.
            None => {
                let frozen = self.discriminator.clone().no_grad();
                let pass = self.d_forward(data, &frozen, false);
                let d_loss = loss
                    .discriminator(pass.logits.clone().inner(), self.inputs.d_targets().inner());
                (pass, d_loss, None)
            }
        };
        let logits = pass.logits.inner();
        let batch = self.config.batch_size;
        // Mean D output on the real half and on the fake half, in one reduction.
        let d_outputs = loss
            .d_output(logits.clone())
            .reshape([2, batch])
            .mean_dim(1)
            .reshape([2]);

        let mut g_grad_norm = None;
        let g_loss = if mode == StepMode::DiscriminatorOnly {
            loss.generator(logits.narrow(0, batch, batch))
        } else {
            // D's parameters are constants here: gradients flow through D into G only.
            let fake = self.augment(pass.fake, pass.g_offsets);
            let fake_logits = self
                .discriminator
                .clone()
                .no_grad()
                .forward_given(fake, pass.fake_classes);
            let g_loss = loss.generator(fake_logits);
            let grads = GradientsParams::from_grads(g_loss.backward(), &*self.generator);
            g_grad_norm = gradient_norm(&*self.generator, &grads);
            let (optim, lr) = (&mut self.optim_g, self.config.lr_g);
            self.generator.update(|g| optim.step(lr, g, grads));
            self.step += 1;
            self.update_average();
            g_loss.inner()
        };
        // A network the step did not train had no gradient: its norm is 0.
        let zero = || Tensor::zeros([1], &self.device);
        StepStats {
            parts: vec![
                d_loss,
                g_loss,
                d_outputs,
                g_grad_norm.unwrap_or_else(zero),
                d_grad_norm.unwrap_or_else(zero),
            ],
            step: self.step,
        }
    }

    /// R1: γ/2 · the mean over real digits of ‖∇ₓD(x)‖², from the closed-form input gradient
    /// of the whole `[2 · batch, 784]` pass (real digits first); times the interval R1 is
    /// applied at, so that it weighs as much on average.
    fn r1_penalty(&self, input_gradient: Tensor<B, 2>) -> Tensor<B, 1> {
        let batch = self.config.batch_size;
        let gamma = self.config.r1_gamma * self.config.r1_every as f64;
        input_gradient
            .narrow(0, 0, batch)
            .square()
            .sum()
            .mul_scalar(gamma / 2.0 / batch as f64)
    }

    /// D's logits on the next real batch and on a fresh fake batch, in one forward pass: D has
    /// no batch statistics, so this equals two passes, with larger, faster products. With
    /// `learning` and R1 on, also D's input gradient for the penalty.
    fn d_forward(
        &mut self,
        data: &RealImages<B>,
        discriminator: &Discriminator<B>,
        learning: bool,
    ) -> DPass<B> {
        let index = self.d_batches;
        let inputs = self.inputs.batch(
            index,
            &self.config,
            self.latent_dim(),
            data.count,
            &self.device,
        );
        self.d_batches += 1;
        let (real_classes, fake_classes) = self.classes_of(&inputs, data);
        let real = data.pixels.clone().select(0, inputs.real);
        let fake = self.generator.forward(inputs.noise);
        let both = self.augment(
            Tensor::cat(vec![real, fake.clone().detach()], 0),
            inputs.d_offsets,
        );
        let both_classes = real_classes
            .zip(fake_classes.clone())
            .map(|(real, fake)| Tensor::cat(vec![real, fake], 0));
        let penalized = self.config.r1_gamma > 0.0 && index.is_multiple_of(self.config.r1_every);
        let (logits, input_gradient) = if learning && penalized {
            let (logits, gradient) =
                discriminator.forward_with_input_gradient_given(both, both_classes);
            (logits, Some(gradient))
        } else {
            (discriminator.forward_given(both, both_classes), None)
        };
        DPass {
            logits,
            input_gradient,
            fake,
            fake_classes,
            g_offsets: inputs.g_offsets,
        }
    }

    /// For a conditional preset, the one-hot classes of the real batch (its labels) and of the
    /// fake one (those G was asked for, the codes' last columns).
    fn classes_of(
        &self,
        inputs: &BatchInputs<B>,
        data: &RealImages<B>,
    ) -> (Option<Tensor<B, 2>>, Option<Tensor<B, 2>>) {
        let classes = self.config.preset.classes();
        if classes == 0 {
            return (None, None);
        }
        let labels = data
            .labels
            .as_ref()
            .expect("a conditional run's images carry their labels (RealImages::with_labels)");
        let real = labels.clone().select(0, inputs.real.clone());
        let fake = inputs.noise.clone().narrow(1, self.latent_dim(), classes);
        (Some(real), Some(fake))
    }

    /// `images` as D should see them: translated where the preset augments (see
    /// [`crate::gan::training::augment`]) by `offsets`, which are a pure function of the seed and the batch,
    /// so a resumed run draws the same.
    fn augment(&self, images: Tensor<B, 2>, offsets: Option<Tensor<B, 1, Int>>) -> Tensor<B, 2> {
        match (self.inputs.translations(), offsets) {
            (Some(translations), Some(offsets)) => translations.apply(images, offsets),
            _ => images,
        }
    }
}

/// One D forward pass over a real and a fake batch.
struct DPass<B: AutodiffBackend> {
    /// `[2 · batch, 1]`: the real images' logits, then the fakes'.
    logits: Tensor<B, 2>,
    /// `[2 · batch, 784]`: ∂logit/∂image, when R1 needs it.
    input_gradient: Option<Tensor<B, 2>>,
    /// The fake batch, still attached to G's graph.
    fake: Tensor<B, 2>,
    /// `[batch, classes]`: what G was asked to draw, for a conditional preset.
    fake_classes: Option<Tensor<B, 2>>,
    /// How the G step that follows shifts `fake` for D.
    g_offsets: Option<Tensor<B, 1, Int>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::CpuBackend;
    use crate::data::IMAGE_PIXELS;
    use crate::gan::Preset;

    fn rows<K: burn::tensor::BasicOps<CpuBackend>>(
        tensor: Tensor<CpuBackend, 2, K>,
    ) -> Vec<Vec<f32>> {
        let width = tensor.dims()[1];
        let values: Vec<f32> = tensor.into_data().convert::<f32>().to_vec().unwrap();
        values.chunks(width).map(<[f32]>::to_vec).collect()
    }

    /// Images whose pixels spell their label reach D with one-hot rows that agree, through
    /// the shuffle and across an epoch; the classes asked of G are one-hot rows too, the same
    /// when a fresh stream (a resumed run) draws the batch again.
    #[test]
    fn real_digits_bring_their_own_labels_to_d() {
        let device = Default::default();
        let labels: Vec<u8> = (0..50).map(|i| (i * 7 % 10) as u8).collect();
        let pixels: Vec<f32> = labels
            .iter()
            .flat_map(|&label| vec![f32::from(label) / 10.0; IMAGE_PIXELS])
            .collect();
        let data = RealImages::<CpuBackend>::new(pixels, &device).with_labels(&labels, 10);
        let config = TrainConfig {
            preset: Preset::Conditional,
            batch_size: 8,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::<CpuBackend>::new(config.clone(), &device);
        let one_hot_class = |row: &[f32]| {
            assert_eq!(row.iter().sum::<f32>(), 1.0, "{row:?}");
            row.iter().position(|&v| v == 1.0).unwrap()
        };
        // 50 images make 6 batches of 8 an epoch: batch 7 is in the second.
        for index in [0, 5, 7] {
            let inputs = trainer
                .inputs
                .batch(index, &config, 100, data.len(), &device);
            let (real, fake) = trainer.classes_of(&inputs, &data);
            let images = rows(data.pixels.clone().select(0, inputs.real.clone()));
            for (image, label) in images.iter().zip(rows(real.unwrap())) {
                assert_eq!(one_hot_class(&label), (image[0] * 10.0).round() as usize);
            }
            let asked: Vec<usize> = rows(fake.unwrap())
                .iter()
                .map(|r| one_hot_class(r))
                .collect();
            let mut fresh = InputStream::<CpuBackend>::new(&config, &device);
            let again = fresh.batch(index, &config, 100, data.len(), &device);
            let codes = rows(again.noise);
            assert_eq!(codes[0].len(), 110, "noise, then the class asked");
            let asked_again: Vec<usize> = codes.iter().map(|c| one_hot_class(&c[100..])).collect();
            assert_eq!(asked, asked_again, "batch {index}");
        }
    }
}
