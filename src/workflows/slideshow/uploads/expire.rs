//! Deleting uploads no job took within their day: the row first (only while still unclaimed
//! and expired, so a job claiming it at that moment wins), then the object.

use crate::clock::now_ms;
use crate::state::AppState;
use crate::storage::ObjectKey;

/// Uploads handled per sweep.
const BATCH: i64 = 500;

/// Deletes expired, unclaimed uploads; how many went.
pub async fn expire_uploads(app: &AppState) -> anyhow::Result<usize> {
    let now = now_ms();
    let mut removed = 0;
    for upload in app.db.expired_uploads(now, BATCH).await? {
        if !app.db.delete_expired_upload(&upload.id, now).await? {
            continue;
        }
        if let Ok(key) = ObjectKey::parse(&upload.object_key) {
            app.store.delete(&key).await?;
        }
        removed += 1;
    }
    if removed > 0 {
        tracing::info!(removed, "expired uploads deleted");
    }
    Ok(removed)
}
