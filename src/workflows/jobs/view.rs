//! The canonical JSON of a job: what it asked for, where it stands (status, progress percent
//! and stage, queue position and ETA while waiting), attempts and timings, the provider and
//! model, each output with its status, size, type, checksum and a signed URL with its
//! expiry, the error, the client webhook's deliveries, and links. Seed routes reshape it.

use serde_json::{Value, json};

use super::model::JobStatus;
use super::store::rows::{JobRow, OutputRow};
use crate::domain::timestamp::rfc3339_from_ms;
use crate::state::AppState;
use crate::storage::ObjectKey;

/// When no job has finished yet, the run time assumed for ETAs.
const ASSUMED_RUN_MS: f64 = 10_000.0;

/// One output as a client sees it.
#[derive(Debug, Clone)]
pub struct OutputView {
    pub row: OutputRow,
    /// An absolute signed URL and its expiry (unix seconds), once stored.
    pub signed: Option<(String, i64)>,
}

impl OutputView {
    pub fn to_json(&self) -> Value {
        json!({
            "index": self.row.idx,
            "status": self.row.status,
            "content_type": self.row.content_type,
            "size_bytes": self.row.size_bytes,
            "sha256": self.row.sha256,
            "url": self.signed.as_ref().map(|(url, _)| url),
            "url_expires_at": self.signed.as_ref().map(|(_, at)| rfc3339_from_ms(at.saturating_mul(1000))),
            "key": self.row.object_key,
            "source_url": self.row.source_url,
            "error_message": self.row.error_message,
        })
    }
}

/// A job's outputs, stored ones with fresh signed URLs.
pub async fn outputs(app: &AppState, job_id: &str) -> anyhow::Result<Vec<OutputView>> {
    let ttl = app.config.storage.objects.signed_url_ttl();
    let origin = app.config.http.public_base_url();
    let mut views = Vec::new();
    for row in app.db.api_job_outputs(job_id).await? {
        let signed = match row.object_key.as_deref().map(ObjectKey::parse) {
            Some(Ok(key)) => {
                let url = app.store.signed_url(&key, ttl).await?;
                Some((url.absolute(&origin), url.expires_at))
            }
            _ => None,
        };
        views.push(OutputView { row, signed });
    }
    Ok(views)
}

/// Where a waiting job stands: jobs ahead of it and the seconds it may still take.
pub async fn queue_estimate(
    app: &AppState,
    row: &JobRow,
) -> anyhow::Result<(Option<i64>, Option<i64>)> {
    let status = row.status();
    if status.is_terminal() {
        return Ok((None, Some(0)));
    }
    let mean = app
        .db
        .api_job_mean_run_ms()
        .await?
        .unwrap_or(ASSUMED_RUN_MS);
    if status == JobStatus::Queued {
        let ahead = app.db.api_jobs_ahead(row.number, &row.priority).await?;
        let slots = app.config.jobs.jobs_provider_concurrency.max(1) as f64;
        let rounds = (ahead as f64 / slots).floor() + 1.0;
        return Ok((Some(ahead), Some((rounds * mean / 1000.0).ceil() as i64)));
    }
    let elapsed = row
        .started_at
        .map_or(0, |started| crate::clock::now_ms() - started);
    let left = ((mean - elapsed as f64) / 1000.0).ceil().max(1.0) as i64;
    Ok((Some(0), Some(left)))
}

/// The canonical view of `row`.
pub async fn job_view(app: &AppState, row: &JobRow) -> anyhow::Result<Value> {
    let outputs = outputs(app, &row.id).await?;
    let (queue_position, eta_seconds) = queue_estimate(app, row).await?;
    let deliveries = app.db.webhook_deliveries(&row.id).await?;
    let webhook = row.webhook_url.as_ref().map(|url| {
        json!({
            "url": url,
            "events": row.webhook_events(),
            "deliveries": deliveries,
        })
    });
    let error = row
        .error_code
        .as_ref()
        .map(|code| json!({"code": code, "message": row.error_message}));
    let at = |ms: Option<i64>| ms.map(rfc3339_from_ms);
    let run_ms = match (row.started_at, row.completed_at) {
        (Some(started), Some(completed)) => Some(completed - started),
        _ => None,
    };
    Ok(json!({
        "id": row.id,
        "object": "job",
        "kind": row.kind,
        "model": row.model,
        "prompt": row.prompt,
        "parameters": row.parameters(),
        "num_outputs": row.num_outputs,
        "seed": row.seed,
        "output_format": row.output_format,
        "priority": row.priority,
        "max_retries": row.max_retries,
        "metadata": row.metadata(),
        "user_id": row.user_id,
        "status": row.status,
        "progress": {"percent": row.progress, "stage": row.stage},
        "queue_position": queue_position,
        "eta_seconds": eta_seconds,
        "attempts": row.attempts,
        "provider": row.provider,
        "prediction_id": row.prediction_id,
        "outputs": outputs.iter().map(OutputView::to_json).collect::<Vec<_>>(),
        "error": error,
        "webhook": webhook,
        "timings": {
            "created_at": rfc3339_from_ms(row.created_at),
            "started_at": at(row.started_at),
            "completed_at": at(row.completed_at),
            "run_ms": run_ms,
        },
        "created_at": rfc3339_from_ms(row.created_at),
        "updated_at": rfc3339_from_ms(row.updated_at),
        "started_at": at(row.started_at),
        "completed_at": at(row.completed_at),
        "links": {
            "self": format!("/api/v1/jobs/{}", row.id),
            "events": format!("/api/v1/jobs/{}/events", row.id),
            "cancel": format!("/api/v1/jobs/{}/cancel", row.id),
        },
    }))
}
