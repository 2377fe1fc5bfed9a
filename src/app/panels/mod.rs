//! The egui panels: status, lessons, training, walk and files on the right, plots at the
//! bottom, and the keys window. What they leave of the window is the scene's
//! (see [`crate::app::scene::overlay`]).

mod files;
mod glyphs;
mod help;
pub(super) mod plot_line;
mod plots;
mod status;
mod training;
mod walk;

use bevy::camera::CameraOutputMode;
use bevy::camera::visibility::RenderLayers;
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy_egui::egui::{self, LayerId, Ui, UiBuilder};
use bevy_egui::{EguiContexts, EguiGlobalSettings, EguiPrimaryContextPass, PrimaryEguiContext};

use crate::app::lessons::{self, Quality};
use crate::app::options::{AppOptions, StartWindow};
use crate::app::preview::Previews;
use crate::app::recording::{RecordControl, Recorder};
use crate::app::scene::canvas::{Canvas, DigitTextures};
use crate::app::scene::overlay::PanelFootprint;
use crate::app::schedule::UiSystems;
use crate::app::timeline::tab::{GridTexture, TimelinePanel};
use crate::app::toy::panel::{ToyPanel, toy_section};
use crate::app::training::dataset::DatasetStatus;
use crate::app::training::device::TrainingDevice;
use crate::app::training::{Control, Settings, TrainingState};
use crate::app::what_d_sees::WhatDSeesView;

/// What only the panels care about.
#[derive(Resource)]
pub struct UiState {
    pub show_help: bool,
    /// The settings being edited, applied with a button.
    pub(super) draft: Option<Settings>,
    pub(super) checkpoint_path: String,
    /// Moving-average window for the plots, in steps (1 = raw).
    pub(super) smoothing: usize,
    pub(super) log_steps: bool,
    pub(super) plot_tab: PlotTab,
}

/// What the bottom panel plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum PlotTab {
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
        .get_resource::<AppOptions>()
        .is_some_and(|options| options.open.contains(&StartWindow::Timeline))
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
    .add_plugins(glyphs::plugin)
    .init_resource::<FrameRate>()
    .add_systems(Startup, spawn_egui_camera)
    .add_systems(Update, measure_fps)
    .add_systems(EguiPrimaryContextPass, panels.in_set(UiSystems::Panels));
}

fn spawn_egui_camera(mut commands: Commands, canvas: Res<Canvas>) {
    commands.spawn((
        PrimaryEguiContext,
        Camera2d,
        // egui draws its own anti-aliased meshes after the main pass; a multisampled target
        // would only add a full-screen copy into it and a resolve out of it every frame.
        Msaa::Off,
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
    walk: walk::WalkPanel,
    data: Res<DatasetStatus>,
    device: Option<Res<TrainingDevice>>,
    previews: Res<Previews>,
    fps: Res<FrameRate>,
    canvas: Res<Canvas>,
    mut footprint: ResMut<PanelFootprint>,
    mut controls: MessageWriter<Control>,
    mut record_controls: MessageWriter<RecordControl>,
    recorder: Res<Recorder>,
    (mut quality, mut d_view, toy): (ResMut<Quality>, ResMut<WhatDSeesView>, ToyPanel),
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
                    let shown_step = match state.settings.config.toy {
                        Some(_) => toy.shown_step(),
                        None => previews.step,
                    };
                    status::status_section(ui, &state, &data, device.as_deref(), shown_step, fps.0);
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
                    training::training_section(
                        ui,
                        &mut ui_state,
                        &state,
                        &mut controls,
                        &mut d_view,
                        without_gpu,
                    );
                    ui.separator();
                    if state.settings.config.toy.is_some() {
                        toy_section(ui, toy);
                    } else {
                        walk::walk_section(ui, walk);
                    }
                    ui.separator();
                    files::checkpoint_section(ui, &mut ui_state, &state, &mut controls);
                    ui.separator();
                    files::record_section(ui, &recorder, &mut record_controls);
                });
            })
            .response
            .rect
            .width();
        bottom = egui::Panel::bottom("plots")
            .default_size(230.0)
            .resizable(true)
            .show(&mut root, |ui| {
                plots::plots(ui, &mut ui_state, &state, &quality, &mut timeline)
            })
            .response
            .rect
            .height();
    }
    help::help_window(&ctx, &mut ui_state);
    *footprint = PanelFootprint { right, bottom };

    Ok(())
}
