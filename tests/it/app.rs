//! The app's plugins without a window: training advances (on the CPU, on a thread of its own),
//! figures reach the panels' state, the controls do what they say, the latent walk follows
//! clicks, and the directions, projection and "what D sees" windows' logic works.

use crate::common;

use std::time::{Duration, Instant};

use bevy::prelude::*;
use common::mnist_dir;
use ganimate::app::{
    AddProjectedToWalk, AppOptions, Control, DatasetStatus, DigitOrigin, DirectionsControl,
    DirectionsWindowOpen, DrawTruncation, LatentDirections, Previews, ProjectDigit, Projected,
    SetTruncation, Timeline, TimelineControl, TrainingState, WalkControl, WalkState,
    WhatDSeesReadings, WhatDSeesView,
};
use ganimate::data::IMAGE_PIXELS;
use ganimate::gan::{LossKind, Preset, StepMode, Truncation};

use common::{headless, until_open};

fn state(app: &App) -> &TrainingState {
    app.world().resource::<TrainingState>()
}

fn send(app: &mut App, control: Control) {
    app.world_mut().write_message(control);
    app.update();
}

fn with_data(paused: bool) -> App {
    let mut app = headless(AppOptions {
        data: Some(mnist_dir()),
        paused,
        ..default()
    });
    until_open(&mut app);
    assert!(matches!(
        app.world().resource::<DatasetStatus>(),
        DatasetStatus::Ready(_)
    ));
    app
}

/// The app opened on an empty data folder (kept alive by the returned guard).
fn without_data() -> (App, tempfile::TempDir) {
    let empty = tempfile::tempdir().unwrap();
    let mut app = headless(AppOptions {
        data: Some(empty.path().to_path_buf()),
        ..default()
    });
    until_open(&mut app);
    app.update();
    (app, empty)
}

/// Updates until training reaches `step`.
fn until_step(app: &mut App, step: u64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while state(app).step < step {
        assert!(
            Instant::now() < deadline,
            "stuck at step {}",
            state(app).step
        );
        app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn training_advances_on_its_own_thread_and_figures_reach_the_panels() {
    let mut app = with_data(false);
    until_step(&mut app, 10);
    assert!(
        state(&app).in_background,
        "the CPU trains off the frame loop"
    );
    // Figures are read back every 250 ms: wait for one read.
    std::thread::sleep(Duration::from_millis(300));
    app.update();
    let state = state(&app);
    assert!(
        state.history.len() as u64 >= 10,
        "{} figures",
        state.history.len()
    );
    let last = state.latest().unwrap();
    assert!(last.is_finite(), "{last:?}");
    assert!((0.0..=1.0).contains(&last.d_real) && (0.0..=1.0).contains(&last.d_fake));
    let previews = app.world().resource::<Previews>();
    assert_eq!(previews.grid.len(), 64 * IMAGE_PIXELS);
    assert!(previews.step > 0, "the grid shows a trained generator");
}

#[test]
fn preset_and_loss_flags_choose_the_first_session() {
    let mut app = headless(AppOptions {
        data: Some(mnist_dir()),
        paused: true,
        preset: Some(Preset::Course),
        loss: Some(LossKind::Minimax),
        ..default()
    });
    until_open(&mut app);
    let state = state(&app);
    assert_eq!(state.origin, "fresh networks");
    let config = &state.settings.config;
    assert_eq!(
        (config.preset, config.loss),
        (Preset::Course, LossKind::Minimax)
    );
}

#[test]
fn pause_play_step_and_reset_do_what_they_say() {
    let mut app = with_data(true);
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(state(&app).step, 0, "--paused trains nothing");

    send(&mut app, Control::Step(StepMode::GeneratorOnly));
    assert_eq!(state(&app).step, 1, "a G step counts as a step");
    send(&mut app, Control::Step(StepMode::DiscriminatorOnly));
    assert_eq!(state(&app).step, 1, "a D step does not move G");
    assert_eq!(
        state(&app).history.len(),
        2,
        "both single steps were measured"
    );
    send(&mut app, Control::Step(StepMode::Both));
    assert_eq!(state(&app).step, 2);

    send(&mut app, Control::TogglePlay);
    until_step(&mut app, 6);
    send(&mut app, Control::SetPlaying(false));
    // The step under way finishes, and its count arrives.
    for _ in 0..20 {
        app.update();
        std::thread::sleep(Duration::from_millis(20));
    }
    let paused_at = state(&app).step;
    for _ in 0..10 {
        app.update();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(state(&app).step, paused_at, "pause stops training");

    // A new seed waits for the reset; the learning rate applies at once.
    let mut settings = state(&app).settings.clone();
    settings.config.seed = 7;
    settings.config.lr_d = 1e-3;
    send(&mut app, Control::Apply(settings));
    assert_eq!(state(&app).settings.config.seed, 42);
    assert_eq!(state(&app).settings.config.lr_d, 1e-3);
    assert!(state(&app).pending_reset.is_some());
    let generation = state(&app).generation;
    send(&mut app, Control::Reset);
    let state = state(&app);
    assert_eq!(state.step, 0);
    assert!(state.history.is_empty());
    assert_eq!(state.generation, generation + 1);
    assert_eq!(state.settings.config.seed, 7);
    assert!(state.pending_reset.is_none());
}

#[test]
fn save_then_load_resumes_at_the_saved_step() {
    let mut app = with_data(true);
    for _ in 0..3 {
        send(&mut app, Control::Step(StepMode::Both));
    }
    let run = tempfile::tempdir().unwrap();
    send(&mut app, Control::Save(run.path().to_path_buf()));
    assert!(state(&app).notice.as_deref().unwrap().starts_with("saved"));
    send(&mut app, Control::Reset);
    assert_eq!(state(&app).step, 0);
    send(&mut app, Control::Load(run.path().to_path_buf()));
    assert_eq!(state(&app).step, 3);
    assert!(state(&app).can_train);

    send(&mut app, Control::Load(run.path().join("nothing-here")));
    let notice = state(&app).notice.clone().unwrap();
    assert!(
        notice.contains("load failed") && notice.contains("nothing-here"),
        "{notice}"
    );
    assert_eq!(
        state(&app).step,
        3,
        "a failed load keeps the running session"
    );
}

#[test]
fn without_data_the_pretrained_generator_is_explored() {
    let (mut app, empty) = without_data();
    match app.world().resource::<DatasetStatus>() {
        DatasetStatus::Unavailable(message) => {
            assert!(
                message.contains(&empty.path().display().to_string()),
                "{message}"
            )
        }
        _ => panic!("an empty folder is no dataset"),
    }
    let state = state(&app);
    assert!(!state.can_train && !state.playing);
    assert!(state.step > 0, "the pretrained generator was trained");
    send(&mut app, Control::TogglePlay);
    assert!(!state_playing(&app));
    let previews = app.world().resource::<Previews>();
    let mean =
        previews.grid.iter().map(|&p| f64::from(p)).sum::<f64>() / previews.grid.len() as f64;
    // MNIST digits are mostly black with white strokes: a mean grey level of ~35 of 255.
    assert!((10.0..90.0).contains(&mean), "mean grey {mean}");
}

fn state_playing(app: &App) -> bool {
    state(app).playing
}

#[test]
fn clicked_digits_join_the_walk_and_frames_follow_the_path() {
    let mut app = with_data(true);
    app.update();
    let (keyframes, version) = {
        let walk = app.world().resource::<WalkState>();
        (walk.path.keyframes().len(), walk.version)
    };
    let z = app.world().resource::<Previews>().grid_latent(5).unwrap();
    app.world_mut().write_message(WalkControl::Scrub(1.5));
    app.update();
    app.world_mut()
        .write_message(WalkControl::AddLatent(z.clone()));
    app.update();
    app.update();
    let walk = app.world().resource::<WalkState>();
    assert_eq!(walk.path.keyframes().len(), keyframes + 1);
    assert_eq!(walk.path.keyframes()[2], z, "inserted as the next stop");
    assert!(walk.version > version);
    let frames = walk.frame_count();
    let previews = app.world().resource::<Previews>();
    assert_eq!(previews.keyframes.len(), (keyframes + 1) * IMAGE_PIXELS);
    assert_eq!(previews.walk.len(), frames * IMAGE_PIXELS);
    // Grid digit 5 and the new keyframe share a latent vector, so they are the same image.
    let (key, digit) = (
        Previews::image(&previews.keyframes, 2).unwrap(),
        Previews::image(&previews.grid, 5).unwrap(),
    );
    let differing = key
        .iter()
        .zip(digit)
        .filter(|(a, b)| a.abs_diff(**b) > 1)
        .count();
    assert_eq!(differing, 0, "keyframe 2 should show grid digit 5");
}

#[test]
fn the_truncation_slider_redraws_the_digits_and_gives_them_back() {
    // Without data the pretrained generator stands still, so every redraw is comparable.
    let (mut app, _empty) = without_data();
    let grid = |app: &App| app.world().resource::<Previews>().grid.clone();
    let plain = grid(&app);
    let version = app.world().resource::<Previews>().version;
    app.world_mut()
        .write_message(SetTruncation(Truncation::new(0.3).unwrap()));
    app.update();
    assert_eq!(
        app.world().resource::<DrawTruncation>().0,
        Truncation::new(0.3).unwrap()
    );
    assert!(app.world().resource::<Previews>().version > version);
    let narrow = grid(&app);
    assert_eq!(narrow.len(), plain.len());
    assert_ne!(narrow, plain, "ψ 0.3 draws other digits");
    app.world_mut()
        .write_message(SetTruncation(Truncation::NONE));
    app.update();
    assert_eq!(grid(&app), plain, "back at ψ 1, the same digits");
}

/// Updates until the projection has finished.
fn until_projected(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !app.world().resource::<Projected>().finished {
        assert!(Instant::now() < deadline, "the projection never finished");
        app.update();
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_projected_digit_is_found_on_its_own_thread_and_joins_the_walk() {
    // Without data the pretrained generator stands still: project one of its own grid digits.
    let (mut app, _empty) = without_data();
    let digit = |app: &App, index: usize| {
        Previews::image(&app.world().resource::<Previews>().grid, index)
            .unwrap()
            .to_vec()
    };
    let (first, wanted) = (digit(&app, 0), digit(&app, 9));
    // A second request replaces the first.
    for target in [first, wanted.clone()] {
        app.world_mut().write_message(ProjectDigit {
            digit: target,
            origin: DigitOrigin::Drawn,
        });
        app.update();
    }
    until_projected(&mut app);
    let projected = app.world().resource::<Projected>();
    assert_eq!(projected.target.as_deref(), Some(&wanted[..]));
    assert!(projected.problem.is_none());
    let snapshot = projected.snapshot.clone().unwrap();
    let best = snapshot.best().clone();
    let convergence = projected.convergence.clone();
    assert!(convergence.len() >= 10, "{} looks", convergence.len());
    assert_eq!(convergence.last().unwrap()[1], f64::from(best.pixel_error));
    assert!(convergence[0][1] > 2.0 * convergence.last().unwrap()[1]);
    // The target is the digit's grey bytes, so it is found within grey-level rounding.
    assert!(best.pixel_error < 0.03, "pixel error {}", best.pixel_error);

    let keyframes = app.world().resource::<WalkState>().path.keyframes().len();
    app.world_mut().write_message(AddProjectedToWalk);
    app.update();
    app.update();
    let walk = app.world().resource::<WalkState>();
    assert_eq!(walk.path.keyframes().len(), keyframes + 1);
    assert!(walk.path.keyframes().contains(&best.z));
}

/// Updates until the directions window has directions and their digits.
fn until_directions(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let directions = app.world().resource::<LatentDirections>();
        if directions.found.is_some() && !directions.digits.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "no directions were found");
        app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn direction_sliders_move_the_digit_and_the_strips_show_where_each_goes() {
    let (mut app, _empty) = without_data();
    app.insert_resource(DirectionsWindowOpen(true));
    until_directions(&mut app);
    let directions = app.world().resource::<LatentDirections>();
    assert_eq!(
        directions.found.as_ref().unwrap().len(),
        100,
        "SeFa: one per latent dimension"
    );
    assert_eq!(directions.digits.len(), (5 * 7 + 1) * IMAGE_PIXELS);
    // With every slider at 0, each strip's middle digit is the moved digit itself.
    for k in 0..5 {
        assert_eq!(directions.digit(k, 3), directions.digit(5, 0), "strip {k}");
    }
    assert_ne!(
        directions.digit(0, 0),
        directions.digit(0, 6),
        "−3σ and +3σ differ"
    );
    let base = directions.base.clone().unwrap();
    let u = directions.found.as_ref().unwrap().vectors[0].clone();

    app.world_mut()
        .write_message(DirectionsControl::SetOffset { k: 0, offset: 2.0 });
    app.update();
    app.update();
    let directions = app.world().resource::<LatentDirections>();
    let moved = directions.moved().unwrap();
    for ((m, b), u) in moved.iter().zip(&base).zip(&u) {
        assert!((m - (b + 2.0 * u)).abs() < 1e-6);
    }
    // The strips stay put around the base: the slider's digit is strip 0's +2σ one.
    assert_eq!(directions.digit(0, 5), directions.digit(5, 0));

    app.world_mut()
        .write_message(DirectionsControl::WalkAlong(0));
    app.update();
    app.update();
    let walk = app.world().resource::<WalkState>();
    assert_eq!(walk.path.keyframes().len(), 2);
    assert_eq!(
        walk.path.interpolation,
        ganimate::gan::latent::Interpolation::Lerp
    );
    for (end, sign) in walk.path.keyframes().iter().zip([-3.0, 3.0]) {
        for ((e, m), u) in end.iter().zip(&moved).zip(&u) {
            assert!((e - (m + sign * u)).abs() < 1e-5);
        }
    }

    app.world_mut().write_message(DirectionsControl::AddToWalk);
    app.update();
    app.update();
    assert!(
        app.world()
            .resource::<WalkState>()
            .path
            .keyframes()
            .contains(&moved)
    );
    let directions = app.world().resource::<LatentDirections>();
    assert_eq!(
        directions.base.as_ref(),
        Some(&moved),
        "the added digit is the new base"
    );
    assert_eq!(directions.offsets, [0.0; 5]);

    app.world_mut().write_message(DirectionsControl::SetMethod(
        ganimate::gan::latent::directions::Method::Ganspace,
    ));
    app.update();
    until_directions(&mut app);
    let directions = app.world().resource::<LatentDirections>();
    assert_eq!(
        directions.found.as_ref().unwrap().len(),
        16,
        "GANSpace keeps 16"
    );
}

#[test]
fn a_new_session_gets_its_own_directions_even_when_they_do_not_follow_training() {
    let mut app = with_data(false);
    app.insert_resource(DirectionsWindowOpen(true));
    app.world_mut()
        .write_message(DirectionsControl::FollowTraining(false));
    until_directions(&mut app);
    let first_generation = app.world().resource::<LatentDirections>().found_generation;
    assert_eq!(first_generation, state(&app).generation);
    send(&mut app, Control::Reset);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        app.update();
        let found = app.world().resource::<LatentDirections>().found_generation;
        if found != first_generation {
            assert_eq!(
                found,
                state(&app).generation,
                "the new session's directions"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the old session's directions stayed after the reset"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_timeline_keeps_the_grid_over_training_and_replays_it() {
    let mut app = with_data(false);
    until_step(&mut app, 200);
    // Grids are drawn four times a second: wait for a few.
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.world().resource::<Timeline>().grids.len() < 3 {
        assert!(Instant::now() < deadline, "no snapshots");
        app.update();
        std::thread::sleep(Duration::from_millis(20));
    }
    let timeline = app.world().resource::<Timeline>();
    assert!(timeline.live);
    assert_eq!(
        timeline.shown,
        timeline.grids.len() - 1,
        "following the newest"
    );
    let (first_step, first) = timeline.grids.get(0).unwrap();
    let (last_step, last) = timeline.grids.get(timeline.grids.len() - 1).unwrap();
    assert!(last_step > first_step);
    assert_eq!(first.len(), 64 * IMAGE_PIXELS);
    assert_ne!(first, last, "the grid changed as G learned");

    app.world_mut().write_message(TimelineControl::Show(0));
    app.update();
    let timeline = app.world().resource::<Timeline>();
    assert!(!timeline.live && timeline.shown == 0);
    app.world_mut().write_message(TimelineControl::Replay);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.update();
        let timeline = app.world().resource::<Timeline>();
        if timeline.shown > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the replay never moved");
        std::thread::sleep(Duration::from_millis(20));
    }
    app.world_mut().write_message(TimelineControl::Live);
    app.update();
    let timeline = app.world().resource::<Timeline>();
    assert!(timeline.live && timeline.shown == timeline.grids.len() - 1);
}

/// Updates until D has been read after reading `version`.
fn until_read(app: &mut App, version: u64) -> &WhatDSeesReadings {
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.world().resource::<WhatDSeesReadings>().version <= version {
        assert!(Instant::now() < deadline, "D was never read");
        app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
    app.world().resource::<WhatDSeesReadings>()
}

fn inspect(app: &mut App, index: usize) {
    let mut view = app.world_mut().resource_mut::<WhatDSeesView>();
    view.window_open = true;
    view.inspected = index;
}

#[test]
fn what_d_sees_is_read_while_shown_and_measures_what_g_steps_do() {
    let mut app = with_data(true);
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(
        app.world().resource::<WhatDSeesReadings>().version,
        0,
        "nothing shows D, so it is not read"
    );
    inspect(&mut app, 5);
    let readings = until_read(&mut app, 0);
    assert_eq!(readings.grid_scores.len(), 64);
    assert!(readings.grid_scores.iter().all(|s| (0.0..=1.0).contains(s)));
    let histogram = readings
        .histogram
        .as_ref()
        .expect("the window shows the histogram");
    assert_eq!(histogram.real.iter().sum::<u32>(), 256);
    assert_eq!(histogram.fake.iter().sum::<u32>(), 256);
    let digit = readings.inspected.as_ref().unwrap();
    assert_eq!(digit.index, 5);
    assert_eq!(digit.image.len(), IMAGE_PIXELS);
    // The close-up is the grid's digit: the same verdict, but for the grid's 8-bit pixels.
    assert!(
        (digit.seen.score - readings.grid_scores[5]).abs() < 0.02,
        "{} vs {}",
        digit.seen.score,
        readings.grid_scores[5]
    );
    assert!(digit.seen.saliency.iter().any(|&g| g != 0.0));
    assert!(digit.did.is_none(), "no step yet, so nothing done");

    // Steps move G, and the next reading says by how much per step.
    let version = readings.version;
    for _ in 0..3 {
        send(&mut app, Control::Step(StepMode::Both));
    }
    let digit = until_read(&mut app, version).inspected.clone().unwrap();
    let (did, steps) = digit.did.expect("steps were taken");
    assert!((1..=3).contains(&steps), "{steps} steps");
    let moved = did.iter().map(|d| d.abs()).fold(0.0, f32::max);
    assert!(moved > 0.0, "G's steps changed nothing in the digit");
    let agreement = digit.agreement.unwrap();
    assert!((-1.0..=1.0).contains(&agreement), "{agreement}");

    // Another digit is measured afresh.
    let version = app.world().resource::<WhatDSeesReadings>().version;
    inspect(&mut app, 9);
    let digit = until_read(&mut app, version).inspected.clone().unwrap();
    assert_eq!(digit.index, 9);
    assert!(digit.did.is_none());
}

#[test]
fn walk_along_sweeps_the_strongest_direction_once_it_is_found() {
    let empty = tempfile::tempdir().unwrap();
    let mut app = headless(AppOptions {
        data: Some(empty.path().to_path_buf()),
        walk_along: Some(0),
        ..default()
    });
    until_open(&mut app);
    assert!(
        app.world().resource::<DirectionsWindowOpen>().0,
        "--walk-along opens the directions window, where directions are found"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.world().resource::<WalkState>().path.keyframes().len() != 2 {
        assert!(
            Instant::now() < deadline,
            "the walk never went along direction 1"
        );
        app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
    let directions = app.world().resource::<LatentDirections>();
    let (base, u) = (
        directions.base.clone().unwrap(),
        directions.found.as_ref().unwrap().vectors[0].clone(),
    );
    let path = &app.world().resource::<WalkState>().path;
    assert_eq!(
        path.interpolation,
        ganimate::gan::latent::Interpolation::Lerp
    );
    // From −3σ to +3σ along the strongest direction, around the vector the sliders move.
    for (sign, keyframe) in [(-3.0, &path.keyframes()[0]), (3.0, &path.keyframes()[1])] {
        for ((k, b), u) in keyframe.iter().zip(&base).zip(&u) {
            assert!((k - (b + sign * u)).abs() < 1e-5, "{k} vs {b} {sign:+}·{u}");
        }
    }
}
