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
        Dialect::Seed004 => crate::workflows::slideshow::seed004::status_json(app, row).await,
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
#[utoipa::path(
    post,
    path = "/api/v1/generate",
    request_body = crate::openapi::job_requests::GenerateBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters")),
    responses(
        (status = 200, description = "Created: seed 001 `{job_id: uuid, status: \"pending\", message}`, seed 003 `{job_id: integer, status: \"PENDING\", message}`", body = Object),
        (status = 400, description = "`invalid_json`; `invalid_idempotency_key`", body = crate::openapi::error_body::ErrorBody),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 409, description = "`idempotency_key_reused`", body = crate::openapi::error_body::ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = crate::openapi::error_body::ErrorBody),
        (status = 415, description = "Body not sent as `application/json`", body = crate::openapi::error_body::ErrorBody),
        (status = 422, description = "A field broke a rule (`field` names it)", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests` or `quota_exceeded`", body = crate::openapi::error_body::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "seeds"
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/status/{id}",
    params(("id" = String, Path, description = "The job's id (seed 003: its number)")),
    responses(
        (status = 200, description = "Seed 001: `{job_id, status, result_url, created_at, updated_at, retry_count}`; seed 003: the request, `media[]` and timings", body = Object),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 404, description = "No such job visible to this key", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests`: over the key's per-minute rate (keyless callers: per address)", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "seeds"
)]
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
