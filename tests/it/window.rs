//! The real window under Xvfb: scripted runs exit 0, report what they did, and the screenshot
//! shows digits where the grid is. Training shares Bevy's wgpu device in the second run.

use crate::common;

use std::path::Path;
use std::process::Command;

fn xvfb_app(args: &[&str]) -> std::process::Output {
    let runtime = tempfile::tempdir().unwrap();
    Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(env!("CARGO_BIN_EXE_ganimate"))
        .arg("app")
        .args(args)
        .env("XDG_RUNTIME_DIR", runtime.path())
        // The judge trains in the background; keep its cache out of the user's.
        .env("XDG_CACHE_HOME", runtime.path())
        .output()
        .expect("xvfb-run must be installed (Debian: xvfb xauth) to test the window")
}

/// The app on the test split, CPU backend, continuing the pretrained generator, plus `extra`.
fn xvfb_pretrained_app(extra: &[&str]) -> std::process::Output {
    let base = common::pretrained_app_args();
    let base: Vec<&str> = base.iter().map(String::as_str).collect();
    xvfb_app(&[&base[..], extra].concat())
}

#[test]
fn scripted_runs_exit_cleanly_and_the_screenshot_shows_digits() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::mnist_dir();
    let shot = dir.path().join("app.png");
    let output = xvfb_pretrained_app(&[
        "--quit-after-frames",
        "40",
        "--screenshot",
        shot.to_str().unwrap(),
    ]);
    let (stdout, _) = common::succeeded(&output);
    let frames: u32 = stdout
        .strip_prefix("ganimate app: ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary line: {stdout}"));
    // 40 frames, plus the few the screenshot takes to come back from the GPU.
    assert!((40..60).contains(&frames), "{stdout}");
    assert!(stdout.contains("backend cpu"), "{stdout}");
    // The grid sits left of centre in the space the panels leave (about 940 × 570 pixels).
    let (spread, bright) = common::luminance_stats(&shot, (235, 243), 100);
    assert!(
        spread > 30.0,
        "the grid area is flat (std {spread:.1}): nothing drawn"
    );
    assert!(
        bright > 0.03,
        "too few white strokes for digits: {bright:.3}"
    );

    // On the GPU path burn runs on the renderer's own wgpu device (lavapipe where there is no
    // GPU); paused, so the slow software adapter only samples.
    let output = xvfb_app(&[
        "--data",
        data.to_str().unwrap(),
        "--backend",
        "gpu",
        "--paused",
        "--quit-after-frames",
        "5",
    ]);
    let (stdout, stderr) = common::succeeded(&output);
    assert!(stdout.contains("backend gpu ("), "{stdout}\n{stderr}");
}

#[test]
fn scripted_recordings_have_the_right_length_and_repeat_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let record = |out: &Path| {
        let output = xvfb_pretrained_app(&[
            "--record",
            out.to_str().unwrap(),
            "--duration",
            "0.5",
            "--fps",
            "10",
            "--no-panels",
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
    };
    // An MP4 through ffmpeg: 0.5 s at 10 fps is 5 frames of the whole window.
    let mp4 = dir.path().join("demo.mp4");
    record(&mp4);
    let text = common::probe_video(&mp4);
    assert_eq!(text, "1280,800,5");

    // Time and training are deterministic while recording: two runs, the same frames.
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    record(&first);
    record(&second);
    for frame in 1..=5 {
        let name = format!("frame-{frame:06}.png");
        let (a, b) = (
            std::fs::read(first.join(&name)).unwrap(),
            std::fs::read(second.join(&name)).unwrap(),
        );
        assert!(a == b, "{name} differs between two recordings of one seed");
    }
    assert!(!first.join("frame-000006.png").exists());
    // The very first frame already shows the digits (the grid fills the left half).
    let (spread, _) = common::luminance_stats(&first.join("frame-000001.png"), (320, 340), 100);
    assert!(
        spread > 30.0,
        "the first recorded frame is blank (std {spread:.1})"
    );
    assert_ne!(
        std::fs::read(first.join("frame-000001.png")).unwrap(),
        std::fs::read(first.join("frame-000005.png")).unwrap(),
        "the recording moves: training and the walk go on"
    );
}

#[test]
fn the_your_digit_and_directions_windows_show_their_digits() {
    let dir = tempfile::tempdir().unwrap();
    let (picture, shot) = (dir.path().join("seven.png"), dir.path().join("app.png"));
    // A seven, dark ink on white as people draw.
    let mut seven = ganimate::data::digitize::draw_strokes(
        &[vec![[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]],
        160,
        0.08,
    );
    seven.pixels.iter_mut().for_each(|p| *p = 255 - *p);
    ganimate::data::grid::write_png(&picture, &seven).unwrap();
    let output = xvfb_pretrained_app(&[
        "--paused",
        "--project",
        picture.to_str().unwrap(),
        "--open",
        "directions",
        "--quit-after-frames",
        "10",
        "--screenshot",
        shot.to_str().unwrap(),
    ]);
    common::succeeded(&output);
    // The window opens at the top left, over the grid: its empty pad is flat black where the
    // grid's digits would be, and beside it the digit as MNIST stores it, then the best match.
    let (spread, bright) = common::luminance_stats(&shot, (98, 185), 25);
    assert!(
        spread < 5.0 && bright == 0.0,
        "pad: std {spread:.1}, bright {bright:.3}"
    );
    for (what, centre) in [("as MNIST", (227, 98)), ("found", (227, 186))] {
        let (spread, bright) = common::luminance_stats(&shot, centre, 30);
        assert!(
            spread > 30.0 && bright > 0.03,
            "{what}: std {spread:.1}, bright {bright:.3}"
        );
    }
}

#[test]
fn what_d_sees_shows_the_saliency_in_both_colours() {
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("app.png");
    let output = xvfb_pretrained_app(&[
        "--paused",
        "--open",
        "what-d-sees",
        "--quit-after-frames",
        "30",
        "--screenshot",
        shot.to_str().unwrap(),
    ]);
    common::succeeded(&output);
    // The window opens over the walk; its first close-up is D's saliency over the digit: red
    // where brighter pixels look more real to D, blue where they look more fake.
    let (red, blue) = common::red_and_blue_shares(&shot, (583, 189), 50);
    assert!(red > 0.05 && blue > 0.05, "red {red:.3}, blue {blue:.3}");
}
