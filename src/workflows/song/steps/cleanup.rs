//! `cleanup`: once a day, delete the files of finished submissions older than
//! `FILE_RETENTION_DAYS`. Idempotent, and never touches a pending or processing submission.

use crate::clock::now_ms;
use crate::domain::ids::SessionId;
use crate::engine::{ClaimedJob, Outcome};
use crate::state::AppState;
use crate::workflows::song::files::WORKFLOW;

const BATCH: i64 = 500;
const DAY_MS: i64 = 86_400_000;

pub async fn run(app: &AppState, job: &ClaimedJob) -> anyhow::Result<Outcome> {
    let deleted = clean_expired_files(app, now_ms()).await?;
    tracing::info!(
        submissions = deleted,
        "cleanup removed the files of {deleted} finished submissions"
    );
    Ok(Outcome::committed(app.db.complete_job(job).await?))
}

/// Deletes expired files as of `now`; returns how many submissions were cleaned.
pub async fn clean_expired_files(app: &AppState, now: i64) -> anyhow::Result<usize> {
    let cutoff = now - i64::from(app.config.pipeline.file_retention_days) * DAY_MS;
    let mut cleaned = 0;
    loop {
        let batch = app.db.submissions_with_expired_files(cutoff, BATCH).await?;
        if batch.is_empty() {
            return Ok(cleaned);
        }
        for expired in batch {
            if let Some(session_id) = SessionId::parse(&expired.session_id) {
                for key in app.store.list(WORKFLOW, session_id.as_str()).await? {
                    app.store.delete(&key).await?;
                }
            }
            app.db.mark_files_deleted(&expired.session_id, now).await?;
            cleaned += 1;
        }
    }
}
