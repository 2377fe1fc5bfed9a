//! `ganimate app --headless`: the same scene drawn into an image on the GPU (lavapipe here),
//! with no window system at all: no Xvfb, no DISPLAY. Scripted runs, screenshots and
//! recordings work as in the window; the flags that need a window are refused.

use crate::common;

use std::process::{Command, Output};

/// The app headless, with every trace of a display removed from its environment.
fn headless_app(args: &[&str]) -> Output {
    without_display(&[&["app"][..], args].concat())
}

/// ganimate with every trace of a display removed from its environment.
fn without_display(args: &[&str]) -> Output {
    let runtime = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("XDG_CACHE_HOME", runtime.path())
        .output()
        .unwrap()
}

/// Headless on the test split, CPU backend, continuing the pretrained generator, plus `extra`.
fn pretrained(extra: &[&str]) -> Output {
    let base = common::pretrained_app_args();
    let base: Vec<&str> = base.iter().map(String::as_str).collect();
    headless_app(&[&["--headless"][..], &base, extra].concat())
}

#[test]
fn a_scripted_run_without_a_display_draws_the_scene() {
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("shot.png");
    let output = pretrained(&[
        "--quit-after-frames",
        "30",
        "--screenshot",
        shot.to_str().unwrap(),
    ]);
    let (stdout, _) = common::succeeded(&output);
    assert!(stdout.starts_with("ganimate app: "), "{stdout}");
    assert!(stdout.contains("backend cpu"), "{stdout}");
    // The same layout as the window's: the grid left of centre, digits in it.
    let (spread, bright) = common::luminance_stats(&shot, (235, 243), 100);
    assert!(spread > 30.0, "the grid area is flat (std {spread:.1})");
    assert!(
        bright > 0.03,
        "too few white strokes for digits: {bright:.3}"
    );
}

#[test]
fn a_recording_without_a_display_has_its_frames() {
    let dir = tempfile::tempdir().unwrap();
    let frames = dir.path().join("frames");
    let output = pretrained(&[
        "--record",
        frames.to_str().unwrap(),
        "--duration",
        "0.3",
        "--fps",
        "10",
        "--no-panels",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for frame in 1..=3 {
        assert!(
            frames.join(format!("frame-{frame:06}.png")).is_file(),
            "frame {frame}"
        );
    }
    assert!(!frames.join("frame-000004.png").exists());
    let (spread, _) = common::luminance_stats(&frames.join("frame-000001.png"), (320, 340), 100);
    assert!(spread > 30.0, "the first frame is blank (std {spread:.1})");
}

#[test]
fn headless_needs_a_script_and_refuses_window_only_flags() {
    for (args, mentions) in [
        (&["--headless"][..], "--quit-after-frames"),
        (
            &[
                "--headless",
                "--quit-after-frames",
                "5",
                "--recordings",
                "/tmp",
            ][..],
            "--recordings",
        ),
    ] {
        let output = headless_app(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(mentions), "{args:?}: {stderr}");
    }
}

/// `bench --soak` in miniature (the hour-long run is the README's command): the app on the soak
/// schedule for 21 s samples itself, makes and finishes its recordings, and logs no error.
#[test]
fn a_short_soak_samples_records_and_logs_no_error() {
    let data = common::pretrained_app_args();
    let data_dir = &data[data.iter().position(|a| a == "--data").unwrap() + 1];
    let output = without_display(&[
        "bench",
        "--soak",
        "0.35",
        "--headless",
        "--backend",
        "cpu",
        "--data",
        data_dir,
    ]);
    let (stdout, _) = common::succeeded(&output);
    let samples: usize = stdout
        .split("min, ")
        .nth(1)
        .and_then(|rest| rest.split(" samples").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary: {stdout}"));
    // One per 0.7 s interval, fewer when frames take longer than that on a loaded machine (CI
    // has seen 5 s frames while the other test thread also ran an app).
    assert!((3..=31).contains(&samples), "{samples} samples: {stdout}");
    assert!(
        stdout.contains("errors in the log: 0 (goal 0: met)"),
        "{stdout}"
    );
    let recordings = stdout
        .lines()
        .find(|l| l.starts_with("recordings: "))
        .unwrap_or_else(|| panic!("no recordings line: {stdout}"));
    assert!(recordings.ends_with(": met)"), "{recordings}");
    assert!(!recordings.starts_with("recordings: 0 "), "{recordings}");
}
