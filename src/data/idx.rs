//! The IDX format MNIST ships in: a big-endian header (magic, then one u32 per dimension)
//! followed by raw u8 payload. Files may be gzip-compressed; that is detected from the bytes.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;

/// Magic number of an IDX file of u8 images: type code 0x08 (u8), 3 dimensions.
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of u8 labels: type code 0x08 (u8), 1 dimension.
pub const LABELS_MAGIC: u32 = 0x0000_0801;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A problem with one data file; the message always names the file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct IdxError {
    pub path: PathBuf,
    pub problem: String,
}

impl IdxError {
    fn new(path: &Path, problem: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }
}

/// A stack of same-sized greyscale images, row-major, one byte per pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

impl Images {
    pub fn pixels_per_image(&self) -> usize {
        self.rows * self.cols
    }

    pub fn image(&self, index: usize) -> &[u8] {
        let size = self.pixels_per_image();
        &self.pixels[index * size..(index + 1) * size]
    }
}

/// Reads an IDX3 image file (gzip or raw).
pub fn read_images(path: &Path) -> Result<Images, IdxError> {
    let bytes = read_maybe_gzip(path)?;
    let (dims, payload) = parse(path, &bytes, IMAGES_MAGIC, "IDX3 images")?;
    Ok(Images {
        count: dims[0],
        rows: dims[1],
        cols: dims[2],
        pixels: payload.to_vec(),
    })
}

/// Reads an IDX1 label file (gzip or raw).
pub fn read_labels(path: &Path) -> Result<Vec<u8>, IdxError> {
    let bytes = read_maybe_gzip(path)?;
    let (_, payload) = parse(path, &bytes, LABELS_MAGIC, "IDX1 labels")?;
    Ok(payload.to_vec())
}

/// Encodes images as an uncompressed IDX3 file's bytes.
pub fn encode_images(images: &Images) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + images.pixels.len());
    out.extend_from_slice(&IMAGES_MAGIC.to_be_bytes());
    for dim in [images.count, images.rows, images.cols] {
        out.extend_from_slice(&(dim as u32).to_be_bytes());
    }
    out.extend_from_slice(&images.pixels);
    out
}

/// Writes images as an uncompressed IDX3 file, atomically.
pub fn write_images(path: &Path, images: &Images) -> std::io::Result<()> {
    crate::fsutil::write_atomic(path, |file| file.write_all(&encode_images(images)))
}

fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>, IdxError> {
    let bytes = std::fs::read(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => IdxError::new(path, "file not found"),
        _ => IdxError::new(path, format!("cannot read: {err}")),
    })?;
    if bytes.is_empty() {
        return Err(IdxError::new(path, "file is empty"));
    }
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(bytes);
    }
    let mut decoded = Vec::with_capacity(bytes.len() * 4);
    GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut decoded)
        .map_err(|err| IdxError::new(path, format!("corrupt gzip stream: {err}")))?;
    Ok(decoded)
}

/// Checks the header against `expected_magic` and returns the dimensions and the payload.
fn parse<'a>(
    path: &Path,
    bytes: &'a [u8],
    expected_magic: u32,
    what: &str,
) -> Result<(Vec<usize>, &'a [u8]), IdxError> {
    let Some(magic_bytes) = bytes.get(0..4) else {
        return Err(IdxError::new(
            path,
            format!("not an IDX file: only {} bytes", bytes.len()),
        ));
    };
    let magic = u32::from_be_bytes(magic_bytes.try_into().expect("4 bytes"));
    if magic_bytes[0] != 0 || magic_bytes[1] != 0 {
        return Err(IdxError::new(
            path,
            format!("neither gzip nor IDX (starts with bytes {magic:#010x}); expected {what}"),
        ));
    }
    if magic != expected_magic {
        return Err(IdxError::new(
            path,
            format!(
                "wrong magic number {magic} ({magic:#010x}); expected {expected_magic} for {what}"
            ),
        ));
    }
    let ndims = (magic & 0xff) as usize;
    let header_len = 4 + 4 * ndims;
    let Some(header) = bytes.get(4..header_len) else {
        return Err(IdxError::new(
            path,
            format!(
                "truncated header: {} bytes, {what} need {header_len}",
                bytes.len()
            ),
        ));
    };
    let dims: Vec<usize> = header
        .chunks_exact(4)
        .map(|chunk| u32::from_be_bytes(chunk.try_into().expect("4 bytes")) as usize)
        .collect();
    let expected_len = dims
        .iter()
        .try_fold(1usize, |acc, &dim| acc.checked_mul(dim))
        .filter(|&len| len <= isize::MAX as usize)
        .ok_or_else(|| {
            IdxError::new(
                path,
                format!("header dimensions {dims:?} overflow the payload size"),
            )
        })?;
    let payload = &bytes[header_len..];
    if payload.len() < expected_len {
        return Err(IdxError::new(
            path,
            format!(
                "truncated: header dimensions {dims:?} promise {expected_len} bytes of data, \
                 the file holds {}",
                payload.len()
            ),
        ));
    }
    if payload.len() > expected_len {
        return Err(IdxError::new(
            path,
            format!(
                "header dimensions {dims:?} do not match the payload: {} bytes of data, \
                 expected {expected_len}",
                payload.len()
            ),
        ));
    }
    Ok((dims, payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_images() -> Images {
        Images {
            count: 2,
            rows: 2,
            cols: 3,
            pixels: vec![0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255],
        }
    }

    #[test]
    fn round_trips_raw_and_gzip() {
        let dir = tempfile::tempdir().unwrap();
        let images = sample_images();
        let raw = dir.path().join("a.idx");
        write_images(&raw, &images).unwrap();
        assert_eq!(read_images(&raw).unwrap(), images);

        let gz = dir.path().join("b.weird-name");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&encode_images(&images)).unwrap();
        std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
        assert_eq!(read_images(&gz).unwrap(), images);
    }

    #[test]
    fn labels_are_not_images() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels");
        let mut bytes = LABELS_MAGIC.to_be_bytes().to_vec();
        bytes.extend_from_slice(&3u32.to_be_bytes());
        bytes.extend_from_slice(&[7, 2, 1]);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_labels(&path).unwrap(), vec![7, 2, 1]);
        let err = read_images(&path).unwrap_err().to_string();
        assert!(err.contains("wrong magic number 2049"), "{err}");
    }
}
