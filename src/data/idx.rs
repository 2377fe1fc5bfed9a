//! The IDX format MNIST ships in: a big-endian header (magic, then one u32 per dimension)
//! followed by raw u8 payload. Files may be gzip-compressed; that is detected from the bytes.

use std::io::{BufRead, Read, Write};
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

/// The most payload ganimate reads from one IDX file: EMNIST's largest file is about 550 MB,
/// MNIST's 47 MB. A header that declares more is refused before anything is allocated or
/// decompressed, so a small file (a gzip bomb) cannot make ganimate hold gigabytes.
pub const MAX_PAYLOAD_BYTES: usize = 1 << 30;

/// Reads an IDX3 image file (gzip or raw).
pub fn read_images(path: &Path) -> Result<Images, IdxError> {
    images_from_reader(open(path)?, path)
}

/// Reads IDX3 images (gzip or raw) from `reader`; errors name `path`.
pub fn images_from_reader(reader: impl BufRead, path: &Path) -> Result<Images, IdxError> {
    let (dims, pixels) = read(reader, path, IMAGES_MAGIC, "IDX3 images")?;
    Ok(Images {
        count: dims[0],
        rows: dims[1],
        cols: dims[2],
        pixels,
    })
}

/// Reads an IDX1 label file (gzip or raw).
pub fn read_labels(path: &Path) -> Result<Vec<u8>, IdxError> {
    labels_from_reader(open(path)?, path)
}

/// Reads IDX1 labels (gzip or raw) from `reader`; errors name `path`.
pub fn labels_from_reader(reader: impl BufRead, path: &Path) -> Result<Vec<u8>, IdxError> {
    read(reader, path, LABELS_MAGIC, "IDX1 labels").map(|(_, labels)| labels)
}

fn open(path: &Path) -> Result<std::io::BufReader<std::fs::File>, IdxError> {
    let file = std::fs::File::open(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => IdxError::new(path, "file not found"),
        _ => IdxError::new(path, format!("cannot read: {err}")),
    })?;
    Ok(std::io::BufReader::new(file))
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

/// Reads the header first, checks it, then reads the payload it declares and one byte more, to
/// tell a file that is too long: never more than [`MAX_PAYLOAD_BYTES`]. A payload of exactly
/// the declared length was read to the end of the stream, where gzip checks its CRC.
fn read(
    mut file: impl BufRead,
    path: &Path,
    expected_magic: u32,
    what: &str,
) -> Result<(Vec<usize>, Vec<u8>), IdxError> {
    let starts_with_gzip = {
        let start = file
            .fill_buf()
            .map_err(|err| IdxError::new(path, format!("cannot read: {err}")))?;
        if start.is_empty() {
            return Err(IdxError::new(path, "file is empty"));
        }
        start.starts_with(&GZIP_MAGIC)
    };
    let (mut reader, problem): (Box<dyn Read + '_>, &str) = if starts_with_gzip {
        (Box::new(GzDecoder::new(file)), "corrupt gzip stream")
    } else {
        (Box::new(file), "cannot read")
    };
    let io_error = |err: std::io::Error| IdxError::new(path, format!("{problem}: {err}"));

    let magic_bytes = read_up_to(&mut reader, 4).map_err(io_error)?;
    if magic_bytes.len() < 4 {
        return Err(IdxError::new(
            path,
            format!("not an IDX file: only {} bytes", magic_bytes.len()),
        ));
    }
    let magic = u32::from_be_bytes(magic_bytes[..4].try_into().expect("4 bytes"));
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
    let header = read_up_to(&mut reader, 4 * ndims).map_err(io_error)?;
    if header.len() < 4 * ndims {
        return Err(IdxError::new(
            path,
            format!(
                "truncated header: {} bytes, {what} need {header_len}",
                4 + header.len()
            ),
        ));
    }
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
    if expected_len > MAX_PAYLOAD_BYTES {
        return Err(IdxError::new(
            path,
            format!(
                "header dimensions {dims:?} declare {expected_len} bytes of data, more than \
                 the {} MiB ganimate reads from one file",
                MAX_PAYLOAD_BYTES >> 20
            ),
        ));
    }
    let payload = read_up_to(&mut reader, expected_len + 1).map_err(io_error)?;
    // A damaged gzip stream can inflate to another length: say so beside the length.
    let or_damaged = if starts_with_gzip {
        " (or the gzip stream is damaged)"
    } else {
        ""
    };
    if payload.len() < expected_len {
        return Err(IdxError::new(
            path,
            format!(
                "truncated: header dimensions {dims:?} promise {expected_len} bytes of data, \
                 the file holds {}{or_damaged}",
                payload.len()
            ),
        ));
    }
    if payload.len() > expected_len {
        return Err(IdxError::new(
            path,
            format!(
                "header dimensions {dims:?} do not match the payload: more than \
                 {expected_len} bytes of data{or_damaged}"
            ),
        ));
    }
    Ok((dims, payload))
}

/// Up to `limit` bytes, fewer only at the end of the stream. The buffer grows with what
/// arrives, so a header's claim alone allocates nothing.
fn read_up_to(reader: &mut dyn Read, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(limit.min(1 << 16));
    reader.take(limit as u64).read_to_end(&mut out)?;
    Ok(out)
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
