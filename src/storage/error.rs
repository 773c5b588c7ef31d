//! What a storage operation can fail with.

use std::path::{Path, PathBuf};

use super::key::InvalidKey;

/// A storage operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage I/O failed on {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    InvalidKey(#[from] InvalidKey),
    #[error("the {workflow} workflow's storage has no place for {key}")]
    NoPlace { workflow: String, key: String },
    #[error("object storage {operation} of {key} failed")]
    Backend {
        operation: &'static str,
        key: String,
        #[source]
        source: object_store::Error,
    },
    #[error("this store has no URL signing key")]
    Unsigned,
    #[error("storage task panicked or was cancelled")]
    Task(#[from] tokio::task::JoinError),
}

impl StorageError {
    /// Wraps an I/O error about `path` (for `map_err`).
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
