//! Toy data as CSV: one point per line, `x` in 1D or `x,y` in 2D, an optional header line of
//! names. A file that is not such a list is refused whole, with its name, the line and the
//! problem; nothing is half-loaded.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::fsutil::write_atomic;

/// Bigger files are refused before they are read: 64 MiB holds millions of points.
pub const MAX_BYTES: u64 = 64 << 20;

/// Points read from a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    /// `n × dim` coordinates.
    pub values: Vec<f32>,
    pub dim: usize,
}

impl Points {
    pub fn len(&self) -> usize {
        self.values.len() / self.dim
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {size} bytes, more than the {} MiB a toy data set may have", path.display(), MAX_BYTES >> 20)]
    TooBig { path: PathBuf, size: u64 },
    #[error("{}: no points (a point per line: `x` or `x,y`)", path.display())]
    Empty { path: PathBuf },
    #[error("{}, line {line}: {problem}", path.display())]
    Line {
        path: PathBuf,
        line: usize,
        problem: String,
    },
}

/// Reads the points of `path`.
pub fn read(path: &Path) -> Result<Points, CsvError> {
    let io = |error| CsvError::Io {
        path: path.to_path_buf(),
        error,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_BYTES {
        return Err(CsvError::TooBig {
            path: path.to_path_buf(),
            size,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|e| CsvError::Line {
        path: path.to_path_buf(),
        line: line_of(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
        problem: "not text (invalid UTF-8)".into(),
    })?;
    parse(&text).map_err(|failure| match failure {
        None => CsvError::Empty {
            path: path.to_path_buf(),
        },
        Some((line, problem)) => CsvError::Line {
            path: path.to_path_buf(),
            line,
            problem,
        },
    })
}

/// The line number (from 1) that the byte after `before` is on.
fn line_of(before: &[u8]) -> usize {
    1 + before.iter().filter(|&&b| b == b'\n').count()
}

/// The points of `text`; `Err(None)` for no points, `Err(Some((line, problem)))` for a bad
/// line.
fn parse(text: &str) -> Result<Points, Option<(usize, String)>> {
    let mut values = Vec::new();
    let mut dim = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
        let numbers: Vec<Result<f32, _>> = fields.iter().map(|f| f.parse::<f32>()).collect();
        // A first line of names is a header.
        let names = fields.iter().all(|f| f.chars().any(char::is_alphabetic));
        if dim.is_none() && numbers.iter().all(Result::is_err) && names && fields.len() <= 2 {
            continue;
        }
        let expected = *dim.get_or_insert(fields.len());
        if !(1..=2).contains(&fields.len()) {
            return Err(Some((
                line,
                format!("{} columns; a point has 1 (x) or 2 (x,y)", fields.len()),
            )));
        }
        if fields.len() != expected {
            return Err(Some((
                line,
                format!(
                    "{} columns, where the lines above have {expected}",
                    fields.len()
                ),
            )));
        }
        for (field, number) in fields.iter().zip(numbers) {
            match number {
                Ok(v) if v.is_finite() => values.push(v),
                Ok(_) => {
                    return Err(Some((line, format!("`{field}` is not a finite number"))));
                }
                Err(_) if field.is_empty() => {
                    return Err(Some((line, "a column is empty".into())));
                }
                Err(_) => return Err(Some((line, format!("`{field}` is not a number")))),
            }
        }
    }
    match dim {
        Some(dim) if !values.is_empty() => Ok(Points { values, dim }),
        _ => Err(None),
    }
}

/// Writes `points` (`n × dim`) to `path` atomically, with a header line.
pub fn write(path: &Path, values: &[f32], dim: usize) -> Result<(), CsvError> {
    write_atomic(path, |out| {
        writeln!(out, "{}", if dim == 1 { "x" } else { "x,y" })?;
        for point in values.chunks_exact(dim) {
            let line: Vec<String> = point.iter().map(f32::to_string).collect();
            writeln!(out, "{}", line.join(","))?;
        }
        Ok(())
    })
    .map_err(|error| CsvError::Io {
        path: path.to_path_buf(),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("points.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn points_read_back_as_written_with_or_without_a_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ring.csv");
        let values = [0.5, -1.25, 3.0e-3, 7.0];
        write(&path, &values, 2).unwrap();
        assert_eq!(
            read(&path).unwrap(),
            Points {
                values: values.to_vec(),
                dim: 2
            }
        );
        let (_dir, plain) = file(b"1,2\n\n# a comment\n 3 , 4 \n");
        assert_eq!(read(&plain).unwrap().values, [1.0, 2.0, 3.0, 4.0]);
        let (_dir, line) = file(b"x\n-1\n2.5\n");
        assert_eq!(
            read(&line).unwrap(),
            Points {
                values: vec![-1.0, 2.5],
                dim: 1
            }
        );
    }

    #[test]
    fn bad_files_are_refused_whole_naming_the_line_and_the_problem() {
        for (text, expected) in [
            (
                &b"1,2\n3\n"[..],
                "points.csv, line 2: 1 columns, where the lines above have 2",
            ),
            (b"1,2\n3,abc\n", "line 2: `abc` is not a number"),
            (b"x,y\n1,NaN\n", "line 2: `NaN` is not a finite number"),
            (b"1,inf\n", "line 1: `inf` is not a finite number"),
            (
                b"1,2,3\n",
                "line 1: 3 columns; a point has 1 (x) or 2 (x,y)",
            ),
            (b"1,\n", "line 1: a column is empty"),
            (b"1,2\n\xff\xfe\n", "line 2: not text (invalid UTF-8)"),
            (b"", "no points"),
            (b"x,y\n\n", "no points"),
        ] {
            let (_dir, path) = file(text);
            let message = read(&path).unwrap_err().to_string();
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
            assert!(message.contains("points.csv"), "{message}");
        }
        let (_dir, missing) = file(b"");
        let error = read(&missing.with_file_name("absent.csv")).unwrap_err();
        assert!(error.to_string().contains("absent.csv"), "{error}");
    }

    #[test]
    fn a_huge_file_is_refused_before_it_is_read() {
        let (_dir, path) = file(b"");
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(MAX_BYTES + 1)
            .unwrap();
        let message = read(&path).unwrap_err().to_string();
        assert!(message.contains("more than the 64 MiB"), "{message}");
    }
}
