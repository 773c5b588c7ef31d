//! Publishing a step's files only while the step still owns its job. A worker that stalls
//! past its lease (stopped, swapped out, paused by a debugger) and wakes up must not
//! overwrite what the job's new owner already published: outputs are written into a private
//! staging directory where the store stages files for their key (beside the final file on a
//! local store), the lease is renewed (a fenced write that fails once another worker holds
//! the claim), and only then published to the store.

use std::path::PathBuf;

use anyhow::Context;

use crate::db::Db;
use crate::engine::queue::rows::ClaimedJob;
use crate::storage::{ObjectKey, Store};

/// A private directory for one job attempt's outputs, removed on drop with whatever was not
/// published.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
}

/// Name prefix of staging directories (the temp-file sweep removes stale ones).
pub const STAGING_PREFIX: &str = ".staging-";

impl Staging {
    /// A fresh staging directory where `store` stages files for `key` (same filesystem as a
    /// local store's final file, so publishing is a rename).
    pub async fn beside(
        store: &dyn Store,
        key: &ObjectKey,
        job: &ClaimedJob,
    ) -> anyhow::Result<Self> {
        let dir = store
            .staging_root(key)?
            .join(format!("{STAGING_PREFIX}{}", job.claim_token));
        tokio::fs::create_dir_all(&dir)
            .await
            .with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self { dir })
    }

    /// Where the output for `key` is written before publishing.
    pub fn path_for(&self, key: &ObjectKey) -> PathBuf {
        self.dir.join(key.name())
    }

    /// A local file holding `key`'s object for a reader such as ffmpeg: the stored file
    /// itself on a local store, else a copy made in this staging directory.
    pub async fn input(&self, store: &dyn Store, key: &ObjectKey) -> anyhow::Result<PathBuf> {
        if let Some(path) = store.local_path(key) {
            return Ok(path);
        }
        let bytes = store
            .read(key)
            .await?
            .with_context(|| format!("{key} is not stored"))?;
        let copy = self.dir.join(format!("input-{}", key.name()));
        tokio::fs::write(&copy, bytes)
            .await
            .with_context(|| format!("copying {key} to {}", copy.display()))?;
        Ok(copy)
    }

    /// Publishes each staged output to its key, if the job is still ours; `false` (and
    /// nothing published) when the lease was lost.
    pub async fn publish(
        &self,
        db: &Db,
        store: &dyn Store,
        lease_ms: i64,
        job: &ClaimedJob,
        keys: &[&ObjectKey],
    ) -> anyhow::Result<bool> {
        if !db.heartbeat_job(job, lease_ms).await? {
            tracing::warn!(job.id = %job.id, job.kind = %job.kind, "lease lost before publishing; outputs discarded");
            return Ok(false);
        }
        for key in keys {
            store
                .publish(key, &self.path_for(key))
                .await
                .with_context(|| format!("publishing {key}"))?;
        }
        Ok(true)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
