//! Writes that never leave a half-written file behind under the final name.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes a file through `fill`, syncs it, then renames it over `path`.
/// On any error the temporary file is removed and `path` is untouched.
///
/// The temporary file is a sibling of `path` (so the rename stays on one filesystem) with a
/// unique name from `tempfile` (`.NAME.tmp-XXXXXX`), so two threads writing one path never
/// share it.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The path deletes its file when dropped: on any error before `persist`.
    let (file, temp_path) = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .tempfile_in(parent)?
        .into_parts();
    let mut writer = BufWriter::new(file);
    fill(&mut writer)?;
    writer.flush()?;
    writer.get_ref().sync_all()?;
    drop(writer);
    temp_path.persist(path).map_err(|err| err.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_writing_one_path_never_share_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.bin");
        std::thread::scope(|scope| {
            for byte in 0..8u8 {
                let path = &path;
                scope.spawn(move || {
                    write_atomic(path, |out| out.write_all(&[byte; 4096])).unwrap();
                });
            }
        });
        let written = std::fs::read(&path).unwrap();
        assert_eq!(written.len(), 4096, "one whole write, not a mix");
        assert!(written.iter().all(|&b| b == written[0]));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }

    #[test]
    fn a_failed_fill_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("never.bin");
        let err = write_atomic(&path, |_| Err(io::Error::other("no"))).unwrap_err();
        assert_eq!(err.to_string(), "no");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
