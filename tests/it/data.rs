//! Every bad input the data loader can meet ends in a clear error that names the file.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};

use ganimate::data::idx::{self, IMAGES_MAGIC, LABELS_MAGIC};
use ganimate::data::source::{self, DataError, DataRequest};
use ganimate::data::{Dataset, DatasetKind, Split, download};

fn idx_bytes(magic: u32, dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut bytes = magic.to_be_bytes().to_vec();
    for dim in dims {
        bytes.extend_from_slice(&dim.to_be_bytes());
    }
    bytes.extend_from_slice(payload);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn image_error(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "images.idx", bytes);
    let message = idx::read_images(&path).unwrap_err().to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "names the file: {message}"
    );
    message
}

#[test]
fn missing_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.gz");
    assert!(
        idx::read_images(&missing)
            .unwrap_err()
            .to_string()
            .contains("file not found")
    );
    assert!(image_error(b"").contains("file is empty"));
}

#[test]
fn neither_gzip_nor_idx() {
    let message = image_error(b"<html>404 not found</html>");
    assert!(message.contains("neither gzip nor IDX"), "{message}");
    assert!(image_error(b"\0\0").contains("not an IDX file"));
}

#[test]
fn wrong_magic() {
    let labels = idx_bytes(LABELS_MAGIC, &[1], &[3]);
    let message = image_error(&labels);
    assert!(
        message.contains("wrong magic number 2049") && message.contains("2051"),
        "{message}"
    );
}

#[test]
fn truncated_payload_and_header() {
    let short = idx_bytes(IMAGES_MAGIC, &[2, 28, 28], &vec![0; 28 * 28 + 5]);
    let message = image_error(&short);
    assert!(
        message.contains("truncated") && message.contains("1568"),
        "{message}"
    );
    let header_only = &idx_bytes(IMAGES_MAGIC, &[2, 28, 28], &[])[..9];
    assert!(image_error(header_only).contains("truncated header"));
}

#[test]
fn header_dimensions_that_overflow_or_mismatch() {
    let overflow = idx_bytes(IMAGES_MAGIC, &[u32::MAX, u32::MAX, u32::MAX], &[0; 16]);
    assert!(image_error(&overflow).contains("overflow"));
    let too_long = idx_bytes(IMAGES_MAGIC, &[1, 2, 2], &[0; 9]);
    let message = image_error(&too_long);
    assert!(message.contains("do not match the payload"), "{message}");
}

#[test]
fn gzip_stream_corrupt_midway() {
    let images = idx_bytes(
        IMAGES_MAGIC,
        &[50, 28, 28],
        &(0..50 * 784)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<_>>(),
    );
    let mut compressed = gzip(&images);
    let middle = compressed.len() / 2;
    compressed.truncate(middle);
    let message = image_error(&compressed);
    assert!(message.contains("corrupt gzip stream"), "{message}");

    let mut flipped = gzip(&images);
    let at = flipped.len() / 2;
    flipped[at] ^= 0xff;
    // A flipped byte breaks the stream, its CRC, or the length it inflates to: refused either way.
    let message = image_error(&flipped);
    assert!(
        ["corrupt gzip stream", "gzip stream is damaged"]
            .iter()
            .any(|problem| message.contains(problem)),
        "{message}"
    );
}

#[test]
fn image_and_label_counts_must_match() {
    let dir = tempfile::tempdir().unwrap();
    let images = write(
        dir.path(),
        "i.gz",
        &gzip(&idx_bytes(IMAGES_MAGIC, &[3, 28, 28], &[0; 3 * 784])),
    );
    let labels = write(dir.path(), "l", &idx_bytes(LABELS_MAGIC, &[2], &[1, 2]));
    let message = Dataset::load_files(DatasetKind::Mnist, Split::Train, &images, &labels)
        .unwrap_err()
        .to_string();
    assert!(message.contains("2 labels for 3 images"), "{message}");
    assert!(message.starts_with(&labels.display().to_string()));

    let small = write(
        dir.path(),
        "s",
        &idx_bytes(IMAGES_MAGIC, &[1, 2, 2], &[0; 4]),
    );
    let message = Dataset::load_files(DatasetKind::Mnist, Split::Train, &small, &labels)
        .unwrap_err()
        .to_string();
    assert!(message.contains("ganimate needs 28×28"), "{message}");
}

#[test]
fn data_folder_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let request = DataRequest {
        kind: DatasetKind::Mnist,
        explicit_dir: Some(dir.path()),
        allow_download: true,
    };
    let err = source::load(&request, &mut download::Silent).unwrap_err();
    assert!(matches!(err, DataError::NoFiles { .. }), "{err}");
    assert!(err.to_string().contains("train-images-idx3-ubyte.gz"));

    // The test split is used when there is no training split; raw (not gz) files are fine.
    write(
        dir.path(),
        "t10k-images-idx3-ubyte",
        &idx_bytes(IMAGES_MAGIC, &[2, 28, 28], &[9; 2 * 784]),
    );
    let err = source::load(&request, &mut download::Silent)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("t10k-labels-idx1-ubyte") && err.contains("file not found"),
        "{err}"
    );
    write(
        dir.path(),
        "t10k-labels-idx1-ubyte.gz",
        &gzip(&idx_bytes(LABELS_MAGIC, &[2], &[4, 2])),
    );
    let (_, dataset) = source::load(&request, &mut download::Silent).unwrap();
    assert_eq!(
        (dataset.split, dataset.len(), dataset.labels.clone()),
        (Split::Test, 2, vec![4, 2])
    );

    let missing = dir.path().join("absent");
    let request = DataRequest {
        explicit_dir: Some(&missing),
        ..request
    };
    assert!(
        source::load(&request, &mut download::Silent)
            .unwrap_err()
            .to_string()
            .contains("folder not found")
    );
}

#[test]
fn reads_the_real_mnist_test_split() {
    let dir = common::mnist_dir();
    let request = DataRequest {
        kind: DatasetKind::Mnist,
        explicit_dir: Some(&dir),
        allow_download: false,
    };
    let (_, dataset) = source::load(&request, &mut download::Silent).unwrap();
    assert_eq!(dataset.len(), 10_000);
    assert_eq!(&dataset.labels[..5], &[7, 2, 1, 0, 4]);
    let pixels = dataset.normalized_pixels();
    assert!(pixels.iter().all(|p| (-1.0..=1.0).contains(p)));
}
