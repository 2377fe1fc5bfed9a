//! The `ganimate` binary end to end: exit codes, messages, files written, interruptions.

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::mnist_dir;
use ganimate::data::idx;

fn ganimate(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ganimate"));
    command
        .args(args)
        .env_remove("GANIMATE_DATA")
        .stdin(Stdio::null());
    command
}

fn run(args: &[&str]) -> Output {
    ganimate(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A small CPU training run of the course preset into `out`, with `extra` flags.
fn train_command(out: &Path, extra: &[&str]) -> Command {
    let course = common::course_training(32, out);
    let mut args: Vec<&str> = course.iter().map(String::as_str).collect();
    args.extend_from_slice(extra);
    ganimate(&args)
}

fn train(out: &Path, extra: &[&str]) -> Output {
    train_command(out, extra).output().unwrap()
}

/// Asserts a runtime error: exit status 1 and `text` in the message.
fn assert_fails_with(output: &Output, text: &str) {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(output));
    assert!(
        stderr(output).contains(text),
        "expected {text:?} in: {}",
        stderr(output)
    );
    // The cause is told once: an error that is both a message's text and its `source` was
    // printed twice ("cannot read x.png: No such file…: No such file…").
    for line in stderr(output).lines().filter(|l| l.starts_with("error: ")) {
        let parts: Vec<&str> = line.split(": ").collect();
        for (i, part) in parts.iter().enumerate() {
            assert!(!parts[i + 1..].contains(part), "said twice: {line}");
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let output = run(&["train", "--steps", "ten"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("invalid value 'ten'"));
    assert_eq!(
        run(&["train", "--steps", "1", "--epochs", "1"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["sample", "--out", "x.png"]).status.code(),
        Some(2),
        "--checkpoint is required"
    );
    assert_eq!(run(&["train", "--preset", "huge"]).status.code(), Some(2));
    let output = run(&["app", "--preset", "course", "--checkpoint", "runs/x"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a checkpoint brings its own preset"
    );
    assert!(stderr(&output).contains("cannot be used with"));
    // Plain `ganimate` is the app, and its flags reach the app's checks.
    let output = run(&["--preset", "course", "--checkpoint", "runs/x"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot be used with"));
    assert_fails_with(&run(&["--fps", "0"]), "--fps must be between 1");
}

#[test]
fn runtime_errors_exit_1_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("train-images-idx3-ubyte.gz");
    std::fs::write(&bad, b"\x1f\x8b\x08\x00garbage").unwrap();
    let output = run(&[
        "train",
        "--data",
        dir.path().to_str().unwrap(),
        "--backend",
        "cpu",
        "--out",
        dir.path().join("run").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("error: ") && message.contains(bad.to_str().unwrap()),
        "{message}"
    );
    assert!(message.contains("corrupt gzip stream"), "{message}");
    assert!(!message.contains("panicked"), "{message}");

    let output = run(&[
        "sample",
        "--checkpoint",
        dir.path().to_str().unwrap(),
        "--out",
        "x.png",
    ]);
    assert_fails_with(&output, "not a ganimate checkpoint");

    let output = run(&[
        "train",
        "--data",
        "/nonexistent/mnist",
        "--backend",
        "cpu",
        "--out",
        "/tmp/never",
    ]);
    assert_fails_with(&output, "/nonexistent/mnist: folder not found");
}

#[test]
fn train_then_sample_png_and_idx() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let output = train(
        &out,
        &[
            "--steps",
            "30",
            "--sample-every",
            "10",
            "--save-every",
            "20",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    for step in [0, 10, 20, 30] {
        assert!(
            out.join(format!("samples/step-{step:08}.png")).is_file(),
            "frame at step {step}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("latest")).unwrap().trim(),
        "ckpt-00000030"
    );

    let grid = dir.path().join("grid.png");
    let output = run(&[
        "sample",
        "--checkpoint",
        out.to_str().unwrap(),
        "--n",
        "16",
        "--out",
        grid.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&grid).unwrap()));
    let info = decoder.read_info().unwrap().info().clone();
    assert_eq!((info.width, info.height), (4 * 30 + 2, 4 * 30 + 2));

    // IDX round trip: generated digits read back like a dataset, and the seed decides them.
    let sample_idx = |name: &str, seed: &str| {
        let path = dir.path().join(name);
        let output = run(&[
            "sample",
            "--checkpoint",
            out.to_str().unwrap(),
            "--n",
            "100",
            "--seed",
            seed,
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        idx::read_images(&path).unwrap()
    };
    let images = sample_idx("a.idx", "7");
    assert_eq!((images.count, images.rows, images.cols), (100, 28, 28));
    assert!(images == sample_idx("b.idx", "7"));
    assert!(images != sample_idx("c.idx", "8"));

    let output = run(&[
        "sample",
        "--checkpoint",
        out.to_str().unwrap(),
        "--out",
        dir.path().join("x.jpg").to_str().unwrap(),
    ]);
    assert_fails_with(&output, "unknown output format");
    assert!(!dir.path().join("x.jpg").exists());

    // An existing run is never overwritten by accident.
    let output = train(&out, &["--steps", "40"]);
    assert_fails_with(&output, "pass --resume");
    let output = train(&out, &["--steps", "40", "--resume", "--seed", "7"]);
    assert_fails_with(&output, "--seed 7: the checkpoint was trained with 42");
}

#[test]
fn resume_matches_an_unbroken_run() {
    let dir = tempfile::tempdir().unwrap();
    let (whole, split) = (dir.path().join("whole"), dir.path().join("split"));
    let quiet = ["--sample-every", "0"];
    assert!(
        train(&whole, &[&quiet[..], &["--steps", "60"]].concat())
            .status
            .success()
    );
    assert!(
        train(&split, &[&quiet[..], &["--steps", "30"]].concat())
            .status
            .success()
    );
    let output = train(
        &split,
        &["--steps", "60", "--sample-every", "0", "--resume"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("resuming"));

    let sample = |run: &Path, name: &str| {
        let path = dir.path().join(name);
        let output = run_sample(run, &path);
        assert!(output.status.success(), "{}", stderr(&output));
        std::fs::read(path).unwrap()
    };
    assert!(
        sample(&whole, "whole.idx") == sample(&split, "split.idx"),
        "the digits differ"
    );
}

fn run_sample(checkpoint: &Path, out: &Path) -> Output {
    run(&[
        "sample",
        "--checkpoint",
        checkpoint.to_str().unwrap(),
        "--n",
        "64",
        "--out",
        out.to_str().unwrap(),
    ])
}

/// Starts a long training run that saves after every step.
fn spawn_long_run(out: &Path) -> std::process::Child {
    train_command(
        out,
        &[
            "--steps",
            "1000000",
            "--save-every",
            "1",
            "--sample-every",
            "0",
        ],
    )
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

fn wait_for_checkpoint(out: &Path) {
    for _ in 0..600 {
        if out.join("latest").exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no checkpoint appeared in {}", out.display());
}

#[test]
fn a_killed_run_leaves_a_loadable_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    for (attempt, delay_ms) in [0u64, 137, 411].into_iter().enumerate() {
        let out = dir.path().join(format!("run{attempt}"));
        let mut child = spawn_long_run(&out);
        wait_for_checkpoint(&out);
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        child.wait().unwrap();
        let output = run_sample(&out, &dir.path().join(format!("after-kill{attempt}.png")));
        assert!(
            output.status.success(),
            "attempt {attempt}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn ctrl_c_saves_a_checkpoint_and_exits_130() {
    interrupt_saves_a_checkpoint_and_exits_130("-INT");
}

#[test]
fn sigterm_saves_a_checkpoint_like_ctrl_c() {
    interrupt_saves_a_checkpoint_and_exits_130("-TERM");
}

fn interrupt_saves_a_checkpoint_and_exits_130(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let child = spawn_long_run(&out);
    wait_for_checkpoint(&out);
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("interrupted at step") && message.contains("--resume"),
        "{message}"
    );
    let step: u64 = message
        .split("interrupted at step ")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("latest")).unwrap().trim(),
        format!("ckpt-{step:08}"),
        "the checkpoint holds the step the run stopped at"
    );
}

#[test]
fn truncation_narrows_the_digits_and_refuses_bad_values() {
    let pretrained = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pretrained");
    let pretrained = pretrained.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never.png");
    let commands: [&[&str]; 4] = [
        &[
            "sample",
            "--checkpoint",
            pretrained,
            "--out",
            out.to_str().unwrap(),
        ],
        &[
            "walk",
            "--checkpoint",
            pretrained,
            "--out",
            out.to_str().unwrap(),
        ],
        &["eval", "--checkpoint", pretrained],
        &["app", "--checkpoint", pretrained],
    ];
    for command in commands {
        for psi in ["0", "-1", "2.5", "nan", "half"] {
            let output = run(&[command, &["--truncation", psi]].concat());
            assert_eq!(output.status.code(), Some(2), "{command:?} {psi}");
            assert!(
                stderr(&output).contains("--truncation") && stderr(&output).contains("at most 2"),
                "{command:?} {psi}: {}",
                stderr(&output)
            );
            assert!(!out.exists());
        }
    }
    let sample = |name: &str, psi: Option<&str>| {
        let path = dir.path().join(name);
        let mut args = vec![
            "sample",
            "--checkpoint",
            pretrained,
            "--n",
            "200",
            "--out",
            path.to_str().unwrap(),
        ];
        args.extend(psi.map(|psi| ["--truncation", psi]).into_iter().flatten());
        let output = run(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        idx::read_images(&path).unwrap()
    };
    // How much the digits differ from each other: the mean per-pixel variance over samples.
    let spread = |images: &ganimate::data::Images| {
        let pixels = images.rows * images.cols;
        (0..pixels)
            .map(|p| {
                let values: Vec<f64> = (0..images.count)
                    .map(|i| f64::from(images.pixels[i * pixels + p]))
                    .collect();
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64
            })
            .sum::<f64>()
            / pixels as f64
    };
    let plain = sample("plain.idx", None);
    assert!(
        plain == sample("one.idx", Some("1")),
        "ψ = 1 is no truncation"
    );
    let narrow = spread(&sample("narrow.idx", Some("0.3")));
    let wide = spread(&plain);
    assert!(
        narrow < 0.8 * wide,
        "ψ 0.3 spread {narrow}, ψ 1 spread {wide}"
    );
}

#[test]
fn writing_a_judge_needs_both_splits() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("judge");
    let data = mnist_dir();
    let output = run(&[
        "classifier",
        "--data",
        data.to_str().unwrap(),
        "--backend",
        "cpu",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_fails_with(&output, "only the test split is here");
    assert!(!out.exists(), "nothing written");
    let output = run(&["classifier", "--epochs", "3"]);
    assert_eq!(output.status.code(), Some(2), "--epochs goes with --out");
}

/// A data folder whose images file is a small gzip that inflates to `zeros` MiB of zeros after
/// a header declaring `count` images.
fn gzip_bomb(count: u32, zeros: usize) -> tempfile::TempDir {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("t10k-images-idx3-ubyte.gz")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    for word in [0x0803, count, 28, 28] {
        encoder.write_all(&u32::to_be_bytes(word)).unwrap();
    }
    let mebibyte = vec![0u8; 1 << 20];
    for _ in 0..zeros {
        encoder.write_all(&mebibyte).unwrap();
    }
    encoder.finish().unwrap();
    dir
}

/// Runs ganimate to its end; returns its exit code, its stderr and its peak memory in MiB.
///
/// GNU time measures it: a process forked from this one would report this test process's own
/// peak (Linux keeps the parent's high-water mark across `exec`), and this process holds every
/// test of the crate. `time` is small, so the child it forks starts from a small mark.
fn run_measuring_memory(args: &[&str]) -> (Option<i32>, String, i64) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(env!("CARGO_BIN_EXE_ganimate"))
        .args(args)
        .env_remove("GANIMATE_DATA")
        .stdin(Stdio::null())
        .output()
        .expect("GNU time must be installed (Debian: time) to measure peak memory");
    let kib: i64 = std::fs::read_to_string(report.path())
        .unwrap()
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .expect("GNU time's report: the peak resident set in KiB");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr, kib / 1024)
}

#[test]
fn a_gzip_bomb_is_refused_before_it_is_inflated() {
    // The file: 100,000,000 images declared, then zeros (here 512 MiB of them).
    let bomb = gzip_bomb(100_000_000, 512);
    let out = bomb.path().join("run");
    let data = bomb.path().to_str().unwrap();
    let train = ["train", "--data", data, "--backend", "cpu", "--steps", "1"];
    let (code, stderr, peak) =
        run_measuring_memory(&[&train[..], &["--out", out.to_str().unwrap()]].concat());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("t10k-images-idx3-ubyte.gz") && stderr.contains("more than the 1024 MiB"),
        "{stderr}"
    );
    assert!(peak < 300, "peak memory {peak} MiB reading a refused file");
    assert!(!out.exists());

    // A header within the limit followed by far more data: read up to the declared size only.
    let long = gzip_bomb(1000, 512);
    let data = long.path().to_str().unwrap();
    let train = ["train", "--data", data, "--backend", "cpu", "--steps", "1"];
    let (code, stderr, peak) = run_measuring_memory(&train);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("do not match the payload"), "{stderr}");
    assert!(
        peak < 300,
        "peak memory {peak} MiB reading 784 kB of pixels"
    );
}

#[test]
fn walk_sweeps_a_sefa_direction_both_ways() {
    let pretrained = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pretrained");
    let dir = tempfile::tempdir().unwrap();
    let frames = dir.path().join("frames");
    // 8 frames of one sweep: distance 0, +3σ at frame 2, 0 at frame 4, −3σ at frame 6.
    let output = run(&[
        "walk",
        "--checkpoint",
        pretrained.to_str().unwrap(),
        "--direction",
        "1",
        "--keyframes",
        "2",
        "--seconds-per-key",
        "1",
        "--fps",
        "4",
        "--size",
        "28",
        "--out",
        frames.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let frame = |index: usize| {
        let path = frames.join(format!("frame-{:06}.png", index + 1));
        let decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        pixels
    };
    let differing =
        |a: &[u8], b: &[u8]| a.iter().zip(b).filter(|(x, y)| x.abs_diff(**y) > 1).count();
    assert_eq!(
        differing(&frame(0), &frame(4)),
        0,
        "back at the start half-way"
    );
    assert!(
        differing(&frame(2), &frame(6)) > 50,
        "+3σ and −3σ along the strongest direction draw different digits"
    );

    let out = dir.path().join("never");
    let output = run(&[
        "walk",
        "--checkpoint",
        pretrained.to_str().unwrap(),
        "--direction",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_fails_with(
        &output,
        "--direction 0: SeFa gives this generator directions 1 to 100",
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn r1_is_chosen_once_per_run_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    for bad in ["-1", "101", "nan"] {
        let output = train(&out, &["--steps", "2", "--r1", bad]);
        assert_fails_with(&output, "--r1 must be between 0 and 100");
        assert!(!out.exists(), "nothing written for --r1 {bad}");
    }
    let output = train(&out, &["--steps", "4", "--sample-every", "0", "--r1", "1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest = std::fs::read_to_string(out.join("ckpt-00000004/manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["config"]["r1_gamma"], 1.0, "{manifest}");
    let output = train(&out, &["--steps", "6", "--resume", "--r1", "2"]);
    assert_fails_with(&output, "--r1 2: the checkpoint was trained with 1");
}

/// A digit drawn with the pen as dark ink on white, the way people draw, saved as PNG.
fn drawn_digit(path: &Path, strokes: &[Vec<[f32; 2]>]) {
    let mut picture = ganimate::data::digitize::draw_strokes(strokes, 200, 0.08);
    for p in &mut picture.pixels {
        *p = 255 - *p;
    }
    ganimate::data::grid::write_png(path, &picture).unwrap();
}

#[test]
fn a_drawn_digit_is_projected_and_walked_from() {
    use ganimate::gan::latent::file::LatentFile;
    let pretrained = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pretrained");
    let checkpoint = pretrained.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).display().to_string();
    drawn_digit(Path::new(&at("one.png")), &[vec![[0.55, 0.1], [0.45, 0.9]]]);
    let circle: Vec<[f32; 2]> = (0..=32)
        .map(|i| {
            let angle = std::f32::consts::TAU * i as f32 / 32.0;
            [0.5 + 0.25 * angle.cos(), 0.5 + 0.35 * angle.sin()]
        })
        .collect();
    drawn_digit(Path::new(&at("zero.png")), &[circle]);

    for name in ["one", "zero"] {
        let (image, z) = (at(&format!("{name}.png")), at(&format!("{name}.json")));
        let preview = at(&format!("{name}-preview.png"));
        let output = run(&[
            "project",
            "--checkpoint",
            checkpoint,
            "--image",
            &image,
            "--out",
            &z,
            "--preview",
            &preview,
            "--restarts",
            "8",
            "--steps",
            "150",
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let error: f32 = stdout
            .split("pixel error ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no pixel error in: {stdout}"));
        // A clean drawn stroke is not one of G's own digits, but its closest one is close.
        assert!(error < 20.0, "{name}: pixel error {error} %");
        let file = LatentFile::load(Path::new(&z), 100).unwrap();
        assert_eq!(file.step, Some(20_000));
        assert!(Path::new(&preview).exists());
    }

    // The walk starts on the first projected digit, exactly as G draws it.
    let frames = at("frames");
    let keyframes = format!("{},{}", at("one.json"), at("zero.json"));
    let output = run(&[
        "walk",
        "--checkpoint",
        checkpoint,
        "--keyframes-from",
        &keyframes,
        "--fps",
        "4",
        "--seconds-per-key",
        "1",
        "--size",
        "28",
        "--out",
        &frames,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read_dir(&frames).unwrap().count(), 8);
    let device = Default::default();
    let (generator, _) =
        ganimate::gan::checkpoint::load_generator::<ganimate::backend::Cpu>(&pretrained, &device)
            .unwrap();
    let z = LatentFile::load(Path::new(&at("one.json")), 100).unwrap().z;
    let drawn = ganimate::gan::sample::generate(&generator, &z, &device).pixels;
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(Path::new(&frames).join("frame-000001.png")).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut first = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut first).unwrap();
    let differing = first
        .iter()
        .zip(&drawn)
        .filter(|(a, b)| a.abs_diff(**b) > 1)
        .count();
    assert_eq!(differing, 0, "the first frame is the projected digit");

    // Bad input: a clear error naming the file, exit 1, nothing written.
    let blank = at("blank.png");
    ganimate::data::grid::write_png(
        Path::new(&blank),
        &ganimate::data::grid::Grey {
            width: 30,
            height: 30,
            pixels: vec![255; 900],
        },
    )
    .unwrap();
    let never = at("never.json");
    for (image, message) in [
        (blank.as_str(), "has no digit in it"),
        (&at("missing.png"), "missing.png"),
        (&at("one.json"), "is not a PNG image"),
    ] {
        let output = run(&[
            "project",
            "--checkpoint",
            checkpoint,
            "--image",
            image,
            "--out",
            &never,
        ]);
        assert_fails_with(&output, message);
        assert!(!Path::new(&never).exists());
    }
    std::fs::write(
        at("broken.json"),
        "{\"format\":\"ganimate-latent\",\"version\":1,\"z\":[1,",
    )
    .unwrap();
    let broken = format!("{},{}", at("one.json"), at("broken.json"));
    let out = at("never.gif");
    let output = run(&[
        "walk",
        "--checkpoint",
        checkpoint,
        "--keyframes-from",
        &broken,
        "--out",
        &out,
    ]);
    assert_fails_with(&output, "broken.json is not a latent vector file");
    assert!(!Path::new(&out).exists());
}
