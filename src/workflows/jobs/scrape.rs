//! The jobs API's scrape-time metrics (seed 002's names): jobs ended by status, jobs waiting
//! by priority queue, and each provider's health, read from the database so every node
//! reports the whole service.

use crate::db::{DbError, on_pool};
use crate::metrics::jobs::{JobStatusLabels, JobsMetrics, ProviderLabels, QueueLabels};
use crate::state::AppState;
use crate::workflows::jobs::runtime::REPLICATE;

const COUNTS: &str = "select status, priority, count(*) from api_jobs group by status, priority";

/// Sets the jobs API's gauges from the database.
pub async fn refresh(app: &AppState) -> Result<(), DbError> {
    let counts: Vec<(String, String, i64)> =
        on_pool!(&app.db, |pool| sqlx::query_as(COUNTS).fetch_all(pool).await)?;
    let metrics = &app.metrics.jobs;
    for status in ["succeeded", "failed", "canceled"] {
        let ended: i64 = counts
            .iter()
            .filter(|(name, _, _)| name == status)
            .map(|(_, _, count)| count)
            .sum();
        metrics
            .completions
            .get_or_create(&JobStatusLabels {
                status: status.to_owned(),
            })
            .set(ended);
    }
    for priority in ["high", "default", "low"] {
        let waiting: i64 = counts
            .iter()
            .filter(|(status, queue, _)| status == "queued" && queue == priority)
            .map(|(_, _, count)| count)
            .sum();
        metrics
            .queue_depth
            .get_or_create(&QueueLabels {
                queue: JobsMetrics::queue_name(priority).to_owned(),
            })
            .set(waiting);
    }
    let health = app.db.provider_health(REPLICATE).await?;
    metrics
        .provider_health
        .get_or_create(&ProviderLabels {
            provider: REPLICATE.to_owned(),
        })
        .set(health.health().gauge());
    Ok(())
}

/// Observes an ended job's run time (start to end) in `job_processing_time_seconds`.
pub fn observe_end(app: &AppState, row: &crate::workflows::jobs::store::rows::JobRow) {
    if let (Some(started), Some(completed)) = (row.started_at, row.completed_at) {
        app.metrics
            .jobs
            .processing_time
            .get_or_create(&crate::metrics::jobs::JobKindLabels {
                kind: row.kind.clone(),
                status: row.status.clone(),
            })
            .observe((completed - started).max(0) as f64 / 1000.0);
    }
}
