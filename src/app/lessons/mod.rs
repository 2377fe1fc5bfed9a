//! The judge in the app: a worker thread obtains the dataset's classifier (cached, or trained
//! once), then scores the live generator every few hundred steps. Samples are generated a
//! chunk per frame and judged off the frame loop, so frames never stall. The detectors of the
//! course's failures are recomputed whenever new figures arrive.

pub(super) mod panel;

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use bevy::prelude::*;

use crate::app::preview::Previews;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::training::dataset::{DatasetStatus, LoadedData};
use crate::app::training::{Session, TrainingState};
use crate::backend::{Cpu, CpuBackend};
use crate::data::IMAGE_PIXELS;
use crate::gan::latent::{self, Stream};
use crate::judge::classifier::CLASSES;
use crate::judge::detect::{self, Finding, Lang};
use crate::judge::metrics::Scores;
use crate::judge::{self, Judge};

/// Generated digits per evaluation.
pub const SAMPLES: usize = 1000;
/// Generated per frame while collecting: a few milliseconds.
const CHUNK: usize = 100;
/// Steps between evaluations.
const EVERY_STEPS: u64 = 200;
/// Steps before the mode-collapse detector gives a verdict.
const COLLAPSE_WARMUP_STEPS: u64 = 1000;
/// Real digits shown for the hovered generated one.
pub const NEAREST: usize = 6;

/// Where the judge is.
#[derive(Debug, Clone, Default)]
pub enum JudgeStatus {
    /// Waiting for the dataset.
    #[default]
    Waiting,
    Training(f32),
    Ready {
        accuracy: f64,
    },
    Unavailable(String),
}

/// The closest real digits to one generated digit, in the judge's feature space.
#[derive(Debug, Clone)]
pub struct Nearest {
    pub grid_index: usize,
    /// The judge's class for the generated digit and its probability.
    pub class: usize,
    pub confidence: f32,
    /// 28×28 grey images and their true labels.
    pub images: Vec<(Vec<u8>, u8)>,
}

#[derive(Resource, Default)]
pub struct Quality {
    pub judge: JudgeStatus,
    /// (step, scores) of every evaluation of the current session.
    pub history: Vec<(u64, Scores)>,
    /// Pairwise diversity of the fixed-noise grid over that of real digits.
    pub diversity: Option<f64>,
    /// The judge's class of each grid digit (latest evaluation).
    pub grid_classes: Vec<usize>,
    pub findings: Vec<Finding>,
    pub lang: Lang,
    pub colour_by_class: bool,
    pub nearest: Option<Nearest>,
    /// The grid digit under the pointer (written by the sprites plugin).
    pub hovered: Option<usize>,
    collecting: Option<Collecting>,
    in_flight: bool,
    last_evaluated: Option<(u64, u64)>,
    asked_nearest: Option<(usize, u64)>,
    findings_key: Option<(usize, usize, Lang)>,
}

struct Collecting {
    step: u64,
    generation: u64,
    noise: Vec<f32>,
    images: Vec<f32>,
}

enum Request {
    Score {
        step: u64,
        generation: u64,
        samples: Vec<f32>,
        grid: Vec<f32>,
    },
    Nearest {
        grid_index: usize,
        image: Vec<f32>,
    },
}

enum Reply {
    Training(f32),
    Ready(f64),
    Failed(String),
    Scored {
        step: u64,
        generation: u64,
        scores: Scores,
        diversity: f64,
        grid_classes: Vec<usize>,
    },
    Nearest(Nearest),
}

/// The worker's ends of the channels (a Mutex makes the receiver shareable).
#[derive(Resource)]
struct Worker {
    requests: Sender<Request>,
    replies: Mutex<Receiver<Reply>>,
}

pub(super) fn plugin(app: &mut App) {
    let lang = app
        .world()
        .resource::<crate::app::options::AppOptions>()
        .lang;
    app.insert_resource(Quality { lang, ..default() })
        .add_systems(
            Update,
            (
                (start_worker, receive).in_set(AppSystems::Input),
                (collect_samples, ask_nearest, update_findings)
                    .in_set(AppSystems::Sample)
                    .in_set(SceneOnly::Digits),
            ),
        );
}

fn start_worker(
    mut commands: Commands,
    data: Res<DatasetStatus>,
    worker: Option<Res<Worker>>,
    mut quality: ResMut<Quality>,
) {
    if worker.is_some() || !matches!(quality.judge, JudgeStatus::Waiting) {
        return;
    }
    let data = match &*data {
        DatasetStatus::Ready(data) => Arc::clone(data),
        DatasetStatus::Unavailable(_) => {
            quality.judge = JudgeStatus::Unavailable(
                "it compares generated digits with real ones, and there are none here".into(),
            );
            return;
        }
        DatasetStatus::Loading { .. } => return,
    };
    let (requests, inbox) = channel();
    let (outbox, replies) = channel();
    let spawned = std::thread::Builder::new()
        .name("judge".into())
        .spawn(move || serve(&data, &inbox, &outbox));
    match spawned {
        Ok(_) => {
            quality.judge = JudgeStatus::Training(0.0);
            commands.insert_resource(Worker {
                requests,
                replies: Mutex::new(replies),
            });
        }
        Err(err) => quality.judge = JudgeStatus::Unavailable(err.to_string()),
    }
}

/// The worker thread: obtains the judge, then answers requests until the app closes.
fn serve(data: &LoadedData, inbox: &Receiver<Request>, outbox: &Sender<Reply>) {
    // Judging is background work: the frames' threads come first.
    crate::backend::set_thread_niceness(crate::backend::BACKGROUND_NICENESS);
    let device = Default::default();
    let cache = crate::data::source::cache_dir(data.dataset.kind);
    let mut last = 0.0;
    let mut progress = |done: usize, total: usize| {
        let fraction = done as f32 / total.max(1) as f32;
        if fraction - last >= 0.01 {
            last = fraction;
            let _ = outbox.send(Reply::Training(fraction));
        }
    };
    let judge = match judge::obtain::<CpuBackend>(
        &data.dataset,
        cache.as_deref(),
        &device,
        &mut progress,
    ) {
        Ok((judge, _)) => judge,
        Err(err) => {
            let _ = outbox.send(Reply::Failed(err.to_string()));
            return;
        }
    };
    let _ = outbox.send(Reply::Ready(judge.info.accuracy));
    for request in inbox {
        let reply = match request {
            Request::Score {
                step,
                generation,
                samples,
                grid,
            } => {
                let (scores, _) = judge.score(&samples);
                let (_, grid_judged) = judge.score(&grid);
                Reply::Scored {
                    step,
                    generation,
                    scores,
                    diversity: judge.reference.diversity_ratio(&grid),
                    grid_classes: (0..grid_judged.len())
                        .map(|i| grid_judged.class_of(i))
                        .collect(),
                }
            }
            Request::Nearest { grid_index, image } => {
                nearest(&judge, &data.dataset, grid_index, &image)
            }
        };
        if outbox.send(reply).is_err() {
            return;
        }
    }
}

fn nearest(
    judge: &Judge<Cpu>,
    dataset: &crate::data::Dataset,
    grid_index: usize,
    image: &[f32],
) -> Reply {
    let (_, judged) = judge.score(image);
    let class = judged.class_of(0);
    let images = judge
        .nearest_real(&judged.features, NEAREST)
        .into_iter()
        .map(|i| (dataset.images.image(i).to_vec(), dataset.labels[i]))
        .collect();
    Reply::Nearest(Nearest {
        grid_index,
        class,
        confidence: judged.probabilities[class],
        images,
    })
}

fn receive(worker: Option<Res<Worker>>, state: Res<TrainingState>, mut quality: ResMut<Quality>) {
    let Some(worker) = worker else { return };
    let replies = worker.replies.lock().expect("judge replies");
    for reply in replies.try_iter() {
        match reply {
            Reply::Training(fraction) => quality.judge = JudgeStatus::Training(fraction),
            Reply::Ready(accuracy) => quality.judge = JudgeStatus::Ready { accuracy },
            Reply::Failed(message) => quality.judge = JudgeStatus::Unavailable(message),
            Reply::Scored {
                step,
                generation,
                scores,
                diversity,
                grid_classes,
            } => {
                quality.in_flight = false;
                if generation != state.generation {
                    continue; // a session that was replaced meanwhile
                }
                // After a rollback, evaluations past the restored step are from another timeline.
                quality.history.retain(|(s, _)| *s < step);
                quality.history.push((step, scores));
                quality.diversity = Some(diversity);
                quality.grid_classes = grid_classes;
            }
            Reply::Nearest(found) => quality.nearest = Some(found),
        }
    }
}

/// Generates one chunk of samples per frame; sends them to the judge when complete.
fn collect_samples(
    session: NonSend<Session>,
    state: Res<TrainingState>,
    previews: Res<Previews>,
    worker: Option<Res<Worker>>,
    mut quality: ResMut<Quality>,
) {
    let (Some(live), Some(worker)) = (session.0.as_ref(), worker) else {
        return;
    };
    if !matches!(quality.judge, JudgeStatus::Ready { .. }) || quality.in_flight {
        return;
    }
    let step = live.step_count();
    let generation = state.generation;
    if quality.last_evaluated.is_some_and(|(_, g)| g != generation) {
        // A new session: its own history.
        quality.history.clear();
        quality.grid_classes.clear();
        quality.diversity = None;
        quality.last_evaluated = None;
    }
    if quality.collecting.is_none() {
        let due = match quality.last_evaluated {
            None => true,
            Some((at, _)) => step >= at + EVERY_STEPS || (step != at && !state.playing),
        };
        if !due || previews.grid.is_empty() {
            return;
        }
        let dim = live.latent_dim();
        let mut rng = latent::rng_for(state.settings.config.seed, Stream::Sample, 1);
        quality.collecting = Some(Collecting {
            step,
            generation,
            noise: latent::normal(&mut rng, SAMPLES * dim),
            images: Vec::with_capacity(SAMPLES * IMAGE_PIXELS),
        });
    }
    let Some(collecting) = quality.collecting.as_mut() else {
        return;
    };
    if collecting.generation != generation {
        quality.collecting = None;
        return;
    }
    let dim = live.latent_dim();
    let done = collecting.images.len() / IMAGE_PIXELS;
    let end = (done + CHUNK).min(SAMPLES);
    let images = live.generate(&collecting.noise[done * dim..end * dim]);
    collecting.images.extend(images);
    if end < SAMPLES {
        return;
    }
    let collecting = quality.collecting.take().expect("checked");
    let grid = crate::data::normalize(&previews.grid);
    let sent = worker.requests.send(Request::Score {
        step: collecting.step,
        generation: collecting.generation,
        samples: collecting.images,
        grid,
    });
    quality.in_flight = sent.is_ok();
    quality.last_evaluated = Some((collecting.step, collecting.generation));
}

/// Asks for the nearest real digits whenever another grid digit is hovered (or it changed).
fn ask_nearest(previews: Res<Previews>, worker: Option<Res<Worker>>, mut quality: ResMut<Quality>) {
    let (Some(worker), Some(index)) = (worker, quality.hovered) else {
        return;
    };
    if !matches!(quality.judge, JudgeStatus::Ready { .. })
        || quality.asked_nearest == Some((index, previews.version))
    {
        return;
    }
    let Some(grey) = Previews::image(&previews.grid, index) else {
        return;
    };
    let image = crate::data::normalize(grey);
    if worker
        .requests
        .send(Request::Nearest {
            grid_index: index,
            image,
        })
        .is_ok()
    {
        quality.asked_nearest = Some((index, previews.version));
    }
}

/// Recomputes the detectors when figures arrive or the language changes.
fn update_findings(state: Res<TrainingState>, mut quality: ResMut<Quality>) {
    let key = (state.history.len(), quality.history.len(), quality.lang);
    if quality.findings_key == Some(key) {
        return;
    }
    let lang = quality.lang;
    // Before a thousand steps every generator draws unfinished blobs: too early to call that
    // a collapse.
    let latest = quality
        .history
        .last()
        .filter(|(step, _)| *step >= COLLAPSE_WARMUP_STEPS)
        .map(|(_, s)| s);
    quality.findings = vec![
        detect::mode_collapse(latest, quality.diversity, lang),
        detect::vanishing_gradients(&state.history, state.settings.config.loss, lang),
        detect::instability(&state.history, &quality.history, lang),
        detect::equilibrium(&state.history, lang),
    ];
    quality.findings_key = Some(key);
}

/// A colour per class, for tinting grid digits by what the judge sees in them.
pub fn class_colour(class: usize) -> Color {
    Color::hsl(360.0 * (class % CLASSES) as f32 / CLASSES as f32, 0.75, 0.7)
}
