//! The toy lab's controls in the side panel: which scene (digits, or which toy data) the next
//! reset opens, which layers the picture draws, drawing your own data and its CSV file.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::egui::{self, Ui};

use crate::app::toy::ToyLab;
use crate::app::toy::drawing::{DrawControl, Drawing};
use crate::app::toy::slow_step::{SlowControl, SlowStep};
use crate::gan::{Preset, TrainConfig};
use crate::toy::ToyData;
use crate::toy::shapes::Shape;

/// The "scene" row of the settings grid: digits, or a toy data set. Switching keeps the preset,
/// loss and seed and takes the other scene's batch and learning rates.
pub(in crate::app) fn scene_row(ui: &mut Ui, config: &mut TrainConfig) {
    ui.label("scene");
    let current = match &config.toy {
        Some(setup) => format!("toy: {}", setup.data),
        None => "digits".to_string(),
    };
    let mut chosen: Option<Option<Shape>> = None;
    egui::ComboBox::from_id_salt("scene")
        .selected_text(current)
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(config.toy.is_none(), "digits")
                .clicked()
            {
                chosen = Some(None);
            }
            for shape in Shape::ALL {
                let on = config.toy.as_ref().is_some_and(|t| t.data == shape.name());
                let label = format!("toy: {} ({}D)", shape.name(), shape.dim());
                if ui.selectable_label(on, label).clicked() {
                    chosen = Some(Some(shape));
                }
            }
        });
    ui.end_row();
    let Some(choice) = chosen else { return };
    let preset = match (config.preset, choice) {
        (Preset::Dcgan | Preset::Conditional, Some(_)) => Preset::Stable,
        (preset, _) => preset,
    };
    let base = match choice {
        Some(shape) => TrainConfig::toy(ToyData::Shape(shape).setup(), preset),
        None => TrainConfig {
            preset,
            ..TrainConfig::default()
        },
    };
    if base.toy != config.toy {
        *config = TrainConfig {
            loss: config.loss,
            seed: config.seed,
            ..base
        };
    }
}

/// What the toy section shows and changes.
#[derive(SystemParam)]
pub(in crate::app) struct ToyPanel<'w> {
    lab: ResMut<'w, ToyLab>,
    drawing: ResMut<'w, Drawing>,
    controls: MessageWriter<'w, DrawControl>,
    slow: Res<'w, SlowStep>,
    slow_controls: MessageWriter<'w, SlowControl>,
}

impl ToyPanel<'_> {
    /// The generator step the picture shows.
    pub(in crate::app) fn shown_step(&self) -> u64 {
        self.lab.step
    }
}

/// The toy section: the picture's layers, drawing your own data, and CSV files.
pub(in crate::app) fn toy_section(ui: &mut Ui, panel: ToyPanel) {
    let ToyPanel {
        mut lab,
        mut drawing,
        mut controls,
        slow,
        mut slow_controls,
    } = panel;
    ui.heading("Toy lab");
    ui.horizontal(|ui| {
        let next = match slow.stage {
            None => "Slow-motion step",
            Some(_) => "Next stage",
        };
        if ui
            .button(next)
            .on_hover_text("M: one step walked through, stage by stage; training pauses")
            .clicked()
        {
            slow_controls.write(SlowControl::Next);
        }
        if slow.stage.is_some() && ui.button("Leave").on_hover_text("Esc").clicked() {
            slow_controls.write(SlowControl::Leave);
        }
    });
    let mut layers = lab.layers;
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut layers.landscape, "D's landscape");
        ui.checkbox(&mut layers.real, "real");
        ui.checkbox(&mut layers.fake, "fakes");
        ui.checkbox(&mut layers.pull, "pull on fakes");
        ui.checkbox(&mut layers.manifold, "G's map");
    });
    if layers != lab.layers {
        lab.layers = layers;
    }
    if lab.view.as_ref().is_some_and(|v| v.dim == 2) {
        let mut on = drawing.on;
        ui.horizontal(|ui| {
            ui.checkbox(&mut on, "draw your own")
                .on_hover_text("left button paints points, right button erases");
            ui.add(
                egui::Slider::new(&mut drawing.spread, 0.005..=0.2)
                    .logarithmic(true)
                    .text("brush"),
            );
        });
        if on != drawing.on {
            controls.write(DrawControl::SetDrawing(on));
        }
        if drawing.on || !drawing.points.is_empty() {
            ui.horizontal(|ui| {
                ui.label(format!("{} points", drawing.points.len() / 2));
                if ui.button("Clear").clicked() {
                    controls.write(DrawControl::Clear);
                }
                if ui
                    .button("Train on them")
                    .on_hover_text("saves them as the CSV file below and resets onto them")
                    .clicked()
                {
                    controls.write(DrawControl::TrainOn(drawing.path.clone().into()));
                }
            });
        }
    }
    ui.horizontal(|ui| {
        ui.label("CSV");
        ui.text_edit_singleline(&mut drawing.path);
    });
    ui.horizontal(|ui| {
        if ui.button("Save data").clicked() {
            controls.write(DrawControl::SaveData(drawing.path.clone().into()));
        }
        if ui
            .button("Load and train")
            .on_hover_text("x,y (or x) per line; the view fits the points")
            .clicked()
        {
            controls.write(DrawControl::Load(drawing.path.clone().into()));
        }
    });
}
