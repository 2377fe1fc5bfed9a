//! A latent vector kept in a small JSON file (`ganimate project --out z.json`), so a projected
//! digit can become a keyframe of a walk (`ganimate walk --keyframes-from a.json,b.json`).

use std::path::Path;

use serde::{Deserialize, Serialize};

/// What the file says it is, so a stray JSON file is refused by name.
const FORMAT: &str = "ganimate-latent";
const VERSION: u32 = 1;
/// A latent vector of any sensible width fits in far less; a larger file is not one.
const MAX_FILE_BYTES: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatentFile {
    pub format: String,
    pub version: u32,
    /// The latent vector.
    pub z: Vec<f32>,
    /// Where it came from, for people reading the file (e.g. the projected image's path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The generator step it was found for: a vector keeps its meaning only for that generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u64>,
    /// How closely that generator's digit matched the source (RMS, fraction of full brightness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pixel_error: Option<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum LatentFileError {
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path} is {bytes} bytes; a latent vector file is under {MAX_FILE_BYTES}")]
    TooLarge { path: String, bytes: u64 },
    #[error("{path} is not a latent vector file: {reason}")]
    Invalid { path: String, reason: String },
    #[error("{path} holds a {found}-value latent vector; this generator's has {expected}")]
    WrongLength {
        path: String,
        found: usize,
        expected: usize,
    },
    #[error("cannot write {path}: {error}")]
    Write { path: String, error: std::io::Error },
}

impl LatentFile {
    pub fn new(z: Vec<f32>) -> Self {
        Self {
            format: FORMAT.into(),
            version: VERSION,
            z,
            source: None,
            step: None,
            pixel_error: None,
        }
    }

    /// Writes the file atomically: never half a file under `path`.
    pub fn save(&self, path: &Path) -> Result<(), LatentFileError> {
        let text = serde_json::to_string_pretty(self).expect("a latent file serialises");
        crate::fsutil::write_atomic(path, |out| {
            use std::io::Write;
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")
        })
        .map_err(|error| LatentFileError::Write {
            path: path.display().to_string(),
            error,
        })
    }

    /// Reads and checks a file written by [`LatentFile::save`], for a generator whose latent
    /// space has `latent_dim` dimensions.
    pub fn load(path: &Path, latent_dim: usize) -> Result<Self, LatentFileError> {
        let shown = path.display().to_string();
        let io = |error| LatentFileError::Io {
            path: shown.clone(),
            error,
        };
        let bytes = std::fs::metadata(path).map_err(io)?.len();
        if bytes > MAX_FILE_BYTES {
            return Err(LatentFileError::TooLarge { path: shown, bytes });
        }
        let text = std::fs::read(path).map_err(io)?;
        Self::decode(&text, path, latent_dim)
    }

    /// [`LatentFile::load`] from bytes already read; errors name `path`.
    pub fn decode(text: &[u8], path: &Path, latent_dim: usize) -> Result<Self, LatentFileError> {
        let shown = path.display().to_string();
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(LatentFileError::TooLarge {
                path: shown,
                bytes: text.len() as u64,
            });
        }
        Self::parse(text, latent_dim).map_err(|error| match error {
            ParseError::Invalid(reason) => LatentFileError::Invalid {
                path: shown,
                reason,
            },
            ParseError::WrongLength(found) => LatentFileError::WrongLength {
                path: shown,
                found,
                expected: latent_dim,
            },
        })
    }

    fn parse(text: &[u8], latent_dim: usize) -> Result<Self, ParseError> {
        let file: Self =
            serde_json::from_slice(text).map_err(|e| ParseError::Invalid(e.to_string()))?;
        if file.format != FORMAT {
            return Err(ParseError::Invalid(format!(
                "its format is `{}`, not `{FORMAT}`",
                file.format
            )));
        }
        if file.version != VERSION {
            return Err(ParseError::Invalid(format!(
                "version {} (this ganimate reads version {VERSION})",
                file.version
            )));
        }
        if file.z.len() != latent_dim {
            return Err(ParseError::WrongLength(file.z.len()));
        }
        if let Some(at) = file.z.iter().position(|v| !v.is_finite()) {
            return Err(ParseError::Invalid(format!(
                "z[{at}] is not a finite number"
            )));
        }
        Ok(file)
    }
}

enum ParseError {
    Invalid(String),
    WrongLength(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_loads_back_and_bad_ones_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("z.json");
        let mut file = LatentFile::new(vec![0.5, -1.25, 3.0]);
        file.step = Some(12);
        file.pixel_error = Some(0.02);
        file.save(&path).unwrap();
        assert_eq!(LatentFile::load(&path, 3).unwrap(), file);

        let refusal = |text: &str, dim: usize| {
            std::fs::write(&path, text).unwrap();
            LatentFile::load(&path, dim).unwrap_err().to_string()
        };
        let wrong_length = refusal(r#"{"format":"ganimate-latent","version":1,"z":[1,2]}"#, 3);
        assert!(wrong_length.contains("2-value") && wrong_length.contains("has 3"));
        let other = refusal(r#"{"format":"something","version":1,"z":[1,2,3]}"#, 3);
        assert!(other.contains("format is `something`"), "{other}");
        let overflow = refusal(
            r#"{"format":"ganimate-latent","version":1,"z":[1,1e39,3]}"#,
            3,
        );
        assert!(overflow.contains("not a latent vector file"), "{overflow}");
        let garbage = refusal("\u{0}\u{1}PNG", 3);
        assert!(garbage.contains("z.json") && garbage.contains("not a latent vector file"));
        std::fs::write(&path, vec![b' '; 2 << 20]).unwrap();
        assert!(matches!(
            LatentFile::load(&path, 3),
            Err(LatentFileError::TooLarge { .. })
        ));
        let missing = LatentFile::load(&dir.path().join("nope.json"), 3).unwrap_err();
        assert!(missing.to_string().contains("nope.json"));
    }
}
