//! What D sees, live ([`crate::gan::what_d_sees`]): D's verdict on every grid digit; for one grid
//! digit, D's saliency, the change G's loss wants and the change G's steps actually made; and
//! D's verdicts on real against generated digits. Read on a worker a couple of times a second,
//! and only while the window or the grid's outlines show them, so no frame waits.

pub(super) mod verdict_frames;
pub(super) mod window;

use std::time::Duration;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};

use crate::app::options::{AppOptions, StartWindow};
use crate::app::preview::Previews;
use crate::app::preview::truncation::DrawTruncation;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::training::dataset::DatasetStatus;
use crate::app::training::{Session, TrainingState};
use crate::data::IMAGE_PIXELS;
use crate::gan::live::Players;
use crate::gan::sample::fixed_noise;
use crate::gan::what_d_sees::{Inspection, VerdictHistogram, cosine};
use crate::gan::{LossKind, Truncation};

/// Real and generated digits D judges for the histogram, each.
pub const HISTOGRAM_DIGITS: usize = 256;
pub const HISTOGRAM_BINS: usize = 20;
/// How often D is read again while training moves it.
const REFRESH: Duration = Duration::from_millis(500);

/// What the user asked to see.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct WhatDSeesView {
    /// The "What D sees" window (with the histogram).
    pub window_open: bool,
    /// Frame each grid digit in the colour of D's verdict on it.
    pub outline: bool,
    /// The grid digit looked at closely: the last one hovered.
    pub inspected: usize,
}

impl WhatDSeesView {
    /// Opens or closes the window. Opening it frames the grid too; closing it leaves the
    /// frames as they are (the checkbox in the window turns them off).
    pub fn toggle_window(&mut self) {
        self.window_open = !self.window_open;
        self.outline |= self.window_open;
    }
}

/// One grid digit as D sees it. It is drawn by the generator being trained, which one G step
/// changes, even where the grid shows the generator's moving average (which moves a few
/// thousandths of the way at a time, every few steps).
#[derive(Debug, Clone)]
pub struct InspectedDigit {
    /// Its place in the grid.
    pub index: usize,
    /// The digit as the generator being trained draws it now, values in [-1, 1].
    pub image: Vec<f32>,
    pub seen: Inspection,
    /// The change G's training made to the digit, per step, and over how many steps it was
    /// measured (from the previous reading). None until training has moved it.
    pub did: Option<(Vec<f32>, u64)>,
    /// How much the change G made agrees with the change its loss wants: their cosine.
    pub agreement: Option<f32>,
}

/// What D sees, as of `step`.
#[derive(Resource, Default, Debug)]
pub struct WhatDSeesReadings {
    /// D's verdict on each grid digit as drawn.
    pub grid_scores: Vec<f32>,
    pub inspected: Option<InspectedDigit>,
    /// Only while the window is open.
    pub histogram: Option<VerdictHistogram>,
    pub loss: Option<LossKind>,
    pub step: u64,
    /// Bumped by every reading.
    pub version: u64,
    /// The session, grid version and inspected digit of the last reading, and when it began.
    last: Option<(Duration, u64, u64, usize)>,
    /// The inspected digit at the last reading, to measure what the next steps do to it.
    earlier: Option<Earlier>,
}

/// A digit as an earlier reading saw it.
#[derive(Debug)]
struct Earlier {
    generation: u64,
    index: usize,
    truncation: Truncation,
    step: u64,
    image: Vec<f32>,
}

/// One reading, made on a worker.
struct Reading {
    generation: u64,
    truncation: Truncation,
    step: u64,
    loss: LossKind,
    grid_scores: Vec<f32>,
    index: usize,
    image: Vec<f32>,
    seen: Inspection,
    histogram: Option<VerdictHistogram>,
}

pub(super) fn plugin(app: &mut App) {
    let open = app
        .world()
        .get_resource::<AppOptions>()
        .is_some_and(|options| options.open.contains(&StartWindow::WhatDSees));
    app.insert_resource(WhatDSeesView {
        window_open: open,
        outline: open,
        inspected: 0,
    })
    .init_resource::<WhatDSeesReadings>()
    .add_systems(
        Update,
        read_what_d_sees
            .in_set(AppSystems::Sample)
            .in_set(SceneOnly::Digits)
            .after(crate::app::preview::refresh)
            .run_if(|view: Res<WhatDSeesView>| view.window_open || view.outline),
    );
}

fn read_what_d_sees(
    time: Res<Time>,
    session: NonSend<Session>,
    state: Res<TrainingState>,
    view: Res<WhatDSeesView>,
    previews: Res<Previews>,
    truncation: Res<DrawTruncation>,
    data: Res<DatasetStatus>,
    mut readings: ResMut<WhatDSeesReadings>,
    mut working: Local<Option<Task<Reading>>>,
) {
    if let Some(task) = working.as_mut() {
        let Some(reading) = check_ready(task) else {
            return;
        };
        *working = None;
        // A reading of another session or digit than the one now asked for is dropped: the
        // next one follows at once.
        if reading.generation == state.generation && reading.index == view.inspected {
            take(&mut readings, reading);
        }
    }
    let Some(live) = session.0.as_ref() else {
        return;
    };
    let key = (state.generation, previews.version, view.inspected);
    let stale = match readings.last {
        None => true,
        Some(_) if view.is_changed() || truncation.is_changed() => true,
        Some((at, generation, version, index)) => {
            generation != key.0
                || index != key.2
                || (version != key.1 && (time.elapsed() - at >= REFRESH || !state.playing))
        }
    };
    let Some(z) = previews.grid_latent(view.inspected) else {
        return;
    };
    if !stale || previews.grid.is_empty() {
        return;
    }
    // Copying the players can take a frame or two (see `LiveSession::players`).
    let Some(Players {
        step,
        discriminator,
        generator: trained,
    }) = live.players()
    else {
        return;
    };
    readings.bypass_change_detection().last = Some((time.elapsed(), key.0, key.1, key.2));
    let sampler = live.sampler();
    let grid: Vec<f32> = previews
        .grid
        .iter()
        .map(|&g| g as f32 / 127.5 - 1.0)
        .collect();
    let inspected = truncation.0.apply(&z);
    // The histogram's fakes start with the grid's own noise.
    let histogram_inputs = view.window_open.then(|| {
        let fakes = fixed_noise(
            state.settings.config.seed,
            HISTOGRAM_DIGITS,
            previews.latent_dim,
        );
        (truncation.0.apply(&fakes), spread_reals(&data))
    });
    let (generation, index, psi) = (state.generation, view.inspected, truncation.0);
    *working = Some(AsyncComputeTaskPool::get().spawn(async move {
        let image = trained.generate(&inspected);
        let histogram = histogram_inputs.map(|(fakes, reals)| {
            let fake_scores = discriminator.scores(&sampler.generate(&fakes));
            let real_scores = discriminator.scores(&reals);
            VerdictHistogram::new(
                discriminator.loss(),
                &real_scores,
                &fake_scores,
                HISTOGRAM_BINS,
            )
        });
        Reading {
            generation,
            truncation: psi,
            step,
            loss: discriminator.loss(),
            grid_scores: discriminator.scores(&grid),
            index,
            seen: discriminator.inspect(&image),
            image,
            histogram,
        }
    }));
}

/// [`HISTOGRAM_DIGITS`] real digits spread evenly over the dataset (none without data).
fn spread_reals(data: &DatasetStatus) -> Vec<f32> {
    let Some(loaded) = data.loaded() else {
        return Vec::new();
    };
    let count = loaded.count.min(HISTOGRAM_DIGITS);
    (0..count)
        .flat_map(|i| {
            let at = i * loaded.count / count * IMAGE_PIXELS;
            loaded.pixels[at..at + IMAGE_PIXELS].iter().copied()
        })
        .collect()
}

/// Stores a finished reading; what G did to the inspected digit is measured against the
/// previous reading of the same digit of the same session at the same truncation.
fn take(readings: &mut WhatDSeesReadings, reading: Reading) {
    let previous = readings.inspected.take();
    let earlier = readings.earlier.take().filter(|earlier| {
        earlier.generation == reading.generation
            && earlier.index == reading.index
            && earlier.truncation == reading.truncation
    });
    let did = match earlier {
        Some(earlier) if reading.step > earlier.step => {
            let steps = reading.step - earlier.step;
            let per_step = reading
                .image
                .iter()
                .zip(&earlier.image)
                .map(|(now, then)| (now - then) / steps as f32)
                .collect();
            Some((per_step, steps))
        }
        // No steps since: what the last steps did still stands.
        Some(_) => previous
            .filter(|p| p.index == reading.index)
            .and_then(|p| p.did),
        None => None,
    };
    let agreement = did
        .as_ref()
        .and_then(|(did, _)| cosine(&reading.seen.wanted, did));
    readings.earlier = Some(Earlier {
        generation: reading.generation,
        index: reading.index,
        truncation: reading.truncation,
        step: reading.step,
        image: reading.image.clone(),
    });
    readings.inspected = Some(InspectedDigit {
        index: reading.index,
        image: reading.image,
        seen: reading.seen,
        did,
        agreement,
    });
    readings.grid_scores = reading.grid_scores;
    if reading.histogram.is_some() {
        readings.histogram = reading.histogram;
    }
    readings.loss = Some(reading.loss);
    readings.step = reading.step;
    readings.version += 1;
}
