//! `jobs.persist_output`: fetch one output from the provider's file host through the guarded
//! downloader, check what it is, and publish it to the store as `jobs/{job id}/out-{n}.{ext}`
//! — only while this worker still holds the job. Each output is its own job, so a failed
//! upload retries alone; the key is fixed per output, so a rerun after a crash overwrites
//! the same object and an output is never stored twice.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::engine::staging::{STAGING_PREFIX, Staging};
use crate::engine::{ClaimedJob, Outcome};
use crate::state::AppState;
use crate::storage::ObjectKey;
use crate::workflows::jobs::model::OutputStatus;
use crate::workflows::jobs::scrape::observe_end;
use crate::workflows::jobs::store::outputs::StoredOutput;

/// The workflow segment of the jobs API's object keys.
pub const WORKFLOW: &str = "jobs";

pub async fn run(
    app: &AppState,
    job: &ClaimedJob,
    job_id: &str,
    idx: i32,
) -> anyhow::Result<Outcome> {
    let Some(output) = app.db.api_job_output(job_id, idx).await? else {
        return Ok(Outcome::fail(format!(
            "output {idx} of job {job_id} does not exist"
        )));
    };
    if output.status() != OutputStatus::Pending {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    }
    let Some(row) = app.db.api_job(job_id).await? else {
        return Ok(Outcome::fail(format!("job {job_id} does not exist")));
    };
    if row.status().is_terminal() {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    }
    // Staged under a neutral name first: the extension comes from the bytes.
    let probe_key = ObjectKey::new(WORKFLOW, job_id, &format!("out-{idx}.part"))?;
    let staging = Staging::beside(app.store.as_ref(), &probe_key, job).await?;
    let staged = staging.path_for(&probe_key);
    let downloaded = match app
        .jobs
        .downloader
        .download(&output.source_url, &staged)
        .await
    {
        Ok(file) => file,
        Err(error) if error.is_retryable() => {
            return Ok(Outcome::retry(format!("{}: {error}", error.code())));
        }
        Err(error) => return Ok(Outcome::fail(format!("{}: {error}", error.code()))),
    };
    let bytes = tokio::fs::read(&staged).await?;
    let Some((content_type, extension)) = sniff(&bytes) else {
        return Ok(Outcome::fail(
            "unsupported_output: the output is not an image or video we know",
        ));
    };
    let key = ObjectKey::new(WORKFLOW, job_id, &format!("out-{idx}.{extension}"))?;
    move_within(&staged, &staging.path_for(&key)).await?;
    if !staging
        .publish(&app.db, app.store.as_ref(), app.lease_ms(), job, &[&key])
        .await?
    {
        return Ok(Outcome::LeaseLost);
    }
    // The crash tests stop here: published, not yet recorded.
    crate::engine::failpoint::pause_at("pause-after-publish:jobs.persist_output").await;
    let stored = StoredOutput {
        object_key: key.to_string(),
        content_type: content_type.to_owned(),
        size_bytes: i64::try_from(downloaded.bytes).unwrap_or(i64::MAX),
        sha256: hex(&Sha256::digest(&bytes)),
    };
    let applied = app
        .db
        .finish_api_output(job, job_id, idx, Ok(&stored))
        .await?;
    if applied
        && let Some(row) = app.db.api_job(job_id).await?
        && row.status().is_terminal()
    {
        observe_end(app, &row);
        remove_stale_staging(app, &key, &job.claim_token).await;
    }
    Ok(Outcome::committed(applied))
}

/// Once a job has ended no step of it runs, so staging directories beside its outputs other
/// than this attempt's own are leftovers of killed workers: removed. Only on a local store,
/// where they sit in the job's own directory (an S3 store stages in a shared scratch root).
async fn remove_stale_staging(app: &AppState, key: &ObjectKey, own_token: &str) {
    if app.store.local_path(key).is_none() {
        return;
    }
    let Ok(root) = app.store.staging_root(key) else {
        return;
    };
    let Ok(mut entries) = tokio::fs::read_dir(&root).await else {
        return;
    };
    let own = format!("{STAGING_PREFIX}{own_token}");
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(STAGING_PREFIX)
            && name != own
            && let Err(error) = tokio::fs::remove_dir_all(entry.path()).await
        {
            tracing::warn!(path = %entry.path().display(), error = %error, "removing a stale staging directory failed");
        }
    }
}

async fn move_within(from: &Path, to: &Path) -> std::io::Result<()> {
    if from != to {
        tokio::fs::rename(from, to).await?;
    }
    Ok(())
}

/// The content type and extension the bytes say they are.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(("image/gif", "gif"))
    } else if bytes.len() > 8 && &bytes[4..8] == b"ftyp" {
        Some(("video/mp4", "mp4"))
    } else {
        None
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_named_by_their_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(("image/png", "png")));
        assert_eq!(
            sniff(&[0xff, 0xd8, 0xff, 0xe0]),
            Some(("image/jpeg", "jpg"))
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(("image/webp", "webp")));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), Some(("video/mp4", "mp4")));
        assert_eq!(sniff(b"<html>"), None);
    }
}
