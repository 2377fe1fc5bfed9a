//! Loads the dataset on a background thread, downloading it on first use, so the window opens
//! at once and never freezes; the panels show progress and, on failure, what to do.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use bevy::prelude::*;

use crate::app::options::AppOptions;
use crate::app::schedule::{AppSystems, SceneOnly};
use crate::data::download::Progress;
use crate::data::source::{self, DataRequest};
use crate::data::{Dataset, IMAGE_PIXELS, Images};

/// Real digits shown beside the generated ones.
const REAL_STRIP: usize = 8;

/// Training images on the host, shared with whoever opens a session.
pub struct LoadedData {
    /// All images, normalised to [-1, 1].
    pub pixels: Vec<f32>,
    pub count: usize,
    /// A few real digits as bytes, for comparison.
    pub strip: Images,
    /// Where they came from, for the status panel.
    pub description: String,
    /// The images and labels as loaded: what the judge trains on.
    pub dataset: Dataset,
}

#[derive(Resource, Clone)]
pub enum DatasetStatus {
    Loading {
        message: String,
        fraction: Option<f32>,
    },
    Ready(Arc<LoadedData>),
    /// No data (offline, files missing, unreadable): the full message says what to do.
    Unavailable(String),
}

impl DatasetStatus {
    pub fn loaded(&self) -> Option<&Arc<LoadedData>> {
        match self {
            Self::Ready(data) => Some(data),
            _ => None,
        }
    }
}

enum LoadEvent {
    Progress {
        message: String,
        fraction: Option<f32>,
    },
    Done(Result<LoadedData, String>),
}

/// The loader thread's end of the channel; a Mutex makes the receiver shareable.
#[derive(Resource)]
struct Loader(Mutex<Receiver<LoadEvent>>);

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(DatasetStatus::Loading {
        message: "looking for the dataset…".into(),
        fraction: None,
    })
    .add_systems(
        Update,
        (start_loading.in_set(SceneOnly::Digits), poll_loader)
            .chain()
            .in_set(AppSystems::Input),
    );
}

/// Starts the loader the first time the digits are shown: the toy lab needs no download.
fn start_loading(mut commands: Commands, options: Res<AppOptions>, mut started: Local<bool>) {
    if std::mem::replace(&mut *started, true) {
        return;
    }
    let (sender, receiver) = channel();
    let options = options.clone();
    std::thread::Builder::new()
        .name("dataset".into())
        .spawn(move || {
            let result = load(&options, &sender);
            let _ = sender.send(LoadEvent::Done(result));
        })
        .expect("spawn the dataset thread");
    commands.insert_resource(Loader(Mutex::new(receiver)));
}

fn load(options: &AppOptions, sender: &Sender<LoadEvent>) -> Result<LoadedData, String> {
    let request = DataRequest {
        kind: options.dataset,
        explicit_dir: options.data.as_deref(),
        allow_download: !options.offline,
    };
    let mut progress = ChannelProgress {
        sender: sender.clone(),
        file: String::new(),
        total: None,
        done: 0,
    };
    let (source, dataset) = source::load(&request, &mut progress).map_err(|e| e.to_string())?;
    let strip = Images {
        count: REAL_STRIP.min(dataset.len()),
        rows: dataset.images.rows,
        cols: dataset.images.cols,
        pixels: dataset.images.pixels[..REAL_STRIP.min(dataset.len()) * IMAGE_PIXELS].to_vec(),
    };
    Ok(LoadedData {
        pixels: dataset.normalized_pixels(),
        count: dataset.len(),
        strip,
        description: format!("{} {} digits from {source}", dataset.len(), options.dataset),
        dataset,
    })
}

/// Forwards download progress to the window.
struct ChannelProgress {
    sender: Sender<LoadEvent>,
    file: String,
    total: Option<u64>,
    done: u64,
}

impl ChannelProgress {
    fn send(&self) {
        let _ = self.sender.send(LoadEvent::Progress {
            message: format!("downloading {} ({} kB)", self.file, self.done / 1000),
            fraction: self.total.map(|t| self.done as f32 / t.max(1) as f32),
        });
    }
}

impl Progress for ChannelProgress {
    fn start(&mut self, file: &str, total_bytes: Option<u64>) {
        self.file = file.to_string();
        self.total = total_bytes;
        self.done = 0;
        self.send();
    }

    fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        self.send();
    }

    fn finish(&mut self) {}
}

fn poll_loader(
    mut commands: Commands,
    loader: Option<Res<Loader>>,
    mut status: ResMut<DatasetStatus>,
) {
    let Some(loader) = loader else { return };
    let receiver = loader.0.lock().expect("loader lock");
    for event in receiver.try_iter() {
        match event {
            LoadEvent::Progress { message, fraction } => {
                *status = DatasetStatus::Loading { message, fraction }
            }
            LoadEvent::Done(Ok(data)) => {
                info!("data: {}", data.description);
                *status = DatasetStatus::Ready(Arc::new(data));
                commands.remove_resource::<Loader>();
            }
            LoadEvent::Done(Err(message)) => {
                warn!("no training data: {message}");
                *status = DatasetStatus::Unavailable(message);
                commands.remove_resource::<Loader>();
            }
        }
    }
}
