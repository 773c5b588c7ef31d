//! Outputs written atomically: each is produced under a hidden temporary name beside its final
//! path and renamed into place only once every output of the render is complete, so a crash
//! or failure never leaves a half-written MP4 where the site would serve it.

use std::path::{Path, PathBuf};

use super::error::RenderError;

/// An output file being produced; removed on drop unless committed.
#[derive(Debug)]
pub struct PendingFile {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl PendingFile {
    /// A temporary name in the target's directory (created if missing).
    pub async fn beside(target: &Path) -> Result<Self, RenderError> {
        let invalid = || {
            RenderError::io(target)(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "output path has no file name",
            ))
        };
        let name = target.file_name().ok_or_else(invalid)?.to_string_lossy();
        let dir = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(RenderError::io(&dir))?;
        let temp = dir.join(format!(".{name}.{}.part", cuid2::create_id()));
        Ok(Self {
            temp,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Where the content is written before the commit.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Writes `bytes` to the temporary file.
    pub async fn write(&self, bytes: &[u8]) -> Result<(), RenderError> {
        tokio::fs::write(&self.temp, bytes)
            .await
            .map_err(RenderError::io(&self.temp))
    }

    /// Flushes the file to disk, renames it to its final path and flushes the directory.
    /// Blocking: call from a blocking task.
    pub fn commit(mut self) -> Result<(), RenderError> {
        std::fs::File::open(&self.temp)
            .and_then(|file| file.sync_all())
            .map_err(RenderError::io(&self.temp))?;
        std::fs::rename(&self.temp, &self.target).map_err(RenderError::io(&self.target))?;
        self.committed = true;
        if let Some(dir) = self
            .target
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
        {
            std::fs::File::open(dir)
                .and_then(|directory| directory.sync_all())
                .map_err(RenderError::io(dir))?;
        }
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Commits every file, in order, off the async runtime.
pub async fn commit_all(files: Vec<PendingFile>) -> Result<(), RenderError> {
    tokio::task::spawn_blocking(move || files.into_iter().try_for_each(PendingFile::commit)).await?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_committed_file_appears_only_under_its_final_name() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.mp4");
        let pending = PendingFile::beside(&target).await.unwrap();
        pending.write(b"video").await.unwrap();
        assert!(!target.exists());
        commit_all(vec![pending]).await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"video");
        assert_eq!(names(dir.path()), vec!["a.mp4"]);
    }

    #[tokio::test]
    async fn an_abandoned_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let pending = PendingFile::beside(&dir.path().join("a.mp4"))
            .await
            .unwrap();
        pending.write(b"half").await.unwrap();
        drop(pending);
        assert!(names(dir.path()).is_empty());
    }
}
