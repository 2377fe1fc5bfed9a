//! The egui panels: plots, controls, status, checkpoints, help; and the camera viewport that
//! keeps the sprites clear of the panels.

pub(super) mod plot_line;

use std::path::PathBuf;

use bevy::camera::visibility::RenderLayers;
use bevy::camera::{CameraOutputMode, Viewport};
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy_egui::egui::{self, Align2, Color32, FontId, LayerId, RichText, Ui, UiBuilder};
use bevy_egui::{EguiContexts, EguiGlobalSettings, EguiPrimaryContextPass, PrimaryEguiContext};
use egui_plot::{HLine, Legend, Line, Plot, PlotPoints};

use crate::app::directions::DirectionsWindowOpen;
use crate::app::lessons::Quality;
use crate::app::preview::Previews;
use crate::app::preview::truncation::{self, DrawTruncation, SetTruncation};
use crate::app::recording::{RecordControl, Recorder};
use crate::app::scene::canvas::{Canvas, DigitTextures};
use crate::app::scene::digits::{CAPTIONS, SceneCamera};
use crate::app::timeline::tab::{GridTexture, TimelinePanel};
use crate::app::training::dataset::DatasetStatus;
use crate::app::training::device::TrainingDevice;
use crate::app::training::{Control, Settings, TrainingState, describe};
use crate::app::walk::{ClickMode, WalkControl, WalkState};
use crate::app::what_d_sees::WhatDSeesView;
use crate::app::your_digit::drawing_pad::{self, DrawingPad};
use crate::app::{directions, lessons, timeline, what_d_sees};
use crate::backend::Resolved;
use crate::gan::latent::Interpolation;
use crate::gan::{LossKind, Preset, StepMode, StepValues};

/// What only the panels care about.
#[derive(Resource)]
pub struct UiState {
    pub show_help: bool,
    /// The settings being edited, applied with a button.
    draft: Option<Settings>,
    checkpoint_path: String,
    /// Moving-average window for the plots, in steps (1 = raw).
    smoothing: usize,
    log_steps: bool,
    plot_tab: PlotTab,
}

/// What the bottom panel plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum PlotTab {
    #[default]
    Training,
    Quality,
    Gradients,
    Timeline,
}

impl Default for UiState {
    fn default() -> Self {
        Self {
            show_help: false,
            draft: None,
            checkpoint_path: "runs/app".into(),
            smoothing: 25,
            log_steps: false,
            plot_tab: PlotTab::default(),
        }
    }
}

/// Frame rate, averaged, for the status line.
#[derive(Resource, Default)]
pub struct FrameRate(pub f32);

pub(super) fn plugin(app: &mut App) {
    let plot_tab = if app
        .world()
        .get_resource::<crate::app::AppOptions>()
        .is_some_and(|options| options.open.contains(&crate::app::StartWindow::Timeline))
    {
        PlotTab::Timeline
    } else {
        PlotTab::default()
    };
    // egui gets a camera of its own, covering the whole window, drawn over the scene.
    app.insert_resource(EguiGlobalSettings {
        auto_create_primary_context: false,
        ..default()
    })
    .insert_resource(UiState {
        plot_tab,
        ..default()
    })
    .init_resource::<FrameRate>()
    .add_systems(Startup, spawn_egui_camera)
    .add_systems(Update, measure_fps)
    .add_systems(
        EguiPrimaryContextPass,
        (
            panels,
            drawing_pad::window,
            directions::window::window,
            what_d_sees::window::window,
        )
            .chain(),
    );
}

fn spawn_egui_camera(mut commands: Commands, canvas: Res<Canvas>) {
    commands.spawn((
        PrimaryEguiContext,
        Camera2d,
        canvas.target(),
        RenderLayers::none(),
        Camera {
            order: 1,
            output_mode: CameraOutputMode::Write {
                blend_state: Some(BlendState::ALPHA_BLENDING),
                clear_color: ClearColorConfig::None,
            },
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
    ));
}

fn measure_fps(time: Res<Time>, mut fps: ResMut<FrameRate>) {
    let dt = time.delta_secs();
    if dt > 0.0 {
        let now = 1.0 / dt;
        fps.0 = if fps.0 == 0.0 {
            now
        } else {
            0.9 * fps.0 + 0.1 * now
        };
    }
}

fn panels(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    state: Res<TrainingState>,
    walk: WalkPanel,
    data: Res<DatasetStatus>,
    device: Option<Res<TrainingDevice>>,
    previews: Res<Previews>,
    fps: Res<FrameRate>,
    canvas: Res<Canvas>,
    mut camera: Single<(&mut Camera, &GlobalTransform), With<SceneCamera>>,
    mut controls: MessageWriter<Control>,
    mut record_controls: MessageWriter<RecordControl>,
    recorder: Res<Recorder>,
    (mut quality, mut d_view): (ResMut<Quality>, ResMut<WhatDSeesView>),
    mut nearest_textures: Local<DigitTextures>,
    mut timeline: (TimelinePanel, Local<GridTexture>),
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = Ui::new(
        ctx.clone(),
        "root".into(),
        UiBuilder::new()
            .layer_id(LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    let (mut right, mut bottom) = (0.0, 0.0);
    if canvas.show_panels {
        right = egui::Panel::right("controls")
            .default_size(340.0)
            .resizable(true)
            .show(&mut root, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    status_section(ui, &state, &data, device.as_deref(), &previews, fps.0);
                    ui.separator();
                    lessons::panel::lessons_section(
                        ui,
                        &mut quality,
                        &state,
                        &mut nearest_textures,
                    );
                    ui.separator();
                    let without_gpu = device
                        .as_deref()
                        .is_some_and(|d| d.resolved().without_gpu());
                    training_section(
                        ui,
                        &mut ui_state,
                        &state,
                        &mut controls,
                        &mut d_view,
                        without_gpu,
                    );
                    ui.separator();
                    walk_section(ui, walk);
                    ui.separator();
                    checkpoint_section(ui, &mut ui_state, &state, &mut controls);
                    ui.separator();
                    record_section(ui, &recorder, &mut record_controls);
                });
            })
            .response
            .rect
            .width();
        bottom = egui::Panel::bottom("plots")
            .default_size(230.0)
            .resizable(true)
            .show(&mut root, |ui| {
                plots(ui, &mut ui_state, &state, &quality, &mut timeline)
            })
            .response
            .rect
            .height();
    }
    help_window(&ctx, &mut ui_state);

    // The sprites get what the panels leave.
    let scale = canvas.scale;
    let (camera, camera_transform) = &mut *camera;
    let size = canvas.size;
    let reserved = UVec2::new((right * scale) as u32, (bottom * scale) as u32);
    let free = size.saturating_sub(reserved).max(UVec2::ONE);
    camera.viewport = Some(Viewport {
        physical_position: UVec2::ZERO,
        physical_size: free,
        ..default()
    });

    // Captions above each picture, and the loading or no-data message over the grid.
    let free_rect = egui::Rect::from_min_size(
        egui::Pos2::ZERO,
        egui::vec2(free.x as f32 / scale, free.y as f32 / scale),
    );
    let painter = ctx
        .layer_painter(LayerId::background())
        .with_clip_rect(free_rect);
    let to_screen = |world: Vec2| {
        camera
            .world_to_viewport(camera_transform, world.extend(0.0))
            .ok()
            .map(|p| egui::pos2(p.x, p.y))
    };
    for (text, at) in CAPTIONS {
        if let Some(pos) = to_screen(at) {
            painter.text(
                pos,
                Align2::CENTER_BOTTOM,
                text,
                FontId::proportional(13.0),
                Color32::GRAY,
            );
        }
    }
    let banner = match &*data {
        DatasetStatus::Loading { message, fraction } => Some(match fraction {
            Some(f) => format!("{message} {:.0}%", f * 100.0),
            None => message.clone(),
        }),
        DatasetStatus::Unavailable(_) => Some(
            "No training data: exploring the pretrained generator. See the status panel.".into(),
        ),
        DatasetStatus::Ready(_) => None,
    };
    if let (Some(text), Some(pos)) = (banner, to_screen(Vec2::new(0.0, -150.0))) {
        painter.text(
            pos,
            Align2::CENTER_CENTER,
            text,
            FontId::proportional(15.0),
            Color32::from_rgb(240, 190, 90),
        );
    }
    Ok(())
}

fn status_section(
    ui: &mut Ui,
    state: &TrainingState,
    data: &DatasetStatus,
    device: Option<&TrainingDevice>,
    previews: &Previews,
    fps: f32,
) {
    ui.heading("ganimate");
    let backend = device.map_or("starting…".to_string(), |d| d.resolved().describe());
    ui.label(format!("backend: {backend}"));
    if let Some(TrainingDevice::Cpu {
        resolved: Resolved::Cpu {
            reason: Some(reason),
        },
    }) = device
    {
        ui.label(
            RichText::new(reason)
                .small()
                .color(Color32::from_rgb(240, 190, 90)),
        );
    }
    if let Some(TrainingDevice::Gpu {
        resolved: Resolved::Gpu { software: true, .. },
        ..
    }) = device
    {
        ui.label(
            RichText::new("software adapter: expect slow training")
                .color(Color32::from_rgb(240, 190, 90)),
        );
    }
    match data {
        DatasetStatus::Loading { message, fraction } => {
            ui.label(message);
            if let Some(fraction) = fraction {
                ui.add(egui::ProgressBar::new(*fraction).show_percentage());
            }
        }
        DatasetStatus::Ready(loaded) => {
            ui.label(format!("data: {}", loaded.description));
        }
        DatasetStatus::Unavailable(message) => {
            ui.label(
                RichText::new("no training data")
                    .strong()
                    .color(Color32::from_rgb(240, 190, 90)),
            );
            ui.label(RichText::new(message).small());
        }
    }
    ui.label(format!("networks: {}", state.origin));
    ui.label(describe(&state.settings.config));
    egui::Grid::new("status").num_columns(2).show(ui, |ui| {
        ui.label("step");
        ui.label(format!("{} (shown: {})", state.step, previews.step));
        ui.end_row();
        ui.label("epoch");
        ui.label(format!("{:.2}", state.epoch));
        ui.end_row();
        ui.label("samples/s");
        ui.label(if state.in_background {
            format!("{:.0} (on a thread of its own)", state.samples_per_sec)
        } else {
            format!(
                "{:.0} ({} steps/frame, {:.1} ms/step)",
                state.samples_per_sec, state.steps_last_frame, state.step_ms
            )
        });
        ui.end_row();
        ui.label("fps");
        ui.label(format!("{fps:.1}"));
        ui.end_row();
        if let Some(v) = state.latest() {
            ui.label("D(x) / D(G(z))");
            ui.label(format!("{:.3} / {:.3}", v.d_real, v.d_fake));
            ui.end_row();
        }
    });
    if let Some(notice) = &state.notice {
        ui.label(RichText::new(notice).italics());
    }
}

fn training_section(
    ui: &mut Ui,
    ui_state: &mut UiState,
    state: &TrainingState,
    controls: &mut MessageWriter<Control>,
    d_view: &mut ResMut<WhatDSeesView>,
    without_gpu: bool,
) {
    ui.heading("Training");
    ui.add_enabled_ui(state.can_train, |ui| {
        ui.horizontal(|ui| {
            let label = if state.playing {
                "⏸ Pause"
            } else {
                "▶ Play"
            };
            if ui.button(label).on_hover_text("Space").clicked() {
                controls.write(Control::TogglePlay);
            }
            if ui
                .button("Step")
                .on_hover_text("S: one D step then one G step")
                .clicked()
            {
                controls.write(Control::Step(StepMode::Both));
            }
            if ui.button("D only").clicked() {
                controls.write(Control::Step(StepMode::DiscriminatorOnly));
            }
            if ui.button("G only").clicked() {
                controls.write(Control::Step(StepMode::GeneratorOnly));
            }
        });
    });
    if ui
        .selectable_label(d_view.window_open, "What D sees")
        .on_hover_text(
            "D's verdict on each digit, its saliency, the change G wants and the change it              makes, real against generated (V)",
        )
        .clicked()
    {
        d_view.toggle_window();
    }
    let draft = ui_state.draft.get_or_insert_with(|| {
        state
            .pending_reset
            .clone()
            .unwrap_or(state.settings.clone())
    });
    let config = &mut draft.config;
    egui::Grid::new("settings").num_columns(2).show(ui, |ui| {
        ui.label("preset");
        egui::ComboBox::from_id_salt("preset")
            .selected_text(config.preset.name())
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut config.preset, Preset::Stable, "stable")
                    .on_hover_text("BatchNorm + LeakyReLU in G, label smoothing");
                ui.selectable_value(&mut config.preset, Preset::Course, "course")
                    .on_hover_text("the course's Linear+ReLU / Linear+LeakyReLU networks");
                ui.selectable_value(&mut config.preset, Preset::Dcgan, "dcgan")
                    .on_hover_text(
                        "convolutional G and D (DCGAN): learns more per step, made for a GPU",
                    );
            });
        ui.end_row();
        if let Some(slowdown) = config.preset.cpu_slowdown().filter(|_| without_gpu) {
            ui.label("");
            ui.label(
                RichText::new(format!("slow without a GPU: {slowdown}"))
                    .small()
                    .color(Color32::from_rgb(240, 190, 90)),
            );
            ui.end_row();
        }
        ui.label("loss");
        egui::ComboBox::from_id_salt("loss")
            .selected_text(config.loss.name())
            .show_ui(ui, |ui| {
                for loss in [LossKind::NonSaturating, LossKind::Minimax, LossKind::Lsgan] {
                    ui.selectable_value(&mut config.loss, loss, loss.name());
                }
            });
        ui.end_row();
        ui.label("LR of G");
        ui.add(egui::Slider::new(&mut config.lr_g, 1e-5..=1e-2).logarithmic(true));
        ui.end_row();
        ui.label("LR of D");
        ui.add(egui::Slider::new(&mut config.lr_d, 1e-5..=1e-2).logarithmic(true));
        ui.end_row();
        ui.label("batch size");
        ui.add(egui::Slider::new(&mut config.batch_size, 8..=512).logarithmic(true));
        ui.end_row();
        ui.label("D steps per G step");
        ui.add(egui::Slider::new(&mut config.d_steps, 1..=5));
        ui.end_row();
        ui.label("seed");
        ui.add(egui::DragValue::new(&mut config.seed));
        ui.end_row();
        ui.label("frame budget (ms)");
        ui.add(egui::Slider::new(&mut draft.frame_budget_ms, 1.0..=50.0));
        ui.end_row();
    });
    let changed = *draft
        != state
            .pending_reset
            .clone()
            .unwrap_or(state.settings.clone());
    let needs_reset = state.settings.needs_reset(draft);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(changed, egui::Button::new("Apply"))
            .clicked()
        {
            controls.write(Control::Apply(draft.clone()));
        }
        if ui
            .button("Reset")
            .on_hover_text("R: fresh networks from these settings")
            .clicked()
        {
            controls.write(Control::Apply(draft.clone()));
            controls.write(Control::Reset);
        }
    });
    if needs_reset {
        ui.label(RichText::new("preset, loss, batch and seed take effect on Reset; learning rates, D steps and budget apply live").small());
    }
    if !changed {
        ui_state.draft = None; // Follow the running settings until the user edits.
    }
}

/// What the walk's section shows and changes.
#[derive(bevy::ecs::system::SystemParam)]
struct WalkPanel<'w> {
    walk: Res<'w, WalkState>,
    controls: MessageWriter<'w, WalkControl>,
    truncation: Res<'w, DrawTruncation>,
    truncation_requests: MessageWriter<'w, SetTruncation>,
    pad: ResMut<'w, DrawingPad>,
    directions_open: ResMut<'w, DirectionsWindowOpen>,
}

fn walk_section(ui: &mut Ui, panel: WalkPanel) {
    let WalkPanel {
        walk,
        mut controls,
        truncation,
        mut truncation_requests,
        mut pad,
        mut directions_open,
    } = panel;
    ui.heading("Latent walk");
    ui.horizontal(|ui| {
        if ui
            .button(if walk.playing {
                "⏸ Pause"
            } else {
                "▶ Play"
            })
            .clicked()
        {
            controls.write(WalkControl::TogglePlay);
        }
        if ui.button("New random path").clicked() {
            controls.write(WalkControl::NewPath);
        }
        if ui
            .selectable_label(pad.open, "✏ Your digit")
            .on_hover_text("Draw a digit and find it in the generator's latent space (D)")
            .clicked()
        {
            pad.open = !pad.open;
        }
        if ui
            .selectable_label(directions_open.0, "Directions")
            .on_hover_text("Move a digit along G's main latent directions (E)")
            .clicked()
        {
            directions_open.0 = !directions_open.0;
        }
    });
    let mut position = walk.position;
    let length = walk.path.segments() as f32;
    if ui
        .add(egui::Slider::new(&mut position, 0.0..=length).text("position"))
        .changed()
    {
        controls.write(WalkControl::Scrub(position));
    }
    let mut speed = walk.speed;
    if ui
        .add(egui::Slider::new(&mut speed, 0.0..=3.0).text("keyframes/s"))
        .changed()
    {
        controls.write(WalkControl::SetSpeed(speed));
    }
    truncation::slider(ui, truncation.0, &mut truncation_requests);
    ui.horizontal(|ui| {
        let mut interp = walk.path.interpolation;
        ui.radio_value(&mut interp, Interpolation::Slerp, "slerp");
        ui.radio_value(&mut interp, Interpolation::Lerp, "lerp");
        if interp != walk.path.interpolation {
            controls.write(WalkControl::SetInterpolation(interp));
        }
        let mut looping = walk.path.looping;
        if ui.checkbox(&mut looping, "loop").changed() {
            controls.write(WalkControl::SetLooping(looping));
        }
    });
    ui.horizontal(|ui| {
        ui.label("click a digit:");
        let mut mode = walk.click_mode;
        ui.radio_value(&mut mode, ClickMode::NextKeyframe, "next keyframe");
        ui.radio_value(&mut mode, ClickMode::Endpoints, "two endpoints");
        if mode != walk.click_mode {
            controls.write(WalkControl::SetClickMode(mode));
        }
    });
    if walk.first_endpoint.is_some() {
        ui.label("first endpoint set: click the second digit");
    }
    ui.label(format!(
        "{} keyframes, seed {}",
        walk.path.keyframes().len(),
        walk.seed
    ));
}

fn checkpoint_section(
    ui: &mut Ui,
    ui_state: &mut UiState,
    state: &TrainingState,
    controls: &mut MessageWriter<Control>,
) {
    ui.heading("Checkpoint");
    ui.horizontal(|ui| {
        ui.label("folder");
        ui.text_edit_singleline(&mut ui_state.checkpoint_path);
    });
    let path = PathBuf::from(ui_state.checkpoint_path.trim());
    ui.horizontal(|ui| {
        if ui
            .add_enabled(state.step > 0 || state.can_train, egui::Button::new("Save"))
            .clicked()
        {
            controls.write(Control::Save(path.clone()));
        }
        if ui.button("Load and resume").clicked() {
            controls.write(Control::Load(path.clone()));
        }
    });
}

fn record_section(ui: &mut Ui, recorder: &Recorder, controls: &mut MessageWriter<RecordControl>) {
    ui.heading("Record");
    ui.horizontal(|ui| {
        let label = if recorder.is_recording() {
            "⏹ Stop"
        } else {
            "⏺ Record"
        };
        if ui.button(label).on_hover_text("F9").clicked() {
            controls.write(RecordControl::Toggle);
        }
        if ui.button("Screenshot").on_hover_text("F12").clicked() {
            controls.write(RecordControl::Screenshot);
        }
    });
    ui.label(
        RichText::new(format!(
            "to {} at {} fps; while recording, time runs at 1/{} s per frame",
            recorder.folder.display(),
            recorder.fps,
            recorder.fps
        ))
        .small(),
    );
    if let Some(notice) = &recorder.notice {
        ui.label(RichText::new(notice).italics());
    }
}

/// Moving average over `window` points; a window of 1 returns the values.
fn plots(
    ui: &mut Ui,
    ui_state: &mut UiState,
    state: &TrainingState,
    quality: &Quality,
    (timeline, grid_texture): &mut (TimelinePanel, Local<GridTexture>),
) {
    let history = &state.history;
    let lang = quality.lang;
    ui.horizontal(|ui| {
        for (tab, label) in [
            (PlotTab::Training, lang.pick("losses and D", "pertes et D")),
            (
                PlotTab::Quality,
                lang.pick("quality (judge)", "qualité (juge)"),
            ),
            (
                PlotTab::Gradients,
                lang.pick("gradient norms", "normes des gradients"),
            ),
            (PlotTab::Timeline, lang.pick("timeline", "chronologie")),
        ] {
            ui.selectable_value(&mut ui_state.plot_tab, tab, label);
        }
        ui.separator();
        ui.add(
            egui::Slider::new(&mut ui_state.smoothing, 1..=200)
                .logarithmic(true)
                .text("smoothing (steps)"),
        );
        ui.checkbox(&mut ui_state.log_steps, "log step axis");
    });
    let log = ui_state.log_steps;
    let x = |step: u64| {
        if log {
            (step.max(1) as f64).log10()
        } else {
            step as f64
        }
    };
    let series = |pick: fn(&StepValues) -> f32| {
        PlotPoints::from(plot_line::smoothed(
            history.iter().map(|v| (x(v.step), f64::from(pick(v)))),
            ui_state.smoothing,
        ))
    };
    let step_axis = move |mark: egui_plot::GridMark, _: &std::ops::RangeInclusive<f64>| {
        if log {
            format!("{:.0}", 10f64.powf(mark.value))
        } else {
            format!("{:.0}", mark.value)
        }
    };
    let width = (ui.available_width() - 10.0) / 2.0;
    let height = ui.available_height().max(80.0);
    match ui_state.plot_tab {
        PlotTab::Training => {}
        PlotTab::Quality => {
            lessons::panel::quality_plots(ui, quality, ui.available_width(), height);
            return;
        }
        PlotTab::Gradients => {
            lessons::panel::gradient_plot(ui, state, ui_state.smoothing, height);
            return;
        }
        PlotTab::Timeline => {
            let loss = |pick: fn(&StepValues) -> f32| {
                plot_line::smoothed(
                    history.iter().map(|v| (v.step as f64, f64::from(pick(v)))),
                    ui_state.smoothing,
                )
            };
            let losses = [loss(|v| v.d_loss), loss(|v| v.g_loss)];
            timeline::tab::tab(ui, timeline, grid_texture, losses, height);
            return;
        }
    }
    ui.horizontal(|ui| {
        Plot::new("losses")
            .width(width)
            .height(height)
            .legend(Legend::default())
            .x_axis_label("step")
            .x_axis_formatter(step_axis)
            .show(ui, |plot| {
                plot.line(
                    Line::new("D loss", series(|v| v.d_loss))
                        .color(Color32::from_rgb(230, 120, 80)),
                );
                plot.line(
                    Line::new("G loss", series(|v| v.g_loss))
                        .color(Color32::from_rgb(90, 170, 240)),
                );
            });
        Plot::new("outputs")
            .width(width)
            .height(height)
            .legend(Legend::default())
            .include_y(0.0)
            .include_y(1.0)
            .x_axis_label("step")
            .x_axis_formatter(step_axis)
            .show(ui, |plot| {
                plot.hline(HLine::new("0.5: Nash equilibrium", 0.5).color(Color32::GRAY));
                plot.line(
                    Line::new("D(x)", series(|v| v.d_real)).color(Color32::from_rgb(120, 210, 120)),
                );
                plot.line(
                    Line::new("D(G(z))", series(|v| v.d_fake))
                        .color(Color32::from_rgb(220, 100, 200)),
                );
            });
    });
}

fn help_window(ctx: &egui::Context, ui_state: &mut UiState) {
    let mut open = ui_state.show_help;
    egui::Window::new("Keys")
        .open(&mut open)
        .resizable(false)
        .collapsible(false)
        .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            egui::Grid::new("keys").num_columns(2).show(ui, |ui| {
                for (key, what) in [
                    ("Space", "play / pause training"),
                    ("S", "one training step"),
                    ("R", "reset: fresh networks"),
                    ("H", "hide / show the panels"),
                    ("D", "draw your own digit and find it in latent space"),
                    ("E", "explore G's main latent directions"),
                    ("V", "what D sees: its verdicts, saliency and G's pull"),
                    ("F1 or ?", "this help"),
                    ("F9", "start / stop recording a video"),
                    ("F12", "save a screenshot"),
                    ("left click on a digit", "add it to the latent walk"),
                    ("left click on a real digit", "find it in latent space"),
                    ("right click on a keyframe", "remove it"),
                ] {
                    ui.label(RichText::new(key).strong());
                    ui.label(what);
                    ui.end_row();
                }
            });
        });
    ui_state.show_help = open;
}
