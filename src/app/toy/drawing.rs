//! Draw your own data: paint points on the toy picture with a brush, erase them, save them as
//! CSV and train on them. GAN Lab cannot take a user's data (poloclub/ganlab#10); here any
//! drawing becomes a data set, kept as a file a checkpoint can name.

use std::path::PathBuf;

use bevy::prelude::*;

use crate::app::schedule::{AppSystems, SceneOnly};
use crate::app::training::{Control, TrainingState};
use crate::gan::latent::{SeededRng, Stream, normal, rng_for};
use crate::toy::ToyData;

/// Most points a drawing holds.
pub const MOST_DRAWN: usize = 20_000;

/// The points being drawn, in the data's units, until cleared.
#[derive(Resource)]
pub struct Drawing {
    /// Painting with the mouse instead of hovering.
    pub on: bool,
    /// `n × 2` coordinates.
    pub points: Vec<f32>,
    /// The brush's spread (σ of the painted points) as a share of the view's half-side.
    pub spread: f32,
    /// Where the drawing is saved to train on it.
    pub path: String,
    /// Bumped on every change, so the picture is redrawn.
    pub version: u64,
    rng: SeededRng,
}

impl Default for Drawing {
    fn default() -> Self {
        Self {
            on: false,
            points: Vec::new(),
            spread: 0.03,
            path: "runs/app/drawn.csv".into(),
            version: 0,
            rng: rng_for(0, Stream::Sample, 7),
        }
    }
}

/// What the mouse, the panel or a script does to the drawing.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum DrawControl {
    SetDrawing(bool),
    /// Paints `count` points around `at` (data units), spread by the brush.
    Paint {
        at: [f32; 2],
        count: usize,
    },
    /// Removes the points within `radius` of `at` (data units).
    Erase {
        at: [f32; 2],
        radius: f32,
    },
    Clear,
    /// Saves the drawing as CSV at this path and resets onto it.
    TrainOn(PathBuf),
    /// Saves the data being trained on (the drawing, where there is one) as CSV.
    SaveData(PathBuf),
    /// Resets onto the points of any CSV file.
    Load(PathBuf),
}

/// Real points [`DrawControl::SaveData`] writes of a built-in shape.
const SAVED_POINTS: usize = 10_000;

pub(in crate::app) fn plugin(app: &mut App) {
    app.init_resource::<Drawing>()
        .add_message::<DrawControl>()
        .add_systems(
            Update,
            apply_controls
                .in_set(AppSystems::Input)
                .in_set(SceneOnly::Toy),
        );
}

fn apply_controls(
    mut requests: MessageReader<DrawControl>,
    mut drawing: ResMut<Drawing>,
    mut state: ResMut<TrainingState>,
    mut controls: MessageWriter<Control>,
) {
    let extent = state.settings.config.toy.as_ref().map_or(1.0, |t| t.extent);
    for request in requests.read() {
        match request {
            DrawControl::SetDrawing(on) => drawing.on = *on,
            DrawControl::Paint { at, count } => {
                let room = MOST_DRAWN.saturating_sub(drawing.points.len() / 2);
                let sigma = drawing.spread * extent;
                let noise = normal(&mut drawing.rng, 2 * (*count).min(room));
                let painted: Vec<f32> = noise
                    .chunks_exact(2)
                    .flat_map(|d| [at[0] + d[0] * sigma, at[1] + d[1] * sigma])
                    .collect();
                drawing.points.extend(painted);
                drawing.version += 1;
            }
            DrawControl::Erase { at, radius } => {
                let kept: Vec<f32> = drawing
                    .points
                    .chunks_exact(2)
                    .filter(|p| (p[0] - at[0]).hypot(p[1] - at[1]) > *radius)
                    .flatten()
                    .copied()
                    .collect();
                drawing.points = kept;
                drawing.version += 1;
            }
            DrawControl::Clear => {
                drawing.points.clear();
                drawing.version += 1;
            }
            DrawControl::TrainOn(path) => {
                let batch = state.settings.config.batch_size;
                if drawing.points.len() / 2 < batch {
                    state.notice = Some(format!(
                        "draw at least {batch} points (one batch) to train on them; {} so far",
                        drawing.points.len() / 2
                    ));
                    continue;
                }
                let saved = save(path, &drawing.points, 2);
                match saved {
                    Ok(data) => {
                        let mut settings = state.settings.clone();
                        settings.config.toy = Some(data.setup());
                        controls.write(Control::Apply(settings));
                        controls.write(Control::Reset);
                        drawing.on = false;
                        state.notice = Some(format!(
                            "training on your {} points, saved as {}",
                            drawing.points.len() / 2,
                            crate::fsutil::tidy(path)
                        ));
                    }
                    Err(message) => state.notice = Some(message),
                }
            }
            DrawControl::SaveData(path) => {
                let points = match (&state.settings.config.toy, drawing.points.is_empty()) {
                    (_, false) => Ok((drawing.points.clone(), 2)),
                    (Some(setup), true) => ToyData::of(setup)
                        .map(|data| (data.reference_points(SAVED_POINTS, 0), data.dim()))
                        .map_err(|e| e.to_string()),
                    (None, true) => Err("no toy data to save".to_string()),
                };
                state.notice = Some(
                    match points.and_then(|(points, dim)| save(path, &points, dim)) {
                        Ok(_) => format!("saved the data as {}", crate::fsutil::tidy(path)),
                        Err(message) => message,
                    },
                );
            }
            DrawControl::Load(path) => match ToyData::open(&path.display().to_string()) {
                Ok(data) => {
                    let mut settings = state.settings.clone();
                    settings.config.toy = Some(data.setup());
                    controls.write(Control::Apply(settings));
                    controls.write(Control::Reset);
                }
                Err(err) => state.notice = Some(format!("load failed: {err}")),
            },
        }
    }
}

/// Writes `points` (`n × dim`) as CSV (whole, or not at all) and reads them back as data.
fn save(path: &std::path::Path, points: &[f32], dim: usize) -> Result<ToyData, String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("{}: cannot create the folder: {e}", parent.display()))?;
    }
    crate::toy::csv::write(path, points, dim).map_err(|e| e.to_string())?;
    ToyData::open(&path.display().to_string()).map_err(|e| e.to_string())
}
