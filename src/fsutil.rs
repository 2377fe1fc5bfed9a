//! Files on disk: writes that never leave a half-written file behind under the final name, and
//! paths as the app shows them.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// `path` as the app shows it: relative to the working folder when it lies inside it, else with
/// `~` for the home folder, so that screenshots and videos name no folder of the machine they
/// were taken on.
pub fn tidy(path: &Path) -> String {
    let inside = |base: Option<std::path::PathBuf>| {
        base.and_then(|base| path.strip_prefix(base).ok().map(Path::to_path_buf))
    };
    if path.is_relative() {
        return path.display().to_string();
    }
    if let Some(relative) = inside(std::env::current_dir().ok())
        && !relative.as_os_str().is_empty()
    {
        return relative.display().to_string();
    }
    match inside(dirs::home_dir()) {
        Some(under_home) => Path::new("~").join(under_home).display().to_string(),
        None => path.display().to_string(),
    }
}

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
    fn tidy_paths_name_no_folder_of_this_machine() {
        let here = std::env::current_dir().unwrap();
        assert_eq!(tidy(&here.join("runs/app")), "runs/app");
        assert_eq!(tidy(Path::new("runs/app")), "runs/app");
        if let Some(home) = dirs::home_dir().filter(|home| !here.starts_with(home)) {
            assert_eq!(tidy(&home.join(".cache/ganimate")), "~/.cache/ganimate");
        }
        assert_eq!(tidy(Path::new("/nowhere/else")), "/nowhere/else");
    }

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
