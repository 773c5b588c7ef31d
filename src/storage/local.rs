//! The local-directory store, the default: each workflow's files under its layout (the
//! default `{root}/{workflow}/{owner}/{name}`, or one the workflow mounts), written durably.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::durable::{rename_durably, write_file_durably};
use super::error::StorageError;
use super::key::ObjectKey;
use super::layout::{Layout, OwnerDirectories};
use super::signed::{SignatureError, UrlSigner};
use super::store::{SignedUrl, Store, StoreFuture};
use crate::clock::now_ms;

/// Files on a local (or mounted network) filesystem.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
    mounts: BTreeMap<String, Arc<dyn Layout>>,
    signer: Option<UrlSigner>,
}

impl LocalStore {
    /// A store under `root`, every workflow in the default layout until mounted otherwise.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            mounts: BTreeMap::new(),
            signer: None,
        }
    }

    /// Signs URLs with `signer` (see `signed`).
    pub fn with_signer(mut self, signer: UrlSigner) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Gives `workflow` its own layout.
    pub fn mount(mut self, workflow: &str, layout: impl Layout + 'static) -> Self {
        self.mounts.insert(workflow.to_owned(), Arc::new(layout));
        self
    }

    /// The directory the default layout gives a workflow.
    pub fn workflow_dir(&self, workflow: &str) -> PathBuf {
        self.root.join(workflow)
    }

    fn layout(&self, workflow: &str) -> Arc<dyn Layout> {
        match self.mounts.get(workflow) {
            Some(layout) => Arc::clone(layout),
            None => Arc::new(OwnerDirectories {
                dir: self.workflow_dir(workflow),
            }),
        }
    }

    fn path(&self, key: &ObjectKey) -> Result<PathBuf, StorageError> {
        self.layout(key.workflow())
            .path(key)
            .ok_or_else(|| StorageError::NoPlace {
                workflow: key.workflow().to_owned(),
                key: key.to_string(),
            })
    }

    /// The root and every mounted layout's directories.
    fn dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.root.clone()];
        for layout in self.mounts.values() {
            dirs.extend(layout.dirs());
        }
        dirs.sort();
        dirs.dedup();
        dirs
    }
}

/// Runs blocking filesystem work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(work).await?
}

impl Store for LocalStore {
    fn put<'a>(&'a self, key: &'a ObjectKey, bytes: Vec<u8>) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(key)?;
            blocking(move || write_file_durably(&path, &bytes)).await
        })
    }

    fn publish<'a>(&'a self, key: &'a ObjectKey, staged: &'a Path) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(key)?;
            let staged = staged.to_path_buf();
            blocking(move || rename_durably(&staged, &path)).await
        })
    }

    fn read<'a>(&'a self, key: &'a ObjectKey) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let path = self.path(key)?;
            match tokio::fs::read(&path).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(StorageError::Io { path, source }),
            }
        })
    }

    fn delete<'a>(&'a self, key: &'a ObjectKey) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(key)?;
            match tokio::fs::remove_file(&path).await {
                Ok(()) => Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(source) => Err(StorageError::Io { path, source }),
            }
        })
    }

    fn list<'a>(&'a self, workflow: &'a str, owner: &'a str) -> StoreFuture<'a, Vec<ObjectKey>> {
        Box::pin(async move {
            let layout = self.layout(workflow);
            let (workflow, owner) = (workflow.to_owned(), owner.to_owned());
            blocking(move || Ok(layout.list(&workflow, &owner))).await
        })
    }

    fn local_path(&self, key: &ObjectKey) -> Option<PathBuf> {
        self.path(key).ok()
    }

    fn staging_root(&self, key: &ObjectKey) -> Result<PathBuf, StorageError> {
        let path = self.path(key)?;
        Ok(path.parent().map(Path::to_path_buf).unwrap_or_default())
    }

    fn signed_url<'a>(&'a self, key: &'a ObjectKey, ttl: Duration) -> StoreFuture<'a, SignedUrl> {
        Box::pin(async move {
            let signer = self.signer.as_ref().ok_or(StorageError::Unsigned)?;
            let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
            let expires_at = now_ms() / 1000 + ttl;
            Ok(SignedUrl {
                url: signer.sign(key, expires_at),
                expires_at,
            })
        })
    }

    fn check_signature(
        &self,
        key: &ObjectKey,
        expires: i64,
        signature: &str,
        now: i64,
    ) -> Result<(), SignatureError> {
        let signer = self.signer.as_ref().ok_or(SignatureError::Invalid)?;
        signer.verify(key, expires, signature, now)
    }

    fn prepare(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            for dir in self.dirs() {
                tokio::fs::create_dir_all(&dir)
                    .await
                    .map_err(StorageError::io(&dir))?;
            }
            Ok(())
        })
    }

    /// Creates and deletes a probe in every directory. Each call uses its own random name, so
    /// concurrent checks (in this or another process) never delete each other's probe.
    fn check_writable(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            for dir in self.dirs() {
                let probe = dir.join(format!("{HEALTH_PROBE_PREFIX}{}", cuid2::create_id()));
                tokio::fs::write(&probe, b"ok")
                    .await
                    .map_err(StorageError::io(&probe))?;
                tokio::fs::remove_file(&probe)
                    .await
                    .map_err(StorageError::io(&probe))?;
            }
            Ok(())
        })
    }
}

/// Name prefix of the writability probes (swept if a crash leaves one).
pub const HEALTH_PROBE_PREFIX: &str = ".health-probe-";

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
