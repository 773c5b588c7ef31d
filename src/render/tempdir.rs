//! The per-render scratch directory (clips, concat list): private, uniquely named, and removed
//! when the guard drops, whether the render succeeded, failed, timed out or was cancelled.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use super::error::RenderError;

/// Prefix of every scratch directory's name (the storage sweep looks for it).
pub const RENDER_DIR_PREFIX: &str = "serenade-render-";

/// A directory that exists for as long as this value does.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `serenade-render-<cuid>` (mode 0700) under `parent`, creating `parent` if needed.
    pub fn create_in(parent: &Path) -> Result<Self, RenderError> {
        std::fs::create_dir_all(parent).map_err(RenderError::io(parent))?;
        let path = parent.join(format!("{RENDER_DIR_PREFIX}{}", cuid2::create_id()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(RenderError::io(&path))?;
        Ok(Self { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        match std::fs::remove_dir_all(&self.path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => tracing::warn!(
                path = %self.path.display(),
                error = %error,
                "could not remove render temp dir {}",
                self.path.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_gone_after_the_guard() {
        let parent = tempfile::tempdir().unwrap();
        let path = {
            let temp = TempDir::create_in(parent.path()).unwrap();
            std::fs::write(temp.join("turn.mp4"), b"x").unwrap();
            temp.path().to_path_buf()
        };
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);
    }
}
