//! `ganimate walk`: every output format decodes to the expected frames, the walk loops without
//! a jump, renders are reproducible, and bad requests fail cleanly, leaving nothing behind.

use std::path::Path;
use std::process::{Command, Output};

use crate::common;

const PRETRAINED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/pretrained");

fn walk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .arg("walk")
        .args(["--checkpoint", PRETRAINED])
        .args(args)
        .output()
        .unwrap()
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn failure(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Decodes every frame of a GIF as indexed greyscale bytes.
fn gif_frames(path: &Path) -> (u16, u16, Vec<Vec<u8>>) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options
        .read_info(std::fs::File::open(path).unwrap())
        .unwrap();
    let (width, height) = (decoder.width(), decoder.height());
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        frames.push(frame.buffer.to_vec());
    }
    (width, height, frames)
}

fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(x.abs_diff(*y)))
        .sum::<f64>()
        / a.len() as f64
}

/// Files in `dir` and its subfolders, hidden ones included.
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn gif_walk_has_every_frame_and_loops_without_a_jump() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("walk.gif");
    let args = [
        "--keyframes",
        "3",
        "--seconds-per-key",
        "0.5",
        "--fps",
        "20",
        "--size",
        "64",
    ];
    ok(&walk(
        &[&args[..], &["--out", out.to_str().unwrap()]].concat(),
    ));
    let (width, height, frames) = gif_frames(&out);
    assert_eq!((width, height), (64, 64));
    assert_eq!(frames.len(), 3 * 10, "3 keyframes × 0.5 s × 20 fps");
    // The step from the last frame back to the first is an ordinary step of the path.
    let steps: Vec<f64> = frames
        .windows(2)
        .map(|w| mean_abs_diff(&w[0], &w[1]))
        .collect();
    let largest = steps.iter().cloned().fold(0.0, f64::max);
    let wrap = mean_abs_diff(frames.last().unwrap(), &frames[0]);
    assert!(
        wrap <= largest * 1.5,
        "loop seam {wrap:.2} vs largest step {largest:.2}"
    );
    // Between keyframes the picture changes: it is a walk, not a still.
    assert!(mean_abs_diff(&frames[0], &frames[5]) > 1.0);

    // The same seed renders byte for byte the same file; another seed another walk.
    let again = dir.path().join("again.gif");
    ok(&walk(
        &[&args[..], &["--out", again.to_str().unwrap()]].concat(),
    ));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
    let other = dir.path().join("other.gif");
    ok(&walk(
        &[
            &args[..],
            &["--seed", "7", "--out", other.to_str().unwrap()],
        ]
        .concat(),
    ));
    assert_ne!(std::fs::read(&out).unwrap(), std::fs::read(&other).unwrap());
    assert_eq!(
        entries(dir.path()).len(),
        3,
        "no temporary files left: {:?}",
        entries(dir.path())
    );
}

#[test]
fn png_folder_grid_walk() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("frames");
    ok(&walk(&[
        "--keyframes",
        "2",
        "--seconds-per-key",
        "0.25",
        "--fps",
        "8",
        "--size",
        "100",
        "--grid",
        "2x2",
        "--out",
        out.to_str().unwrap(),
    ]));
    let mut names = entries(&out);
    names.sort();
    assert_eq!(
        names,
        vec![
            "frame-000001.png",
            "frame-000002.png",
            "frame-000003.png",
            "frame-000004.png"
        ]
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(out.join(&names[0])).unwrap(),
    ));
    let info = decoder.read_info().unwrap();
    assert_eq!((info.info().width, info.info().height), (100, 100));
    // A new render into a folder that already holds frames is refused.
    let message = failure(&walk(&["--keyframes", "2", "--out", out.to_str().unwrap()]));
    assert!(message.contains("not empty"), "{message}");
}

#[test]
fn mp4_through_ffmpeg_has_the_expected_frame_count() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("walk.mp4");
    ok(&walk(&[
        "--keyframes",
        "2",
        "--seconds-per-key",
        "0.5",
        "--fps",
        "30",
        "--size",
        "65",
        "--out",
        out.to_str().unwrap(),
    ]));
    let text = common::probe_video(&out);
    // 65 is odd: the frame is padded to 66 for H.264's 4:2:0 chroma.
    assert_eq!(text, "66,66,30");
}

#[test]
fn bad_requests_fail_clearly_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let avi = dir.path().join("walk.avi");
    let message = failure(&walk(&["--out", avi.to_str().unwrap()]));
    assert!(
        message.contains("walk.avi") && message.contains(".gif"),
        "{message}"
    );

    // .mp4 without ffmpeg on PATH suggests the alternatives.
    let output = Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .args(["walk", "--checkpoint", PRETRAINED, "--keyframes", "2"])
        .arg("--out")
        .arg(dir.path().join("walk.mp4"))
        .env("PATH", dir.path())
        .output()
        .unwrap();
    let message = failure(&output);
    assert!(
        message.contains("ffmpeg") && message.contains(".gif"),
        "{message}"
    );

    for (flag, value) in [
        ("--fps", "0"),
        ("--fps", "1000"),
        ("--size", "0"),
        ("--size", "100000"),
    ] {
        let out = dir.path().join("x.gif");
        let message = failure(&walk(&[flag, value, "--out", out.to_str().unwrap()]));
        assert!(
            message.contains("out of range"),
            "{flag} {value}: {message}"
        );
    }
    let message = failure(&walk(&["--seconds-per-key", "0", "--out", "y.gif"]));
    assert!(message.contains("--seconds-per-key"), "{message}");
    let message = failure(&walk(&[
        "--out",
        dir.path().join("missing/walk.gif").to_str().unwrap(),
    ]));
    assert!(message.contains("folder not found"), "{message}");
    let message = failure(
        &Command::new(env!("CARGO_BIN_EXE_ganimate"))
            .args(["walk", "--checkpoint", dir.path().to_str().unwrap()])
            .arg("--out")
            .arg(dir.path().join("z.gif"))
            .output()
            .unwrap(),
    );
    assert!(message.contains("not a ganimate checkpoint"), "{message}");
    assert!(
        entries(dir.path()).is_empty(),
        "left behind: {:?}",
        entries(dir.path())
    );
    let usage = walk(&["--grid", "3", "--out", "w.gif"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn training_time_lapse_has_one_frame_per_sample() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::mnist_dir();
    let video = dir.path().join("progress.gif");
    let output = Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .args([
            "train",
            "--backend",
            "cpu",
            "--steps",
            "6",
            "--sample-every",
            "2",
        ])
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("run"))
        .arg("--video")
        .arg(&video)
        .output()
        .unwrap();
    ok(&output);
    let (width, height, frames) = gif_frames(&video);
    // Steps 0, 2, 4 and 6; the 8 × 8 grid of 28-pixel digits with 2-pixel gaps, doubled.
    assert_eq!(frames.len(), 4);
    assert_eq!((width, height), (484, 484));
    assert!(
        mean_abs_diff(&frames[0], &frames[3]) > 0.5,
        "the generator changed"
    );

    let message = failure(
        &Command::new(env!("CARGO_BIN_EXE_ganimate"))
            .args([
                "train",
                "--backend",
                "cpu",
                "--steps",
                "2",
                "--sample-every",
                "0",
            ])
            .arg("--data")
            .arg(&data)
            .arg("--out")
            .arg(dir.path().join("run2"))
            .arg("--video")
            .arg(dir.path().join("x.gif"))
            .output()
            .unwrap(),
    );
    assert!(message.contains("--sample-every"), "{message}");
}
