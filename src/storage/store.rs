//! The [`Store`] trait: what every storage backend does with keyed objects.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use super::error::StorageError;
use super::key::ObjectKey;

/// What a store operation returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

/// A place that keeps the objects of every workflow.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` under `key`: afterwards the object exists whole, even across a crash.
    fn put<'a>(&'a self, key: &'a ObjectKey, bytes: Vec<u8>) -> StoreFuture<'a, ()>;

    /// Moves a finished local file (written under [`Store::staging_root`]) to `key`.
    fn publish<'a>(&'a self, key: &'a ObjectKey, staged: &'a Path) -> StoreFuture<'a, ()>;

    /// The object's bytes, or `None` when there is none.
    fn read<'a>(&'a self, key: &'a ObjectKey) -> StoreFuture<'a, Option<Vec<u8>>>;

    /// Deletes the object; one already gone is not an error.
    fn delete<'a>(&'a self, key: &'a ObjectKey) -> StoreFuture<'a, ()>;

    /// The keys one owner of a workflow holds, in order.
    fn list<'a>(&'a self, workflow: &'a str, owner: &'a str) -> StoreFuture<'a, Vec<ObjectKey>>;

    /// A file holding the object, when this store keeps objects as local files (readers such
    /// as ffmpeg and the file server then use it in place).
    fn local_path(&self, key: &ObjectKey) -> Option<PathBuf>;

    /// A local directory on which files for `key` may be written before publishing (for a
    /// local store, beside the final file, so publishing is a rename).
    fn staging_root(&self, key: &ObjectKey) -> Result<PathBuf, StorageError>;

    /// Creates what the store needs before first use.
    fn prepare(&self) -> StoreFuture<'_, ()>;

    /// Proves the store accepts writes now.
    fn check_writable(&self) -> StoreFuture<'_, ()>;
}
