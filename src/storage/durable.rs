//! Writes that survive a crash whole or not at all: temp file, fsync, rename, then fsync of
//! the directory (blocking; callers run them on the blocking pool).

use std::io::Write;
use std::path::Path;

use super::error::StorageError;

/// Name suffix of [`write_file_durably`]'s temporary files (`.{name}.{random}.tmp`).
pub const TEMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` to `path` durably, creating its directory if needed.
pub fn write_file_durably(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    let dir = parent(path)?;
    std::fs::create_dir_all(dir).map_err(StorageError::io(dir))?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp_path = dir.join(format!(".{name}.{}{TEMP_SUFFIX}", cuid2::create_id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp_path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp_path, path)
    })();
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temp_path);
        return Err(StorageError::io(path)(source));
    }
    sync_dir(dir)
}

/// Moves a finished file (already flushed by its writer) onto `target` and flushes the
/// directory entry. `staged` must be on the same filesystem.
pub fn rename_durably(staged: &Path, target: &Path) -> Result<(), StorageError> {
    let dir = parent(target)?;
    std::fs::create_dir_all(dir).map_err(StorageError::io(dir))?;
    std::fs::File::open(staged)
        .and_then(|file| file.sync_all())
        .map_err(StorageError::io(staged))?;
    std::fs::rename(staged, target).map_err(StorageError::io(target))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    std::fs::File::open(dir)
        .and_then(|directory| directory.sync_all())
        .map_err(StorageError::io(dir))
}

fn parent(path: &Path) -> Result<&Path, StorageError> {
    path.parent().ok_or_else(|| {
        StorageError::io(path)(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "a stored file needs a directory",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<std::ffi::OsString> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn durable_writes_leave_only_the_final_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jpg");
        write_file_durably(&path, b"data").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"data");
        assert_eq!(names(dir.path()), vec![std::ffi::OsString::from("a.jpg")]);
    }

    #[test]
    fn a_rename_creates_the_target_directory_and_replaces_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let staged = dir.path().join("staged");
        std::fs::write(&staged, b"new").unwrap();
        let target = dir.path().join("deep").join("out.mp4");
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, b"old").unwrap();
        rename_durably(&staged, &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert!(!staged.exists());
    }
}
