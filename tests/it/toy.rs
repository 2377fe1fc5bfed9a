//! The toy lab from the command line (training on points, sampling them as CSV, scoring them,
//! refusing bad data files) and in the app (the toy scene opens at once, looks at G and D,
//! switches to 1D and back to the digits, and draws every data set).

use std::process::{Command, Output, Stdio};

use bevy::prelude::*;
use ganimate::app::{
    ActiveScene, AppOptions, Control, DatasetStatus, DrawControl, Drawing, SlowControl, SlowStage,
    SlowStep, TOY_PICTURE_PIXELS, ToyLab, TrainingState,
};
use ganimate::gan::{Preset, TrainConfig};
use ganimate::toy::ToyData;
use ganimate::toy::view::{LANDSCAPE_SIDE, LINE_POINTS};

use crate::common;

fn ganimate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn a_toy_run_trains_samples_and_scores_on_the_ring() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ring");
    let out_arg = out.to_str().unwrap();
    let trained = ganimate(&[
        "toy",
        "train",
        "--data",
        "ring",
        "--steps",
        "300",
        "--batch-size",
        "64",
        "--out",
        out_arg,
    ]);
    common::succeeded(&trained);
    let points = dir.path().join("points.csv");
    let sampled = ganimate(&[
        "toy",
        "sample",
        "--checkpoint",
        out_arg,
        "--n",
        "500",
        "--out",
        points.to_str().unwrap(),
    ]);
    common::succeeded(&sampled);
    let read = ganimate::toy::csv::read(&points).unwrap();
    assert_eq!((read.len(), read.dim), (500, 2));
    assert!(
        read.values.iter().all(|v| v.abs() <= 1.5),
        "G's tanh spans the view"
    );
    let scored = ganimate(&["toy", "eval", "--checkpoint", out_arg, "--json"]);
    let (stdout, _) = common::succeeded(&scored);
    let scores: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(scores["samples"], 2500);
    assert_eq!(scores["modes"]["modes"], 8);
    let covered = scores["modes"]["covered"].as_u64().unwrap();
    assert!(covered <= 8);
    let js = scores["divergences"]["js"].as_f64().unwrap();
    assert!((0.0..=std::f64::consts::LN_2 + 1e-9).contains(&js), "{js}");
    // Resuming continues the run; a second run into the same folder must say so.
    let again = ganimate(&[
        "toy", "train", "--data", "ring", "--steps", "300", "--out", out_arg,
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
}

#[test]
fn a_bad_points_file_is_refused_with_its_name_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("drawn.csv");
    std::fs::write(&bad, "x,y\n0.5,0.25\n0.1,oops\n").unwrap();
    let out = dir.path().join("run");
    let output = ganimate(&[
        "toy",
        "train",
        "--data",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("drawn.csv, line 3: `oops` is not a number"),
        "{stderr}"
    );
    assert!(
        !out.exists(),
        "nothing is written for data that was refused"
    );
}

#[test]
fn a_digits_checkpoint_is_not_a_toy_one() {
    let output = ganimate(&["toy", "eval", "--checkpoint", "assets/pretrained"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not of the toy lab"));
}

/// The app's logic opened on the toy lab's `data`.
fn toy_app(data: &str) -> App {
    let mut app = common::headless(AppOptions {
        toy: Some(ToyData::open(data).unwrap().setup()),
        data: Some(common::mnist_dir()),
        ..default()
    });
    common::until_open(&mut app);
    app
}

/// Updates until the toy lab has looked at a session of generation `generation` and measured it.
fn until_looked(app: &mut App, generation: u64) -> &ToyLab {
    common::until(app, "the toy lab never looked", |app| {
        let lab = app.world().resource::<ToyLab>();
        app.world().resource::<TrainingState>().generation == generation
            && lab.scores.is_some()
            && lab.pixels.is_some()
            && lab
                .view
                .as_ref()
                .is_some_and(|v| v.dim == lab.data().unwrap().dim())
    });
    app.world().resource::<ToyLab>()
}

#[test]
fn the_app_opens_the_toy_lab_at_once_and_draws_g_and_d() {
    let mut app = toy_app("ring");
    assert_eq!(*app.world().resource::<ActiveScene>(), ActiveScene::Toy);
    let lab = until_looked(&mut app, 1);
    let view = lab.view.clone().unwrap();
    assert_eq!(view.fake.len(), view.pull.len());
    assert_eq!(view.fake.len() / 2, view.fake_scores.len());
    assert_eq!(view.landscape.len(), LANDSCAPE_SIDE * LANDSCAPE_SIDE);
    assert!(view.landscape.iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(
        lab.pixels.as_ref().unwrap().len(),
        (TOY_PICTURE_PIXELS * TOY_PICTURE_PIXELS * 4) as usize
    );
    assert_eq!(
        lab.scores.as_ref().unwrap().modes.as_ref().unwrap().modes,
        8
    );
    let first = lab.step;
    // The toy lab needs no digits: their loader has not even started.
    assert!(matches!(
        app.world().resource::<DatasetStatus>(),
        DatasetStatus::Loading { .. }
    ));
    // Training goes on, and the picture follows it.
    common::until(&mut app, "the picture never moved on", |app| {
        app.world().resource::<ToyLab>().step > first + 20
    });
}

#[test]
fn the_scene_switch_resets_into_1d_then_back_to_the_digits() {
    let mut app = toy_app("ring");
    let mut settings = app.world().resource::<TrainingState>().settings.clone();
    settings.config = TrainConfig::toy(ToyData::open("mixture").unwrap().setup(), Preset::Stable);
    app.world_mut()
        .write_message(Control::Apply(settings.clone()));
    app.world_mut().write_message(Control::Reset);
    let view = until_looked(&mut app, 2).view.clone().unwrap();
    assert_eq!(
        (view.dim, view.latent_dim),
        (1, 1),
        "Figure 1 maps a line onto a line"
    );
    assert_eq!(view.manifold.len(), LINE_POINTS);
    assert_eq!(view.landscape.len(), LANDSCAPE_SIDE);

    settings.config = TrainConfig::default();
    app.world_mut().write_message(Control::Apply(settings));
    app.world_mut().write_message(Control::Reset);
    app.update();
    assert_eq!(*app.world().resource::<ActiveScene>(), ActiveScene::Digits);
    // The digits load now, and a fresh digits session opens once they are here.
    common::until(&mut app, "no digits session", |app| {
        let state = app.world().resource::<TrainingState>();
        state.generation == 3 && state.can_train
    });
    assert!(app.world().resource::<DatasetStatus>().loaded().is_some());
    assert!(
        app.world()
            .resource::<TrainingState>()
            .settings
            .config
            .toy
            .is_none()
    );
}

#[test]
fn the_toy_scene_draws_each_data_set_headless() {
    let dir = tempfile::tempdir().unwrap();
    for data in [
        "ring", "grid", "moons", "spiral", "line", "gaussian", "mixture",
    ] {
        let shot = dir.path().join(format!("{data}.png"));
        let output = headless_toy(
            data,
            &[
                "--quit-after-frames",
                "40",
                "--screenshot",
                shot.to_str().unwrap(),
            ],
        );
        common::succeeded(&output);
        let shares = picture_colours(&shot);
        assert!(
            shares.real > 0.0005,
            "{data}: no real points or curve: {shares:?}"
        );
        assert!(
            shares.fake > 0.0005,
            "{data}: no fakes or curve: {shares:?}"
        );
        if ["ring", "grid"].contains(&data) {
            assert!(
                shares.tinted > 0.05,
                "{data}: D's landscape is not drawn: {shares:?}"
            );
        }
    }
}

/// Shares of the toy picture's pixels (where the headless canvas puts it) that are the real
/// points' green, the fakes' pink, and D's landscape's tints away from grey.
#[derive(Debug)]
struct PictureColours {
    real: f64,
    fake: f64,
    tinted: f64,
}

fn picture_colours(path: &std::path::Path) -> PictureColours {
    let (buffer, width) = common::screenshot_rgb(path);
    let (mut real, mut fake, mut tinted, mut all) = (0, 0, 0, 0);
    // The picture: 300 world units at (−120, 0) in the 940 × 570 pixels the panels leave.
    for y in 60..510u32 {
        for x in 40..500u32 {
            let i = ((y * width + x) * 3) as usize;
            let [r, g, b] = [buffer[i], buffer[i + 1], buffer[i + 2]].map(i32::from);
            real += usize::from(g > 180 && g > r + 60 && g > b + 40);
            fake += usize::from(r > 200 && b > 170 && g < 160);
            tinted += usize::from(away_from_grey([r, g, b]));
            all += 1;
        }
    }
    let share = |n: usize| n as f64 / all as f64;
    PictureColours {
        real: share(real),
        fake: share(fake),
        tinted: share(tinted),
    }
}

#[test]
fn scripted_strokes_draw_points_that_the_app_then_trains_on() {
    let mut app = toy_app("ring");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drawn.csv");
    app.world_mut().write_message(DrawControl::SetDrawing(true));
    for _ in 0..60 {
        app.world_mut().write_message(DrawControl::Paint {
            at: [0.5, 0.25],
            count: 6,
        });
    }
    app.update();
    let drawing = app.world().resource::<Drawing>();
    assert!(drawing.on);
    assert_eq!(drawing.points.len(), 2 * 360);
    let near = |p: &[f32]| (p[0] - 0.5).hypot(p[1] - 0.25) < 0.3;
    assert!(
        drawing.points.chunks(2).all(near),
        "the brush paints where it is"
    );
    app.world_mut().write_message(DrawControl::Erase {
        at: [0.5, 0.25],
        radius: 0.02,
    });
    app.update();
    let kept = app.world().resource::<Drawing>().points.len() / 2;
    assert!(
        (256..360).contains(&kept),
        "the eraser took the points under it: {kept} left"
    );

    app.world_mut()
        .write_message(DrawControl::TrainOn(path.clone()));
    common::until(&mut app, "no session on the drawing", |app| {
        app.world().resource::<TrainingState>().generation == 2
    });
    let state = app.world().resource::<TrainingState>();
    let setup = state.settings.config.toy.clone().unwrap();
    assert_eq!(setup.data, path.display().to_string());
    assert!(state.can_train);
    assert_eq!(ganimate::toy::csv::read(&path).unwrap().len(), kept);
    let lab = until_looked(&mut app, 2);
    assert!(
        lab.scores.as_ref().unwrap().modes.is_none(),
        "drawn data has no modes, only KL and JS"
    );
}

#[test]
fn a_toy_time_lapse_has_one_frame_per_sample_and_shows_the_scene() {
    let dir = tempfile::tempdir().unwrap();
    let frames = dir.path().join("lapse");
    let output = ganimate(&[
        "toy",
        "train",
        "--data",
        "ring",
        "--steps",
        "300",
        "--sample-every",
        "100",
        "--out",
        dir.path().join("run").to_str().unwrap(),
        "--video",
        frames.to_str().unwrap(),
    ]);
    common::succeeded(&output);
    // Steps 0, 100, 200 and 300, in the time-lapse and as the run's PNGs.
    assert_frames(&frames, 4);
    assert!(dir.path().join("run/samples/step-00000300.png").is_file());
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(frames.join("frame-000004.png")).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(
        (info.width, info.height, info.color_type),
        (480, 480, png::ColorType::Rgb)
    );
    let tinted = buffer
        .chunks_exact(3)
        .filter(|p| away_from_grey([p[0], p[1], p[2]].map(i32::from)))
        .count();
    assert!(
        tinted as f64 / (buffer.len() / 3) as f64 > 0.05,
        "D's landscape is not drawn"
    );
}

#[test]
fn a_recording_of_the_toy_scene_has_its_frames() {
    let dir = tempfile::tempdir().unwrap();
    let frames = dir.path().join("frames");
    let output = headless_toy(
        "ring",
        &[
            "--duration",
            "0.3",
            "--fps",
            "10",
            "--record",
            frames.to_str().unwrap(),
        ],
    );
    common::succeeded(&output);
    assert_frames(&frames, 3);
    let shares = picture_colours(&frames.join("frame-000003.png"));
    assert!(shares.real > 0.0005, "no real points: {shares:?}");
    assert!(
        shares.tinted > 0.05,
        "D's landscape is not drawn: {shares:?}"
    );
}

/// `ganimate app --headless` on the CPU in the toy lab on `data`, without a display, plus `extra`.
fn headless_toy(data: &str, extra: &[&str]) -> Output {
    let runtime = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .args(["app", "--headless", "--backend", "cpu", "--toy", data])
        .args(extra)
        .env_remove("DISPLAY")
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("XDG_CACHE_HOME", runtime.path())
        .output()
        .unwrap()
}

/// Frames 1 to `count` of a recording or time-lapse folder are there, and no more.
fn assert_frames(folder: &std::path::Path, count: usize) {
    for frame in 1..=count {
        assert!(
            folder.join(format!("frame-{frame:06}.png")).is_file(),
            "frame {frame}"
        );
    }
    let next = folder.join(format!("frame-{:06}.png", count + 1));
    assert!(!next.exists(), "{} is one too many", next.display());
}

/// A tint of D's landscape: a colour away from the grey of D = ½.
fn away_from_grey([r, g, b]: [i32; 3]) -> bool {
    (g - r).abs() > 12 || (b - g).abs() > 12
}

#[test]
fn a_step_taken_apart_moves_its_fakes_the_way_their_pull_points() {
    use ganimate::backend::CpuBackend;
    use ganimate::gan::live::Players;
    use ganimate::gan::training::stats::StepMode;
    use ganimate::gan::training::trainer::{RealImages, Trainer};
    use ganimate::toy::step_apart::{SHOWN, StepApart};

    let device = Default::default();
    let data = ToyData::open("ring").unwrap();
    let config = TrainConfig::toy(data.setup(), Preset::Stable);
    let (seed, label) = (config.seed, config.preset.real_label() as f32);
    let points = ganimate::toy::normalized(&data.training_points(seed), data.extent());
    let real = RealImages::<CpuBackend>::with_width(points, 2, &device);
    let mut trainer = Trainer::<CpuBackend>::new(config, &device);
    for _ in 0..30 {
        trainer.step(&real);
    }
    let apart_at = |trainer: &Trainer<CpuBackend>| {
        let players = Players::of(trainer);
        let (d, g) = (players.discriminator, players.generator);
        let apart = StepApart::draw(
            d.as_ref(),
            g.as_ref(),
            &data,
            2,
            (seed, players.step),
            label,
        );
        (apart, d, g)
    };
    let (mut apart, d, g) = apart_at(&trainer);
    assert_eq!(apart.step, 30);
    assert_eq!(apart.noise.len(), SHOWN * 2);
    assert_eq!(apart.before.fake.len(), SHOWN * 2);
    assert_eq!(apart.before.pull.len(), SHOWN * 2);
    let (d_loss, g_loss) =
        d.loss()
            .losses_of_verdicts(&apart.before.real_scores, &apart.before.fake_scores, label);
    assert_eq!((apart.before.d_loss, apart.before.g_loss), (d_loss, g_loss));
    // The same step shows the same samples; the next one, others.
    let again = StepApart::draw(d.as_ref(), g.as_ref(), &data, 2, (seed, 30), label);
    assert_eq!(again, apart);
    let next = StepApart::draw(d.as_ref(), g.as_ref(), &data, 2, (seed, 31), label);
    assert_ne!(next.noise, apart.noise);
    assert_ne!(next.real, apart.real);

    // A G step leaves D as it was and moves the fakes along the pull of G's loss.
    trainer.step_with(StepMode::GeneratorOnly, &real).read();
    let players = Players::of(&trainer);
    apart.update(
        players.discriminator.as_ref(),
        players.generator.as_ref(),
        label,
    );
    let after = apart.after.as_ref().unwrap();
    assert_eq!(after.real_scores, apart.before.real_scores);
    let along: Vec<f32> = (0..SHOWN)
        .map(|i| {
            let moved = [
                after.fake[2 * i] - apart.before.fake[2 * i],
                after.fake[2 * i + 1] - apart.before.fake[2 * i + 1],
            ];
            let pull = &apart.before.pull[2 * i..2 * i + 2];
            let norm = (moved[0].hypot(moved[1]) * pull[0].hypot(pull[1])).max(1e-12);
            (moved[0] * pull[0] + moved[1] * pull[1]) / norm
        })
        .collect();
    let mean = along.iter().sum::<f32>() / SHOWN as f32;
    assert!(mean > 0.3, "cosines of the moves with the pulls: {along:?}");
    assert!(
        after.g_loss < apart.before.g_loss,
        "G's loss on the shown fakes: {} → {}",
        apart.before.g_loss,
        after.g_loss
    );
}

#[test]
fn the_slow_motion_step_walks_through_one_update_and_trains_it_once() {
    let mut app = toy_app("ring");
    until_looked(&mut app, 1);
    fn slow(app: &App) -> &SlowStep {
        app.world().resource::<SlowStep>()
    }
    app.world_mut().write_message(SlowControl::Next);
    common::until(&mut app, "the step's samples never came", |app| {
        slow(app).apart.is_some()
    });
    assert_eq!(slow(&app).stage, Some(SlowStage::Draw));
    let state = app.world().resource::<TrainingState>();
    assert!(!state.playing, "slow motion pauses training");
    let before = state.step;
    assert_eq!(slow(&app).apart.as_ref().unwrap().step, before);
    for stage in [
        SlowStage::Verdicts,
        SlowStage::Losses,
        SlowStage::Gradients,
        SlowStage::Update,
    ] {
        app.world_mut().write_message(SlowControl::Next);
        app.update();
        assert_eq!(slow(&app).stage, Some(stage));
    }
    common::until(&mut app, "the update was never looked at", |app| {
        slow(app).apart.as_ref().is_some_and(|a| a.after.is_some())
    });
    // Pressing on while the update is shown, many frames later, trains nothing more.
    for _ in 0..5 {
        app.update();
    }
    let state = app.world().resource::<TrainingState>();
    assert_eq!(state.step, before + 1, "the update trains exactly one step");
    let apart = slow(&app).apart.clone().unwrap();
    let after = apart.after.as_ref().unwrap();
    assert_ne!(after.fake, apart.before.fake, "the update moved the fakes");

    // The next stage draws the next step's samples.
    app.world_mut().write_message(SlowControl::Next);
    common::until(&mut app, "the next step's samples never came", |app| {
        slow(app)
            .apart
            .as_ref()
            .is_some_and(|a| a.step == before + 1)
    });
    assert_eq!(slow(&app).stage, Some(SlowStage::Draw));
    assert_eq!(slow(&app).stages_shown, 6);
    // Playing again ends it.
    app.world_mut().write_message(Control::SetPlaying(true));
    app.update();
    assert_eq!(slow(&app).stage, None);
    assert!(app.world().resource::<TrainingState>().playing);
}

#[test]
fn a_recording_walks_through_the_slow_motion_step() {
    let dir = tempfile::tempdir().unwrap();
    let frames = dir.path().join("frames");
    // A stage every 0.2 s of the recording's clock: six stages in 1.2 s, one of them the update.
    let output = headless_toy(
        "ring",
        &[
            "--slow-step",
            "0.2",
            "--duration",
            "1.2",
            "--fps",
            "10",
            "--record",
            frames.to_str().unwrap(),
        ],
    );
    common::succeeded(&output);
    assert_frames(&frames, 12);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let steps: u64 = stdout
        .split(" steps trained")
        .next()
        .and_then(|before| before.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no step count in {stdout}"));
    assert_eq!(steps, 1, "training pauses but for the update: {stdout}");
    // The stage's caption is framed in its yellow.
    let (buffer, _) = common::screenshot_rgb(&frames.join("frame-000012.png"));
    let lit = buffer
        .chunks_exact(3)
        .filter(|p| p[0] > 220 && (190..235).contains(&p[1]) && p[2] < 130)
        .count();
    assert!(lit > 200, "{lit} pixels of the caption's yellow");
}
