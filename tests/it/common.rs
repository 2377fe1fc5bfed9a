//! Helpers that the test modules share.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use ganimate::data::{DatasetKind, Split, download, source};

/// Where the tests look for MNIST's test split before the shared folder and the cache.
pub const TEST_DATA_ENV: &str = "GANIMATE_TEST_DATA";

/// The MNIST test split (10,000 digits) the tests train and judge on, found in this order:
/// `$GANIMATE_TEST_DATA`; `../shared/data/mnist` beside the checkout; the tests' folder in the
/// user's ganimate cache (filled from the app's own MNIST cache where that has the test split);
/// else downloaded once into that folder by ganimate's downloader, with its checksums. Offline
/// with none of these, every test that needs the digits fails with the same line saying what
/// to do.
pub fn mnist_dir() -> PathBuf {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match FOUND.get_or_init(find_test_split) {
        Ok(dir) => dir.clone(),
        Err(message) => panic!("{message}"),
    }
}

fn holds_test_split(dir: &Path) -> bool {
    source::load_test_split(dir, DatasetKind::Mnist).is_ok()
}

fn find_test_split() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os(TEST_DATA_ENV).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return if holds_test_split(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "${TEST_DATA_ENV} is {}, which holds no readable MNIST test split \
                 (t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz])",
                dir.display()
            ))
        };
    }
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/mnist");
    if holds_test_split(&shared) {
        return Ok(shared);
    }
    let Some(cache) = source::cache_dir(DatasetKind::Mnist) else {
        return Err(format!(
            "no MNIST test split: set {TEST_DATA_ENV} to a folder holding t10k-images-idx3-ubyte.gz \
             and t10k-labels-idx1-ubyte.gz (this machine has no cache folder to download into)"
        ));
    };
    // The tests' own folder holds the test split alone, so that `--data` reads 10,000 digits
    // and not the training split beside them in the app's cache.
    let tests_dir = cache.with_file_name("test-split").join("mnist");
    if holds_test_split(&tests_dir) {
        return Ok(tests_dir);
    }
    let _ = std::fs::create_dir_all(&tests_dir);
    for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
        let _ = std::fs::copy(cache.join(name), tests_dir.join(name));
    }
    if holds_test_split(&tests_dir) {
        return Ok(tests_dir);
    }
    match download::download_split(
        DatasetKind::Mnist,
        Split::Test,
        &tests_dir,
        &mut download::Silent,
    ) {
        Ok(()) if holds_test_split(&tests_dir) => Ok(tests_dir),
        outcome => Err(format!(
            "no MNIST test split: set {TEST_DATA_ENV} to a folder holding t10k-images-idx3-ubyte.gz \
             and t10k-labels-idx1-ubyte.gz, or run the tests online once to download it into {} ({})",
            tests_dir.display(),
            match outcome {
                Err(err) => err.to_string(),
                Ok(()) => "the download left no readable files".to_string(),
            }
        )),
    }
}

/// `train`'s arguments for a small CPU run of the course preset into `out`.
pub fn course_training(batch_size: usize, out: &Path) -> Vec<String> {
    let data = mnist_dir().display().to_string();
    let out = out.display().to_string();
    let batch_size = batch_size.to_string();
    let preset = ["train", "--backend", "cpu", "--preset", "course"];
    let this_run = ["--data", &data, "--batch-size", &batch_size, "--out", &out];
    preset
        .into_iter()
        .chain(this_run)
        .map(str::to_string)
        .collect()
}

/// ffprobe's "width,height,frames" of a video's first stream, counting the frames it decodes.
pub fn probe_video(path: &Path) -> String {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=nb_read_frames,width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe must be installed (Debian: ffmpeg) to test .mp4 output");
    String::from_utf8_lossy(&probe.stdout).trim().to_string()
}

/// Asserts that a run of ganimate exited 0 (failing with what it printed) and returns its
/// stdout and stderr.
pub fn succeeded(output: &std::process::Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stdout}\n{stderr}");
    (stdout, stderr)
}

/// A 1280×800 RGB screenshot's pixels, and its width.
pub fn screenshot_rgb(path: &Path) -> (Vec<u8>, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!((info.width, info.height), (1280, 800));
    (buffer, info.width)
}

/// The spread (standard deviation) of a 1280×800 RGB PNG's luminance in a square of half-side
/// `half` around `center`, and the fraction of its pixels that are near white.
pub fn luminance_stats(path: &Path, center: (u32, u32), half: u32) -> (f64, f64) {
    let (buffer, width) = screenshot_rgb(path);
    let mut values = Vec::new();
    for y in center.1 - half..center.1 + half {
        for x in center.0 - half..center.0 + half {
            let i = ((y * width + x) * 3) as usize;
            let [r, g, b] = [buffer[i], buffer[i + 1], buffer[i + 2]].map(f64::from);
            values.push(0.299 * r + 0.587 * g + 0.114 * b);
        }
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    let bright = values.iter().filter(|&&v| v > 200.0).count() as f64 / values.len() as f64;
    (var.sqrt(), bright)
}

/// The fractions of a 1280×800 RGB PNG's pixels, in a square of half-side `half` around
/// `center`, that are clearly red and clearly blue: "What D sees" colours for "more real" and
/// "more fake".
pub fn red_and_blue_shares(path: &Path, center: (u32, u32), half: u32) -> (f64, f64) {
    let (buffer, width) = screenshot_rgb(path);
    let (mut red, mut blue, mut all) = (0, 0, 0);
    for y in center.1 - half..center.1 + half {
        for x in center.0 - half..center.0 + half {
            let i = ((y * width + x) * 3) as usize;
            let [r, g, b] = [buffer[i], buffer[i + 1], buffer[i + 2]].map(i32::from);
            red += usize::from(r > 120 && r > g + 60 && r > b + 60);
            blue += usize::from(b > 120 && b > r + 60 && b > g + 30);
            all += 1;
        }
    }
    (red as f64 / all as f64, blue as f64 / all as f64)
}

/// The app's arguments for a run on the test split, on the CPU backend, continuing the
/// pretrained generator.
pub fn pretrained_app_args() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "--data".to_string(),
        mnist_dir().display().to_string(),
        "--backend".to_string(),
        "cpu".to_string(),
        "--checkpoint".to_string(),
        root.join("assets/pretrained").display().to_string(),
    ]
    .to_vec()
}

/// The app's logic plugins without a window, offline, training on the CPU.
pub fn headless(options: ganimate::app::AppOptions) -> bevy::prelude::App {
    let mut app = bevy::prelude::App::new();
    app.add_plugins(bevy::prelude::MinimalPlugins)
        .insert_resource(ganimate::app::AppOptions {
            offline: true,
            ..options
        })
        .insert_resource(ganimate::app::TrainingDevice::cpu(None));
    ganimate::app::logic_plugins(&mut app);
    app.finish();
    app.cleanup();
    app
}

/// Updates until the session is open (the dataset loads on a background thread).
pub fn until_open(app: &mut bevy::prelude::App) {
    until(app, "the session never opened", |app| {
        app.world()
            .resource::<ganimate::app::TrainingState>()
            .generation
            > 0
    });
}

/// Updates `app` until `done` says so, failing with `what` after a minute.
pub fn until(app: &mut bevy::prelude::App, what: &str, done: impl Fn(&bevy::prelude::App) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !done(app) {
        assert!(std::time::Instant::now() < deadline, "{what}");
        app.update();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The MNIST test split, loaded as the library loads it.
pub fn mnist_dataset() -> ganimate::data::Dataset {
    let dir = mnist_dir();
    let request = source::DataRequest {
        kind: DatasetKind::Mnist,
        explicit_dir: Some(&dir),
        allow_download: false,
    };
    source::load(&request, &mut download::Silent).unwrap().1
}

/// Rewrites the manifest of the checkpoint `run_dir` names to claim `preset`, over files that
/// another preset wrote.
pub fn claim_preset(run_dir: &Path, preset: ganimate::gan::Preset) {
    let (checkpoint_dir, mut manifest) = ganimate::gan::checkpoint::read_manifest(run_dir).unwrap();
    manifest.config.preset = preset;
    std::fs::write(
        checkpoint_dir.join("manifest.json"),
        serde_json::to_vec(&manifest).unwrap(),
    )
    .unwrap();
}
