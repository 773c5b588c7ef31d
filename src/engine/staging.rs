//! Publishing a step's files only while the step still owns its job. A worker that stalls
//! past its lease (stopped, swapped out, paused by a debugger) and wakes up must not
//! overwrite what the job's new owner already published: outputs are written into a private
//! staging directory beside their final place, the lease is renewed (a fenced write that
//! fails once another worker holds the claim), and only then renamed into place.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::db::Db;
use crate::engine::queue::rows::ClaimedJob;

/// A private directory for one job attempt's outputs, removed on drop with whatever was not
/// published.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
}

/// Name prefix of staging directories (the temp-file sweep removes stale ones).
pub const STAGING_PREFIX: &str = ".staging-";

impl Staging {
    /// A fresh staging directory inside `final_dir` (same filesystem, so renames are atomic).
    pub async fn create(final_dir: &Path, job: &ClaimedJob) -> anyhow::Result<Self> {
        let dir = final_dir.join(format!("{STAGING_PREFIX}{}", job.claim_token));
        tokio::fs::create_dir_all(&dir)
            .await
            .with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self { dir })
    }

    /// Where an output named like `target` is written before publishing.
    pub fn path_for(&self, target: &Path) -> PathBuf {
        self.dir
            .join(target.file_name().unwrap_or(target.as_os_str()))
    }

    /// Renames each staged output onto its target, if the job is still ours; `false` (and
    /// nothing published) when the lease was lost.
    pub async fn publish(
        &self,
        db: &Db,
        lease_ms: i64,
        job: &ClaimedJob,
        targets: &[&Path],
    ) -> anyhow::Result<bool> {
        if !db.heartbeat_job(job, lease_ms).await? {
            tracing::warn!(job.id = %job.id, job.kind = %job.kind, "lease lost before publishing; outputs discarded");
            return Ok(false);
        }
        let moves: Vec<(PathBuf, PathBuf)> = targets
            .iter()
            .map(|target| (self.path_for(target), target.to_path_buf()))
            .collect();
        tokio::task::spawn_blocking(move || rename_all(&moves))
            .await
            .context("publishing outputs")??;
        Ok(true)
    }
}

fn rename_all(moves: &[(PathBuf, PathBuf)]) -> anyhow::Result<()> {
    for (staged, target) in moves {
        std::fs::rename(staged, target)
            .with_context(|| format!("publishing {}", target.display()))?;
        if let Some(dir) = target.parent() {
            std::fs::File::open(dir)
                .and_then(|directory| directory.sync_all())
                .with_context(|| format!("flushing {}", dir.display()))?;
        }
    }
    Ok(())
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
