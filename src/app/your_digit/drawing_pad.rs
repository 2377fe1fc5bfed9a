//! The "Your digit" window: a pad to draw a digit with the mouse, and what its projection into
//! the generator's latent space finds ([`crate::app::your_digit`]): the digit as MNIST would store
//! it, the best match, the other candidates, and how the search converged.

use bevy::prelude::*;
use bevy_egui::egui::{self, Align2, Color32, RichText, Sense, Stroke, Ui};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};
use egui_plot::{Line, Plot, PlotPoints};

use crate::app::options::{AppOptions, StartWindow};
use crate::app::scene::canvas::{Canvas, DigitTextures};
use crate::app::schedule::{SceneOnly, UiSystems};
use crate::app::your_digit::{AddProjectedToWalk, DigitOrigin, ProjectDigit, Projected};
use crate::data::digitize::{draw_strokes, mnist_style};
use crate::gan::sample::to_grey;

/// Side of the pad on screen, in points.
const PAD_SIDE: f32 = 168.0;
/// The pen's width as a fraction of the pad: a digit drawn across the pad gets MNIST's stroke.
const PEN: f32 = 0.085;
/// Side of the picture the strokes are drawn into before MNIST's preprocessing.
const RASTER_SIDE: usize = 112;
/// Candidates shown besides the best.
const CANDIDATES_SHOWN: usize = 8;

/// The pad's strokes, points in [0, 1]² (y down), and whether its window is open.
#[derive(Resource, Default)]
pub struct DrawingPad {
    pub open: bool,
    strokes: Vec<Vec<[f32; 2]>>,
}

impl DrawingPad {
    /// The drawing as an MNIST-style digit; `None` while the pad is empty.
    fn digit(&self) -> Option<Vec<u8>> {
        mnist_style(&draw_strokes(&self.strokes, RASTER_SIDE, PEN))
    }
}

#[derive(bevy::ecs::system::SystemParam)]
pub struct YourDigitWindow<'w> {
    pad: ResMut<'w, DrawingPad>,
    projected: Res<'w, Projected>,
    project: MessageWriter<'w, ProjectDigit>,
    add: MessageWriter<'w, AddProjectedToWalk>,
}

pub(in crate::app) fn plugin(app: &mut App) {
    let open = app
        .world()
        .get_resource::<AppOptions>()
        .is_some_and(|options| options.open.contains(&StartWindow::YourDigit));
    app.insert_resource(DrawingPad { open, ..default() })
        .add_systems(Update, open_on_request)
        .add_systems(
            EguiPrimaryContextPass,
            window.in_set(UiSystems::Windows).in_set(SceneOnly::Digits),
        );
}

/// Any projection (a clicked real digit, `--project`) opens the window to show it.
fn open_on_request(mut requests: MessageReader<ProjectDigit>, mut pad: ResMut<DrawingPad>) {
    if requests.read().count() > 0 {
        pad.open = true;
    }
}

/// The window, when open and the panels are shown; `textures` keeps its pictures alive
/// between frames.
fn window(
    mut contexts: EguiContexts,
    canvas: Res<Canvas>,
    mut window: YourDigitWindow,
    mut textures: Local<Textures>,
) -> Result {
    if !canvas.show_panels || !window.pad.open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let textures = &mut *textures;
    let window = &mut window;
    let mut open = true;
    egui::Window::new("Your digit in latent space")
        .open(&mut open)
        .resizable(false)
        .default_width(330.0)
        .default_pos(egui::pos2(8.0, 8.0))
        .show(&ctx, |ui| contents(ui, window, textures));
    window.pad.open = open;
    Ok(())
}

fn contents(ui: &mut Ui, window: &mut YourDigitWindow, textures: &mut Textures) {
    let projected = &*window.projected;
    textures.refresh(ui.ctx(), projected);
    ui.horizontal(|ui| {
        if pad(ui, &mut window.pad)
            && let Some(digit) = window.pad.digit()
        {
            window.project.write(ProjectDigit {
                digit,
                origin: DigitOrigin::Drawn,
            });
        }
        ui.vertical(|ui| {
            let side = egui::vec2(72.0, 72.0);
            if let Some(target) = textures.target.get(0) {
                ui.label(RichText::new("as MNIST").small());
                ui.image((target.id(), side));
            }
            if let Some(best) = textures.candidates.get(0) {
                ui.label(RichText::new("found").small());
                ui.image((best.id(), side));
            }
        });
    });
    ui.horizontal(|ui| {
        if ui.button("Clear").clicked() {
            window.pad.strokes.clear();
        }
        if ui.button("Undo").clicked()
            && window.pad.strokes.pop().is_some()
            && let Some(digit) = window.pad.digit()
        {
            window.project.write(ProjectDigit {
                digit,
                origin: DigitOrigin::Drawn,
            });
        }
        let found = projected.snapshot.is_some();
        if ui
            .add_enabled(found, egui::Button::new("Add to the walk"))
            .on_hover_text("The best match joins the walk, as a click on a digit would.")
            .clicked()
        {
            window.add.write(AddProjectedToWalk);
        }
    });
    ui.label(RichText::new(status(projected)).small());
    if textures.candidates.len() > 1 {
        ui.horizontal(|ui| {
            for texture in textures.candidates.iter().skip(1).take(CANDIDATES_SHOWN) {
                ui.image((texture.id(), egui::vec2(32.0, 32.0)));
            }
        });
    }
    if projected.convergence.len() > 1 {
        Plot::new("projection-convergence")
            .height(70.0)
            .allow_scroll(false)
            .allow_zoom(false)
            .allow_drag(false)
            .show_axes([true, true])
            .include_y(0.0)
            .show(ui, |plot| {
                plot.line(
                    Line::new(
                        "best pixel error",
                        PlotPoints::from(projected.convergence.clone()),
                    )
                    .color(Color32::from_rgb(240, 190, 90)),
                );
            });
    }
}

/// What the search is doing, in words.
fn status(projected: &Projected) -> String {
    if let Some(problem) = &projected.problem {
        return problem.clone();
    }
    let origin = match projected.origin {
        None => {
            return "Draw a digit: each stroke searches the generator's latent space for it."
                .into();
        }
        Some(DigitOrigin::Drawn) => "your drawing".to_string(),
        Some(DigitOrigin::Real(n)) => format!("real digit #{}", n + 1),
        Some(DigitOrigin::Picture) => "the picture given".to_string(),
    };
    match &projected.snapshot {
        None => format!("searching for {origin}…"),
        Some(snapshot) if !projected.finished => format!(
            "searching for {origin}: step {}, pixel error {:.1} %",
            snapshot.step,
            100.0 * snapshot.best().pixel_error
        ),
        Some(snapshot) => format!(
            "{origin}: closest digit of G at step {} is {:.1} % off (RMS), best of {} starts",
            projected.generator_step,
            100.0 * snapshot.best().pixel_error,
            snapshot.candidates.len()
        ),
    }
}

/// The drawing surface; returns true when a stroke was just finished.
fn pad(ui: &mut Ui, pad: &mut DrawingPad) -> bool {
    let (response, painter) =
        ui.allocate_painter(egui::vec2(PAD_SIDE, PAD_SIDE), Sense::click_and_drag());
    let rect = response.rect;
    let to_pad = |pos: egui::Pos2| {
        let p = (pos - rect.min) / PAD_SIDE;
        [p.x.clamp(0.0, 1.0), p.y.clamp(0.0, 1.0)]
    };
    let mut finished = false;
    if let Some(pos) = response.interact_pointer_pos() {
        if response.drag_started() || response.clicked() {
            pad.strokes.push(vec![to_pad(pos)]);
        } else if response.dragged()
            && let Some(stroke) = pad.strokes.last_mut()
        {
            let point = to_pad(pos);
            let moved = stroke
                .last()
                .is_none_or(|last| (last[0] - point[0]).hypot(last[1] - point[1]) * PAD_SIDE > 1.5);
            if moved {
                stroke.push(point);
            }
        }
        finished = response.drag_stopped() || response.clicked();
    }
    painter.rect_filled(rect, 4.0, Color32::BLACK);
    let width = PEN * PAD_SIDE;
    for stroke in &pad.strokes {
        let points: Vec<egui::Pos2> = stroke
            .iter()
            .map(|p| rect.min + egui::vec2(p[0], p[1]) * PAD_SIDE)
            .collect();
        for point in &points {
            painter.circle_filled(*point, width / 2.0, Color32::WHITE);
        }
        painter.add(egui::Shape::line(
            points,
            Stroke::new(width, Color32::WHITE),
        ));
    }
    if pad.strokes.is_empty() {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "draw here",
            egui::FontId::proportional(14.0),
            Color32::DARK_GRAY,
        );
    }
    finished
}

/// The window's pictures, rewritten only when the projection changes.
pub struct Textures {
    version: Option<u64>,
    target: DigitTextures,
    /// Best first.
    candidates: DigitTextures,
}

impl Default for Textures {
    fn default() -> Self {
        Self {
            version: None,
            target: DigitTextures::named("projection-target"),
            candidates: DigitTextures::named("projection-candidate"),
        }
    }
}

impl Textures {
    fn refresh(&mut self, ctx: &egui::Context, projected: &Projected) {
        if self.version == Some(projected.version) {
            return;
        }
        self.version = Some(projected.version);
        self.target
            .update(ctx, projected.target.iter().map(Vec::as_slice));
        let candidates: Vec<Vec<u8>> = projected
            .snapshot
            .iter()
            .flat_map(|snapshot| snapshot.candidates.iter().take(CANDIDATES_SHOWN + 1))
            .map(|candidate| to_grey(&candidate.image))
            .collect();
        self.candidates
            .update(ctx, candidates.iter().map(Vec::as_slice));
    }
}
