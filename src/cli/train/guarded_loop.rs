//! The guarded training loop that `train` and `toy train` share: steps behind the divergence
//! guard, the lessons' watch, a progress bar, checkpoints, Ctrl-C and the progress frames.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use burn::tensor::backend::AutodiffBackend;

use super::frames::Frames;
use crate::cli::Outcome;
use crate::gan::training::run::GuardedRun;
use crate::gan::{RealImages, StepMode, StepValues, Trainer};
use crate::judge::detect::Lang;
use crate::judge::watch::Watch;

/// Steps between read-backs of the statistics: each one waits for the GPU.
const STATS_EVERY: u64 = 20;

/// One run of the guarded loop, as `train` and `toy train` hand it over.
pub(in crate::cli) struct Loop<'a, B: AutodiffBackend> {
    pub(in crate::cli) trainer: Trainer<B>,
    pub(in crate::cli) data: RealImages<B>,
    /// Train until this many generator steps in total.
    pub(in crate::cli) target: u64,
    pub(in crate::cli) out: &'a Path,
    pub(in crate::cli) save_every: u64,
    /// The digits' progress frames, and every how many steps they are drawn.
    pub(in crate::cli) frames: Option<(Frames<B>, u64)>,
    pub(in crate::cli) lang: Lang,
}

/// Trains to the target behind the divergence guard, with the lessons' watch, a progress bar,
/// checkpoints every `save_every` steps and on Ctrl-C, and the frames where there are any.
pub(in crate::cli) fn run_loop<B: AutodiffBackend>(plan: Loop<'_, B>) -> anyhow::Result<Outcome> {
    let Loop {
        trainer,
        data,
        target,
        out,
        save_every,
        mut frames,
        lang,
    } = plan;
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupted.clone();
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
            .context("cannot install the Ctrl-C handler")?;
    }
    let start_step = trainer.step_count();
    let bar = crate::cli::progress::training_bar(start_step, target.max(start_step));
    let started = Instant::now();
    if let Some((frames, _)) = frames.as_mut() {
        frames.write(&trainer, start_step == 0)?;
    }
    let finish_frames = |frames: Option<(Frames<B>, u64)>| match frames {
        Some((frames, every)) => frames.finish(every),
        None => Ok(()),
    };
    let mut last: Option<StepValues> = None;
    let loss = trainer.config().loss;
    let mut run = GuardedRun::new(trainer).watched_by(Watch::new(loss, lang));
    while run.trainer().step_count() < target {
        if interrupted.load(Ordering::SeqCst) {
            bar.abandon();
            let (saved, reviewed) = run.save(out)?;
            reviewed.remarks.iter().for_each(|line| eprintln!("{line}"));
            if let Some(divergence) = reviewed.divergence {
                eprintln!("{divergence}");
            }
            eprintln!(
                "interrupted at step {}: checkpoint saved to {}; continue with --resume",
                run.trainer().step_count(),
                saved.display()
            );
            finish_frames(frames)?;
            return Ok(Outcome::Interrupted);
        }
        run.step(StepMode::Both, &data);
        let step = run.trainer().step_count();
        bar.set_position(step);
        let saving = step % save_every == 0 && step < target;
        if step % STATS_EVERY == 0 || step == target || saving {
            // One read-back for every step since the last; checked before anything is saved.
            let reviewed = run.review();
            for line in &reviewed.remarks {
                bar.suspend(|| eprintln!("{line}"));
            }
            if let Some(divergence) = reviewed.divergence {
                bar.abandon();
                let saved = run.save_reviewed(out)?;
                finish_frames(frames)?;
                bail!(
                    "{divergence}, saved as {}. Resume from there with lower learning rates \
                     (--resume --lr-g … --lr-d …)",
                    saved.display()
                );
            }
            if let Some(values) = reviewed.values.last() {
                let rate = real_images_seen(run.trainer(), start_step) as f64
                    / started.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(progress_message(
                    values,
                    run.trainer().epoch(data.len()),
                    rate,
                ));
                last = Some(*values);
            }
        }
        if let Some((frames, every)) = frames.as_mut()
            && step % *every == 0
        {
            frames.write(run.trainer(), true)?;
        }
        if saving {
            let saved = run.save_reviewed(out)?;
            if bar.is_hidden() {
                eprintln!("step {step}/{target}: checkpoint {}", saved.display());
            }
        }
    }
    bar.finish();
    let saved = run.save_reviewed(out)?;
    let frames_folder = frames
        .as_ref()
        .map(|(frames, _)| frames.folder().to_path_buf());
    finish_frames(frames)?;
    let trainer = run.trainer();
    let elapsed = started.elapsed().as_secs_f64();
    let trained = trainer.step_count() - start_step;
    let samples = real_images_seen(trainer, start_step);
    eprintln!(
        "trained {trained} steps in {elapsed:.1} s ({:.0} samples/s); checkpoint: {}{}",
        samples as f64 / elapsed.max(1e-9),
        saved.display(),
        frames_folder.map_or(String::new(), |folder| format!(
            "; frames: {}",
            folder.display()
        ))
    );
    if let Some(values) = last {
        println!(
            "step {} · D loss {:.4} · G loss {:.4} · D(x) {:.3} · D(G(z)) {:.3}",
            values.step, values.d_loss, values.g_loss, values.d_real, values.d_fake
        );
    }
    Ok(Outcome::Done)
}

/// The progress bar's line: where training is, and how fast.
fn progress_message(values: &StepValues, epoch: f64, samples_per_s: f64) -> String {
    format!(
        "epoch {epoch:.2} · D {:.3} · G {:.3} · D(x) {:.2} · D(G(z)) {:.2} · {samples_per_s:.0} \
         samples/s",
        values.d_loss, values.g_loss, values.d_real, values.d_fake
    )
}

/// Real images D has consumed since `start_step`: what "samples/s" counts.
fn real_images_seen<B: AutodiffBackend>(trainer: &Trainer<B>, start_step: u64) -> u64 {
    let per_step = trainer.config().batch_size * trainer.config().d_steps;
    (trainer.step_count() - start_step) * per_step as u64
}
