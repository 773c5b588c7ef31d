//! The file half of a download: a temp file next to the destination that is fsynced and
//! renamed into place on success, and removed on any failure (including a cancelled future).

use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use super::error::DownloadError;

/// A download being written; removed on drop unless [`PartialFile::finish`] succeeded.
#[derive(Debug)]
pub struct PartialFile {
    path: PathBuf,
    file: tokio::fs::File,
    kept: bool,
}

impl PartialFile {
    /// Creates `.{name}.{random}.part` in the destination's directory.
    pub async fn create(destination: &Path) -> Result<Self, DownloadError> {
        let name = destination
            .file_name()
            .ok_or_else(|| io_error(destination, std::io::ErrorKind::InvalidInput.into()))?;
        let path = destination.with_file_name(format!(
            ".{}.{}.part",
            name.to_string_lossy(),
            cuid2::create_id()
        ));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|source| io_error(&path, source))?;
        Ok(Self {
            path,
            file,
            kept: false,
        })
    }

    /// Appends bytes.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), DownloadError> {
        self.file
            .write_all(bytes)
            .await
            .map_err(|source| io_error(&self.path, source))
    }

    /// Makes the file durable and moves it to `destination` (replacing any file there), then
    /// syncs the directory so the rename survives a crash.
    pub async fn finish(mut self, destination: &Path) -> Result<(), DownloadError> {
        self.file
            .flush()
            .await
            .map_err(|source| io_error(&self.path, source))?;
        self.file
            .sync_all()
            .await
            .map_err(|source| io_error(&self.path, source))?;
        tokio::fs::rename(&self.path, destination)
            .await
            .map_err(|source| io_error(destination, source))?;
        self.kept = true;
        if let Some(dir) = destination
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
        {
            let dir = dir.to_path_buf();
            let synced = tokio::task::spawn_blocking({
                let dir = dir.clone();
                move || std::fs::File::open(&dir).and_then(|handle| handle.sync_all())
            })
            .await
            .unwrap_or_else(|join| Err(std::io::Error::other(join)));
            synced.map_err(|source| io_error(&dir, source))?;
        }
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn io_error(path: &Path, source: std::io::Error) -> DownloadError {
    DownloadError::Io {
        path: path.to_path_buf(),
        source,
    }
}
