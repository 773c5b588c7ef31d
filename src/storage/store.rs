//! The [`Store`] trait: what every storage backend does with keyed objects.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Duration;

use super::error::StorageError;
use super::key::ObjectKey;
use super::signed::SignatureError;

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

    /// A URL that serves the object to anyone holding it for `ttl`: S3 presigned, or the
    /// local store's HMAC-signed `/files/…` path (relative; the caller adds its origin).
    fn signed_url<'a>(&'a self, key: &'a ObjectKey, ttl: Duration) -> StoreFuture<'a, SignedUrl>;

    /// Whether a local signed URL's parts hold for `key` at `now` (unix seconds). Stores
    /// whose URLs are served elsewhere (S3) refuse every one.
    fn check_signature(
        &self,
        _key: &ObjectKey,
        _expires: i64,
        _signature: &str,
        _now: i64,
    ) -> Result<(), SignatureError> {
        Err(SignatureError::Invalid)
    }

    /// Creates what the store needs before first use.
    fn prepare(&self) -> StoreFuture<'_, ()>;

    /// Proves the store accepts writes now.
    fn check_writable(&self) -> StoreFuture<'_, ()>;
}

/// A URL that grants access to one object until it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUrl {
    /// Absolute (S3), or a path on this service (local).
    pub url: String,
    /// Unix seconds after which the URL is refused.
    pub expires_at: i64,
}

impl SignedUrl {
    /// The URL as a client can follow it: a local path gets `origin` in front.
    pub fn absolute(&self, origin: &str) -> String {
        if self.url.starts_with('/') {
            format!("{}{}", origin.trim_end_matches('/'), self.url)
        } else {
            self.url.clone()
        }
    }
}
