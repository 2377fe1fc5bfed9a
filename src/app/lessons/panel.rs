//! What the panels show of the judge and the detectors: the lessons section (each detector's
//! state and explanation, English or French), the quality and gradient plots, and the nearest
//! real digits of the hovered one. Drawing only: the figures come from the quality plugin.

use bevy_egui::egui::{self, Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, HLine, Legend, Line, Plot, PlotPoints};

use crate::app::lessons::{JudgeStatus, Quality, SAMPLES, class_colour};
use crate::app::scene::canvas::DigitTextures;
use crate::app::training::TrainingState;
use crate::judge::classifier::{CLASSES, MIN_ACCURACY};
use crate::judge::detect::{Detector, Lang, Level};

const CALM: Color32 = Color32::from_rgb(110, 200, 120);
const WARNING: Color32 = Color32::from_rgb(240, 170, 60);
const WAITING: Color32 = Color32::GRAY;

fn egui_colour(class: usize) -> Color32 {
    use bevy::color::ColorToPacked;
    let [r, g, b, _] = class_colour(class).to_srgba().to_u8_array();
    Color32::from_rgb(r, g, b)
}

/// Detectors, the divergence guard's last word, the judge's status and the nearest-real view.
pub fn lessons_section(
    ui: &mut Ui,
    quality: &mut Quality,
    state: &TrainingState,
    textures: &mut DigitTextures,
) {
    let lang = quality.lang;
    ui.horizontal(|ui| {
        ui.heading(lang.pick("Lessons", "Leçons"));
        ui.selectable_value(&mut quality.lang, Lang::En, "English");
        ui.selectable_value(&mut quality.lang, Lang::Fr, "Français");
    });
    if state.settings.config.toy.is_some() {
        ui.label(lang.pick(
            "The toy lab's measures and lessons are written beside its picture.",
            "Les mesures et leçons du labo jouet sont écrites à côté de son image.",
        ));
        return;
    }
    match &quality.judge {
        JudgeStatus::Waiting => {
            ui.label(lang.pick(
                "judge: waiting for the dataset",
                "juge : en attente des données",
            ));
        }
        // The bundled judge only loads and measures the real digits: no progress to show.
        JudgeStatus::Training(fraction) if *fraction == 0.0 => {
            ui.add(
                egui::ProgressBar::new(0.0)
                    .text(lang.pick("preparing the judge…", "préparation du juge…")),
            );
        }
        JudgeStatus::Training(fraction) => {
            ui.add(egui::ProgressBar::new(*fraction).text(lang.pick(
                "training the judge (once per dataset)…",
                "entraînement du juge (une fois par jeu de données)…",
            )));
        }
        JudgeStatus::Ready { accuracy } => {
            let text = lang.pick(
                format!(
                    "judge: {:.2} % accurate on held-out digits",
                    accuracy * 100.0
                ),
                format!(
                    "juge : {:.2} % de réussite sur des chiffres mis de côté",
                    accuracy * 100.0
                ),
            );
            let colour = if *accuracy >= MIN_ACCURACY {
                Color32::GRAY
            } else {
                WARNING
            };
            ui.label(RichText::new(text).color(colour).small());
        }
        JudgeStatus::Unavailable(message) => {
            ui.label(
                RichText::new(format!("judge: {message}"))
                    .color(WARNING)
                    .small(),
            );
        }
    }
    if let Some(divergence) = &state.divergence {
        ui.label(
            RichText::new(lang.pick(
                format!(
                    "Guard: step {} diverged ({}); rolled back to step {} and paused.",
                    divergence.step, divergence.problem, divergence.restored_step
                ),
                format!(
                    "Garde-fou : le pas {} a divergé ({}) ; retour au pas {} et pause.",
                    divergence.step, divergence.problem, divergence.restored_step
                ),
            ))
            .color(WARNING),
        );
    }
    if let Some((_, latest)) = quality.history.last() {
        ui.label(format!(
            "IS {:.2} · FD {:.1} · {} {:.1} %",
            latest.inception_score,
            latest.frechet_distance,
            lang.pick("rarest digit", "chiffre le plus rare"),
            latest.smallest_share() * 100.0
        ));
    }
    for finding in &quality.findings {
        let colour = match finding.level {
            Level::Calm => CALM,
            Level::Warning => WARNING,
            Level::Waiting => WAITING,
        };
        ui.horizontal_wrapped(|ui| {
            // A coloured light: drawn, as the default fonts have no such glyph.
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().circle_filled(rect.center(), 4.5, colour);
            ui.label(RichText::new(finding.detector.title(lang)).strong());
            ui.label(&finding.headline);
        });
        if finding.detector == Detector::Equilibrium
            && let Some((gauge, _, _)) = crate::judge::detect::equilibrium_gauge(&state.history)
        {
            ui.add(egui::ProgressBar::new(gauge as f32).desired_height(6.0));
        }
        if finding.level == Level::Warning && !finding.lesson.is_empty() {
            ui.label(RichText::new(&finding.lesson).small());
        }
    }
    ui.checkbox(
        &mut quality.colour_by_class,
        lang.pick(
            "colour the grid by the judge's class",
            "colorier la grille selon le juge",
        ),
    );
    nearest_view(ui, quality, textures);
}

/// The hovered digit's closest real digits: tells memorisation from generalisation.
fn nearest_view(ui: &mut Ui, quality: &Quality, textures: &mut DigitTextures) {
    let lang = quality.lang;
    let Some(nearest) = &quality.nearest else {
        if matches!(quality.judge, JudgeStatus::Ready { .. }) {
            ui.label(
                RichText::new(lang.pick(
                    "Hover a generated digit to see its nearest real digits.",
                    "Survolez un chiffre généré pour voir les vrais chiffres les plus proches.",
                ))
                .small(),
            );
        }
        return;
    };
    ui.label(lang.pick(
        format!(
            "Digit #{} looks like a {} ({:.0} %). Nearest real digits:",
            nearest.grid_index + 1,
            nearest.class,
            nearest.confidence * 100.0
        ),
        format!(
            "Le chiffre n°{} ressemble à un {} ({:.0} %). Vrais chiffres les plus proches :",
            nearest.grid_index + 1,
            nearest.class,
            nearest.confidence * 100.0
        ),
    ));
    textures.update(
        ui.ctx(),
        nearest.images.iter().map(|(pixels, _)| pixels.as_slice()),
    );
    ui.horizontal(|ui| {
        for (texture, (_, label)) in textures.iter().zip(&nearest.images) {
            ui.vertical(|ui| {
                ui.image((texture.id(), egui::vec2(42.0, 42.0)));
                ui.label(RichText::new(label.to_string()).small());
            });
        }
    });
    ui.label(
        RichText::new(lang.pick(
            "Near-copies of training digits mean memorising; similar but new ones, generalising.",
            "Des quasi-copies de chiffres d'entraînement signalent la mémorisation ; des \
             chiffres proches mais nouveaux, la généralisation.",
        ))
        .small(),
    );
}

/// IS and FD over steps, and the latest class histogram.
pub fn quality_plots(ui: &mut Ui, quality: &Quality, width: f32, height: f32) {
    let lang = quality.lang;
    let is: Vec<[f64; 2]> = quality
        .history
        .iter()
        .map(|(step, s)| [*step as f64, s.inception_score])
        .collect();
    let fd: Vec<[f64; 2]> = quality
        .history
        .iter()
        .map(|(step, s)| [*step as f64, s.frechet_distance])
        .collect();
    let third = (width - 10.0) / 3.0;
    ui.horizontal(|ui| {
        Plot::new("inception")
            .width(third)
            .height(height)
            .legend(Legend::default())
            .include_y(1.0)
            .include_y(10.0)
            .x_axis_label("step")
            .show(ui, |plot| {
                plot.hline(HLine::new("9.9: real MNIST", 9.9).color(Color32::GRAY));
                plot.line(
                    Line::new(
                        lang.pick(
                            format!("Inception Score ({SAMPLES} samples)"),
                            format!("Inception Score ({SAMPLES} échantillons)"),
                        ),
                        PlotPoints::from(is),
                    )
                    .color(CALM),
                );
            });
        Plot::new("frechet")
            .width(third)
            .height(height)
            .legend(Legend::default())
            .include_y(0.0)
            .x_axis_label("step")
            .show(ui, |plot| {
                plot.line(
                    Line::new(
                        lang.pick(
                            "Fréchet distance (lower is better)",
                            "distance de Fréchet (plus bas = mieux)",
                        ),
                        PlotPoints::from(fd),
                    )
                    .color(Color32::from_rgb(90, 170, 240)),
                );
            });
        let bars: Vec<Bar> = quality
            .history
            .last()
            .map(|(_, s)| {
                (0..CLASSES)
                    .map(|c| {
                        Bar::new(c as f64, s.class_shares[c] * 100.0)
                            .fill(egui_colour(c))
                            .name(c.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Plot::new("classes")
            .width(third)
            .height(height)
            .legend(Legend::default())
            .include_y(0.0)
            .include_y(20.0)
            .x_axis_label(lang.pick("digit", "chiffre"))
            .show(ui, |plot| {
                plot.hline(HLine::new("10 %", 10.0).color(Color32::GRAY));
                plot.bar_chart(BarChart::new(
                    lang.pick("% of samples per digit", "% des échantillons par chiffre"),
                    bars,
                ));
            });
    });
}

/// Gradient norms of G and D per step (log scale): vanishing gradients made visible.
pub fn gradient_plot(ui: &mut Ui, state: &TrainingState, smoothing: usize, height: f32) {
    let series = |pick: fn(&crate::gan::StepValues) -> f32| {
        PlotPoints::from(crate::app::panels::plot_line::smoothed(
            state
                .history
                .iter()
                .map(|v| (v.step as f64, f64::from(pick(v)).max(1e-8).log10())),
            smoothing,
        ))
    };
    Plot::new("gradients")
        .height(height)
        .legend(Legend::default())
        .x_axis_label("step")
        .y_axis_label("log10 |grad|")
        .show(ui, |plot| {
            plot.line(
                Line::new("|grad G|", series(|v| v.g_grad_norm))
                    .color(Color32::from_rgb(90, 170, 240)),
            );
            plot.line(
                Line::new("|grad D|", series(|v| v.d_grad_norm))
                    .color(Color32::from_rgb(230, 120, 80)),
            );
        });
}
