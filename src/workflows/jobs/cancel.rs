//! Cancelling a job: it ends `canceled` at once (its webhook event queued with the change),
//! its waiting engine work is dropped, and the provider is told to stop the prediction — now
//! if one is known, and again by the generate step if it was mid-create. A finished job is
//! a 409 `job_finished`.

use super::model::JobStatus;
use super::steps::generate::cancel_at_provider;
use super::store::rows::JobRow;
use super::store::transitions::JobEnd;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Cancels `row`; the job as it then stands.
pub async fn cancel_job(app: &AppState, row: &JobRow) -> ApiResult<JobRow> {
    let end = JobEnd {
        status: JobStatus::Canceled,
        error_code: Some("canceled".into()),
        error_message: Some("The job was canceled by the client.".into()),
    };
    if !app.db.end_api_job(&row.id, &end).await? {
        let status = app
            .db
            .api_job(&row.id)
            .await?
            .map_or(row.status.clone(), |fresh| fresh.status);
        return Err(ApiError::Conflict {
            code: "job_finished",
            message: format!("The job has already ended ({status}); there is nothing to cancel."),
        });
    }
    app.db.cancel_owned_jobs(&row.engine_owner()).await?;
    if let Some(prediction) = &row.prediction_id {
        cancel_at_provider(app, prediction).await;
    }
    tracing::info!(job.id = %row.id, "job canceled");
    Ok(app
        .db
        .api_job(&row.id)
        .await?
        .unwrap_or_else(|| row.clone()))
}
