//! Mutation fuzzing of every file ganimate reads: IDX images and labels (raw and gzip), PNG
//! pictures, latent vector files, checkpoints (manifest and generator record) and the judge
//! (info and weights). Seeds are real files; each input is a seed changed by a few random
//! mutations: bit flips, bytes set to edge values, truncation, repeated or inserted runs, and
//! 32-bit fields set to huge sizes. Every input must give `Ok` or an error, never a panic, and
//! none may take a second.
//!
//! `cargo test --test fuzz` runs a quick pass (fewer inputs for the megabyte records). The long
//! run is `GANIMATE_FUZZ_INPUTS=1000000 cargo test --release --test fuzz -- --ignored --nocapture`
//! (inputs per reader, records included; it prints a line per reader).

use crate::common;

use std::io::{Cursor, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use ganimate::backend::Cpu;
use ganimate::data::{IMAGE_SIDE, Images, digitize, idx};
use ganimate::gan::checkpoint;
use ganimate::gan::latent::file::LatentFile;
use ganimate::judge::cache::{self, JudgeInfo};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// The slowest an input may be.
const HANG: Duration = Duration::from_secs(1);

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `seed` with one to four random mutations.
fn mutate(rng: &mut ChaCha8Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = bytes.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..len)
        };
        match rng.random_range(0..7) {
            0 if len > 0 => bytes[at] ^= 1 << rng.random_range(0..8),
            1 if len > 0 => bytes[at] = [0, 0xff, 0x7f, 0x80, rng.random()][rng.random_range(0..5)],
            2 => bytes.truncate(at),
            3 if len > 0 => {
                let end = (at + rng.random_range(1..64)).min(len);
                let run = bytes[at..end].to_vec();
                let copies = rng.random_range(1..8);
                for _ in 0..copies {
                    bytes.splice(at..at, run.iter().copied());
                }
            }
            4 => {
                let inserted: Vec<u8> =
                    (0..rng.random_range(1..16)).map(|_| rng.random()).collect();
                bytes.splice(at..at, inserted);
            }
            5 if len >= 4 => {
                // A size field set to something huge or odd (IDX dims, PNG sizes, lengths).
                let at = rng.random_range(0..=len - 4);
                let value: u32 = [0, 1, 0x7fff_ffff, 0xffff_ffff, 100_000_000, rng.random()]
                    [rng.random_range(0..6)];
                bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
            }
            _ if len > 0 => bytes[at] = rng.random(),
            _ => bytes.push(rng.random()),
        }
    }
    bytes
}

/// What a run found.
struct Report {
    inputs: usize,
    elapsed: Duration,
    accepted: usize,
    slowest: Duration,
    panics: Vec<String>,
}

/// Feeds `count` mutations of `seeds` (and, with `wrap`, their gzip) to `read`, which returns
/// whether the input was accepted. Panics are caught and collected with the input's number.
fn fuzz(
    name: &str,
    seeds: &[Vec<u8>],
    count: usize,
    wrap: bool,
    read: impl Fn(&[u8]) -> bool,
) -> Report {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed ^ name.len() as u64);
    let mut report = Report {
        inputs: 0,
        elapsed: Duration::ZERO,
        accepted: 0,
        slowest: Duration::ZERO,
        panics: Vec::new(),
    };
    for index in 0..count {
        let seed = &seeds[index % seeds.len()];
        let mut input = mutate(&mut rng, seed);
        // Half the gzip inputs mutate the inner file (the reader sees a valid stream of a
        // damaged file), half mutate the compressed bytes.
        if wrap && index % 2 == 1 {
            input = if rng.random() {
                gzip(&input)
            } else {
                mutate(&mut rng, &gzip(seed))
            };
        }
        let start = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| read(&input))) {
            Ok(accepted) => report.accepted += usize::from(accepted),
            Err(_) => report.panics.push(format!(
                "{name}: input {index} ({} bytes) panicked",
                input.len()
            )),
        }
        report.slowest = report.slowest.max(start.elapsed());
        report.elapsed += start.elapsed();
        report.inputs += 1;
    }
    eprintln!(
        "{name}: {} inputs in {:.0} s, {} accepted, slowest {:.1} ms, {} panics",
        report.inputs,
        report.elapsed.as_secs_f64(),
        report.accepted,
        report.slowest.as_secs_f64() * 1000.0,
        report.panics.len()
    );
    report
}

fn check(report: &Report) {
    assert!(report.panics.is_empty(), "{:#?}", report.panics);
    assert!(report.slowest < HANG, "an input took {:?}", report.slowest);
}

fn mnist_file(name: &str) -> Vec<u8> {
    let path = common::mnist_dir().join(name);
    let compressed = std::fs::read(path).unwrap();
    let mut inflated = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&compressed[..]),
        &mut inflated,
    )
    .unwrap();
    inflated
}

/// Small real IDX files: the first digits and labels of the test split, and a gzip bomb's
/// header (100,000,000 images declared).
fn idx_seeds() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let images = mnist_file("t10k-images-idx3-ubyte.gz");
    let labels = mnist_file("t10k-labels-idx1-ubyte.gz");
    let some_images = |count: usize| {
        let mut bytes = images[..16 + count * IMAGE_SIDE * IMAGE_SIDE].to_vec();
        bytes[4..8].copy_from_slice(&(count as u32).to_be_bytes());
        bytes
    };
    let mut bomb = images[..16].to_vec();
    bomb[4..8].copy_from_slice(&100_000_000u32.to_be_bytes());
    bomb.extend(std::iter::repeat_n(0, 4096));
    let some_labels = |count: usize| {
        let mut bytes = labels[..8 + count].to_vec();
        bytes[4..8].copy_from_slice(&(count as u32).to_be_bytes());
        bytes
    };
    (
        vec![some_images(1), some_images(3), bomb],
        vec![some_labels(10), some_labels(100)],
    )
}

fn png_seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let digit = dir.path().join("digit.png");
    let picture = digitize::draw_strokes(&[vec![[0.3, 0.2], [0.7, 0.2], [0.45, 0.8]]], 40, 0.1);
    ganimate::data::grid::write_png(&digit, &picture).unwrap();
    vec![
        std::fs::read(&digit).unwrap(),
        std::fs::read(root.join("assets/readme/drawn-3.png")).unwrap(),
    ]
}

fn latent_seeds() -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("z.json");
    let mut file = LatentFile::new((0..100).map(|i| (i as f32 * 0.37).sin()).collect());
    file.step = Some(10_000);
    file.pixel_error = Some(0.05);
    file.save(&path).unwrap();
    vec![std::fs::read(&path).unwrap()]
}

/// Runs every reader: `count` inputs each, and `records` each for the generator record and the
/// judge's weights, which are megabytes and take milliseconds to decode.
fn readers(count: usize, records: usize) -> Vec<Report> {
    let label = Path::new("fuzzed");
    let (images, labels) = idx_seeds();
    let mut reports = vec![
        fuzz("IDX images", &images, count, true, |bytes| {
            idx::images_from_reader(Cursor::new(bytes), label).is_ok()
        }),
        fuzz("IDX labels", &labels, count, true, |bytes| {
            idx::labels_from_reader(Cursor::new(bytes), label).is_ok()
        }),
        fuzz("PNG digits", &png_seeds(), count, false, |bytes| {
            // Half the inputs get their chunks' CRCs made right again, so the decoder reads the
            // damaged content instead of stopping at the first checksum.
            let bytes = if bytes.len() % 2 == 0 {
                with_png_crcs(bytes)
            } else {
                bytes.to_vec()
            };
            digitize::png_from_reader(Cursor::new(bytes), label)
                .map(|picture| digitize::mnist_style(&picture))
                .is_ok()
        }),
        fuzz("latent files", &latent_seeds(), count, false, |bytes| {
            LatentFile::decode(bytes, label, 100).is_ok()
        }),
    ];
    let pretrained = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pretrained");
    let manifest = std::fs::read(pretrained.join("manifest.json")).unwrap();
    let generator = std::fs::read(pretrained.join("generator.mpk")).unwrap();
    let device = Default::default();
    reports.push(fuzz(
        "checkpoint manifests",
        std::slice::from_ref(&manifest),
        count,
        false,
        |bytes| checkpoint::generator_from_bytes::<Cpu>(label, bytes, &generator, &device).is_ok(),
    ));
    reports.push(fuzz(
        "generator records",
        std::slice::from_ref(&generator),
        records,
        false,
        |bytes| checkpoint::generator_from_bytes::<Cpu>(label, &manifest, bytes, &device).is_ok(),
    ));
    // The judge's weights are checked against their MD5 first: give each damaged file a
    // matching info, so the decoding itself is what meets the damage.
    let judge = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/judge");
    let weights = std::fs::read(judge.join("mnist.mpk")).unwrap();
    let info_json = std::fs::read(judge.join("mnist.json")).unwrap();
    let info: JudgeInfo = serde_json::from_slice(&info_json).unwrap();
    reports.push(fuzz(
        "judge weights",
        std::slice::from_ref(&weights),
        records,
        false,
        |bytes| {
            let mut matching = info.clone();
            matching.weights_md5 = md5_hex(bytes);
            cache::decode::<Cpu>(bytes.to_vec(), &matching, label, &device).is_ok()
        },
    ));
    // The info beside a cached judge, read as `cache::load` reads it. Only an info whose
    // checksum still matches gets as far as decoding the (megabyte) weights.
    reports.push(fuzz(
        "judge info",
        &[info_json],
        count,
        false,
        |bytes| match serde_json::from_slice::<JudgeInfo>(bytes) {
            Ok(parsed) if parsed.weights_md5 == info.weights_md5 => {
                cache::decode::<Cpu>(weights.clone(), &parsed, label, &device).is_ok()
            }
            _ => false,
        },
    ));
    reports
}

/// `png` with every whole chunk's CRC recomputed.
fn with_png_crcs(png: &[u8]) -> Vec<u8> {
    let mut bytes = png.to_vec();
    let mut at = 8;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let Some(end) = (at + 8)
            .checked_add(len)
            .filter(|&end| end + 4 <= bytes.len())
        else {
            break;
        };
        let mut crc = flate2::Crc::new();
        crc.update(&bytes[at + 4..end]);
        bytes[end..end + 4].copy_from_slice(&crc.sum().to_be_bytes());
        at = end + 4;
    }
    bytes
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    format!("{:x}", Md5::digest(bytes))
}

#[test]
fn every_reader_refuses_damaged_files_without_panicking() {
    for report in readers(1500, 30) {
        check(&report);
    }
}

#[test]
#[ignore = "the long run: set GANIMATE_FUZZ_INPUTS (default 1,000,000), build with --release"]
fn long_run() {
    let count = std::env::var("GANIMATE_FUZZ_INPUTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    for report in readers(count, count) {
        check(&report);
    }
}

#[test]
fn the_seeds_themselves_are_read() {
    let label = Path::new("seed");
    let (images, labels) = idx_seeds();
    let read: Images = idx::images_from_reader(Cursor::new(&images[1]), label).unwrap();
    assert_eq!(read.count, 3);
    assert!(idx::images_from_reader(Cursor::new(gzip(&images[0])), label).is_ok());
    assert!(
        idx::images_from_reader(Cursor::new(&images[2]), label).is_err(),
        "the bomb"
    );
    assert_eq!(
        idx::labels_from_reader(Cursor::new(&labels[0]), label)
            .unwrap()
            .len(),
        10
    );
    for png in png_seeds() {
        let picture = digitize::png_from_reader(Cursor::new(png), label).unwrap();
        assert!(digitize::mnist_style(&picture).is_some());
    }
    assert!(LatentFile::decode(&latent_seeds()[0], label, 100).is_ok());
}

/// `record` with the first parameter id's first character replaced by `with`.
fn with_damaged_id(record: &[u8], with: u8) -> Vec<u8> {
    // MessagePack: the key "id" (fixstr 0xa2) followed by the id, a short string.
    let key = record
        .windows(3)
        .position(|w| w == b"\xa2id")
        .expect("a parameter id");
    let mut damaged = record.to_vec();
    assert_eq!(damaged[key + 3] & 0xe0, 0xa0, "the id is a short string");
    damaged[key + 4] = with;
    damaged
}

#[test]
fn a_parameter_id_that_is_not_one_is_an_error_not_a_panic() {
    // Found by the long run: burn's decoder panics on it ("Invalid id.").
    let label = Path::new("damaged");
    let device = Default::default();
    let judge = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/judge");
    let weights = with_damaged_id(&std::fs::read(judge.join("mnist.mpk")).unwrap(), b'!');
    let mut info: JudgeInfo =
        serde_json::from_slice(&std::fs::read(judge.join("mnist.json")).unwrap()).unwrap();
    info.weights_md5 = md5_hex(&weights);
    let error = cache::decode::<Cpu>(weights, &info, label, &device).unwrap_err();
    assert!(error.to_string().contains("damaged record"), "{error}");

    let pretrained = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pretrained");
    let manifest = std::fs::read(pretrained.join("manifest.json")).unwrap();
    let generator = with_damaged_id(
        &std::fs::read(pretrained.join("generator.mpk")).unwrap(),
        b'!',
    );
    let error = checkpoint::generator_from_bytes::<Cpu>(label, &manifest, &generator, &device)
        .expect_err("a damaged id is refused");
    assert!(error.to_string().contains("damaged record"), "{error}");
}
