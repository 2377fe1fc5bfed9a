//! First-run download of a dataset's official files into the cache, verified against the
//! published MD5 sums and written atomically so an interrupted download never looks complete.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use md5::{Digest, Md5};

use super::{DatasetKind, Split};

/// One published file and its published checksum.
struct RemoteFile {
    name: &'static str,
    md5: &'static str,
}

const MNIST_FILES: [RemoteFile; 4] = [
    RemoteFile {
        name: "train-images-idx3-ubyte.gz",
        md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    },
    RemoteFile {
        name: "train-labels-idx1-ubyte.gz",
        md5: "d53e105ee54ea40749a09fcbcd1e9432",
    },
    RemoteFile {
        name: "t10k-images-idx3-ubyte.gz",
        md5: "9fb629c4189551a2d022fa330f9573f3",
    },
    RemoteFile {
        name: "t10k-labels-idx1-ubyte.gz",
        md5: "ec29112dd5afa0611ce80d1b7f02629c",
    },
];

const FASHION_FILES: [RemoteFile; 4] = [
    RemoteFile {
        name: "train-images-idx3-ubyte.gz",
        md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    },
    RemoteFile {
        name: "train-labels-idx1-ubyte.gz",
        md5: "25c81989df183df01b3e8a0aad5dffbe",
    },
    RemoteFile {
        name: "t10k-images-idx3-ubyte.gz",
        md5: "bef4ecab320f06d8554ea6380940ec79",
    },
    RemoteFile {
        name: "t10k-labels-idx1-ubyte.gz",
        md5: "bb300cfdad3c16e7a12a480ee83cd310",
    },
];

/// Environment variable that replaces the mirror list (one base URL), for tests and local mirrors.
pub const MIRROR_ENV: &str = "GANIMATE_MIRROR";

fn files(kind: DatasetKind) -> &'static [RemoteFile; 4] {
    match kind {
        DatasetKind::Mnist => &MNIST_FILES,
        DatasetKind::FashionMnist => &FASHION_FILES,
    }
}

/// The file names a dataset folder must hold, for messages.
pub fn file_names(kind: DatasetKind) -> Vec<&'static str> {
    files(kind).iter().map(|file| file.name).collect()
}

fn mirrors(kind: DatasetKind) -> Vec<String> {
    if let Ok(mirror) = std::env::var(MIRROR_ENV) {
        return vec![mirror];
    }
    let mirrors: &[&str] = match kind {
        DatasetKind::Mnist => &[
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
        ],
        DatasetKind::FashionMnist => &[
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ],
    };
    mirrors.iter().map(|m| m.to_string()).collect()
}

/// Receives download progress, so the CLI can draw a bar and the app a widget.
pub trait Progress {
    fn start(&mut self, file: &str, total_bytes: Option<u64>);
    fn advance(&mut self, bytes: u64);
    fn finish(&mut self);
}

/// Ignores progress.
pub struct Silent;

impl Progress for Silent {
    fn start(&mut self, _: &str, _: Option<u64>) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("{file}: every mirror failed: {}", attempts.join("; "))]
    AllMirrorsFailed { file: String, attempts: Vec<String> },
    #[error("{}: {error}", path.display())]
    Write {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
}

/// Downloads every missing file of `kind` into `dir`, trying each mirror in turn.
pub fn download_dataset(
    kind: DatasetKind,
    dir: &Path,
    progress: &mut dyn Progress,
) -> Result<(), DownloadError> {
    download_files(kind, None, dir, progress)
}

/// Downloads the missing files of one split of `kind` into `dir` (the tests fetch the test
/// split alone), checked against the same checksums.
pub fn download_split(
    kind: DatasetKind,
    split: Split,
    dir: &Path,
    progress: &mut dyn Progress,
) -> Result<(), DownloadError> {
    download_files(kind, Some(split), dir, progress)
}

fn download_files(
    kind: DatasetKind,
    split: Option<Split>,
    dir: &Path,
    progress: &mut dyn Progress,
) -> Result<(), DownloadError> {
    std::fs::create_dir_all(dir).map_err(|error| DownloadError::Write {
        path: dir.to_path_buf(),
        error,
    })?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_recv_body(Some(Duration::from_secs(30)))
        .build()
        .into();
    let wanted = files(kind)
        .iter()
        .filter(|file| split.is_none_or(|split| file.name.starts_with(split.file_prefix())));
    for file in wanted {
        let dest = dir.join(file.name);
        if dest.is_file() {
            continue;
        }
        let mut attempts = Vec::new();
        for mirror in mirrors(kind) {
            let url = format!("{mirror}{}", file.name);
            match fetch_verified(&agent, &url, file, &dest, progress) {
                Ok(()) => break,
                Err(FetchError::Write(error)) => {
                    return Err(DownloadError::Write { path: dest, error });
                }
                Err(FetchError::Remote(reason)) => attempts.push(format!("{url}: {reason}")),
            }
        }
        if !dest.is_file() {
            return Err(DownloadError::AllMirrorsFailed {
                file: file.name.to_string(),
                attempts,
            });
        }
    }
    Ok(())
}

enum FetchError {
    Remote(String),
    Write(std::io::Error),
}

fn fetch_verified(
    agent: &ureq::Agent,
    url: &str,
    file: &RemoteFile,
    dest: &Path,
    progress: &mut dyn Progress,
) -> Result<(), FetchError> {
    let mut response = agent
        .get(url)
        .call()
        .map_err(|err| FetchError::Remote(err.to_string()))?;
    progress.start(file.name, response.body().content_length());
    let mut reader = response.body_mut().as_reader();
    let mut hasher = Md5::new();
    let mut remote_failure = None;
    let written = crate::fsutil::write_atomic(dest, |out| {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(err) => {
                    remote_failure = Some(format!("download interrupted: {err}"));
                    return Err(std::io::Error::other("interrupted"));
                }
            };
            hasher.update(&buffer[..read]);
            out.write_all(&buffer[..read])?;
            progress.advance(read as u64);
        }
        let digest = format!("{:x}", hasher.clone().finalize());
        if digest != file.md5 {
            remote_failure = Some(format!(
                "checksum mismatch: MD5 {digest}, published {}",
                file.md5
            ));
            return Err(std::io::Error::other("checksum"));
        }
        Ok(())
    });
    progress.finish();
    match (written, remote_failure) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(reason)) => Err(FetchError::Remote(reason)),
        (Err(err), None) => Err(FetchError::Write(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;
    use std::net::TcpListener;

    /// Serves `body` once over HTTP on loopback and returns the URL.
    fn serve_once(body: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/file", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .unwrap();
            stream.write_all(&body).unwrap();
        });
        url
    }

    #[derive(Default)]
    struct Recorder {
        started: Vec<(String, Option<u64>)>,
        bytes: u64,
    }

    impl Progress for Recorder {
        fn start(&mut self, file: &str, total: Option<u64>) {
            self.started.push((file.to_string(), total));
        }
        fn advance(&mut self, bytes: u64) {
            self.bytes += bytes;
        }
        fn finish(&mut self) {}
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into()
    }

    #[test]
    fn verified_download_lands_atomically() {
        let body = b"the published bytes".to_vec();
        let file = RemoteFile {
            name: "labels.gz",
            md5: "",
        };
        let md5 = format!("{:x}", Md5::digest(&body));
        let file = RemoteFile {
            md5: Box::leak(md5.into_boxed_str()),
            ..file
        };
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("labels.gz");
        let mut progress = Recorder::default();
        assert!(
            fetch_verified(
                &agent(),
                &serve_once(body.clone()),
                &file,
                &dest,
                &mut progress
            )
            .is_ok()
        );
        assert_eq!(std::fs::read(&dest).unwrap(), body);
        assert_eq!(
            progress.started,
            vec![("labels.gz".to_string(), Some(body.len() as u64))]
        );
        assert_eq!(progress.bytes, body.len() as u64);
    }

    #[test]
    fn a_checksum_mismatch_leaves_nothing_behind() {
        let file = RemoteFile {
            name: "images.gz",
            md5: "00000000000000000000000000000000",
        };
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("images.gz");
        let result = fetch_verified(
            &agent(),
            &serve_once(b"tampered".to_vec()),
            &file,
            &dest,
            &mut Silent,
        );
        let Err(FetchError::Remote(reason)) = result else {
            panic!("expected a remote failure")
        };
        assert!(reason.contains("checksum mismatch"), "{reason}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no partial file"
        );
    }
}
