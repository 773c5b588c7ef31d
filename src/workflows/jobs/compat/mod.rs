//! The seeds' own routes and shapes, in one place, mapped onto the canonical jobs: seed 001
//! (`seed001`), seed 002 (`seed002`), seed 003 (`seed003`). `POST /api/v1/generate` is 001's
//! or 003's by its body; `GET /api/v1/status/{id}` and `GET /api/v1/jobs/{id}` answer in the
//! shape of the client that made the job.

pub mod seed001;
pub mod seed002;
pub mod seed003;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::lookup::find_job;
use super::model::{Dialect, JobStatus};
use super::store::rows::JobRow;
use super::view::job_view;
use crate::error::ApiResult;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::workflows::jobs::keys::caller::JobsCaller;

/// A job in the shape its own client reads.
pub async fn render(app: &AppState, row: &JobRow) -> anyhow::Result<Value> {
    match row.dialect() {
        Dialect::Canonical => job_view(app, row).await,
        Dialect::Seed001 => seed001::details_json(app, row).await,
        Dialect::Seed002 => seed002::job_json(app, row).await,
        Dialect::Seed003 => seed003::status_json(app, row).await,
    }
}

/// A status filter in any seed's words.
pub fn parse_status_filter(raw: &str) -> Option<JobStatus> {
    match raw.to_ascii_lowercase().as_str() {
        "queued" | "pending" => Some(JobStatus::Queued),
        "processing" | "running" | "retrying" => Some(JobStatus::Processing),
        "succeeded" | "completed" => Some(JobStatus::Succeeded),
        "failed" => Some(JobStatus::Failed),
        "canceled" | "cancelled" => Some(JobStatus::Canceled),
        _ => None,
    }
}

/// `POST /api/v1/generate`: seed 003's body names `model`, `num_outputs`, `seed` or
/// `output_format`; seed 001's does not.
pub async fn generate(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    if seed003::is_seed003_body(&body) {
        seed003::create(&app, &caller, &headers, &body).await
    } else {
        seed001::create(&app, &caller, &headers, &body).await
    }
}

/// `GET /api/v1/status/{id}`.
pub async fn status(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = find_job(&app, &caller, &id).await?;
    Ok(Json(match row.dialect() {
        Dialect::Seed003 => seed003::status_json(&app, &row).await?,
        Dialect::Seed001 => seed001::status_json(&app, &row).await?,
        _ => render(&app, &row).await?,
    }))
}
