//! Seed 003's client: `POST /api/v1/generate {model, prompt, num_outputs, seed,
//! output_format}` → `{job_id: <integer>, status: "PENDING", message}`; `GET
//! /api/v1/status/{id}` → the request, upper-case status, and `media[]` with each output's
//! `media_url` (where the provider served it), `status`, `error_message`, `s3_key` and
//! `presigned_media_url`, plus timings and `retry_count`.

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::domain::timestamp::rfc3339_from_ms;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::workflows::jobs::headers::header_text;
use crate::workflows::jobs::keys::caller::Caller;
use crate::workflows::jobs::model::{Dialect, JobStatus, OutputStatus};
use crate::workflows::jobs::request::JobRequest;
use crate::workflows::jobs::seed_body::seed_object;
use crate::workflows::jobs::store::rows::JobRow;
use crate::workflows::jobs::submit::{idempotency_key, submit};
use crate::workflows::jobs::view::outputs;

const FIELDS: [&str; 5] = ["model", "prompt", "num_outputs", "seed", "output_format"];

/// Whether a `/generate` body is 003's.
pub fn is_seed003_body(body: &Value) -> bool {
    body.as_object().is_some_and(|object| {
        ["model", "num_outputs", "seed", "output_format"]
            .iter()
            .any(|field| object.contains_key(*field))
    })
}

/// Creates a job from 003's body.
pub async fn create(
    app: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: &Value,
) -> ApiResult<Response> {
    let object = seed_object(body, &FIELDS)?;
    let canonical: Map<String, Value> = object.clone();
    let request = JobRequest::from_body(&Value::Object(canonical), &app.config.jobs)?;
    let key = idempotency_key(header_text(headers, "idempotency-key"))?;
    let submitted = submit(app, caller, request, key, Dialect::Seed003).await?;
    Ok((
        StatusCode::OK,
        Json(json!({
            "job_id": submitted.row.number,
            "status": "PENDING",
            "message": "Job created and queued for processing",
        })),
    )
        .into_response())
}

fn status_word(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Queued => "PENDING",
        JobStatus::Processing => "PROCESSING",
        JobStatus::Succeeded => "COMPLETED",
        JobStatus::Failed => "FAILED",
        JobStatus::Canceled => "CANCELED",
    }
}

/// `GET /api/v1/status/{id}` of a 003 job.
pub async fn status_json(app: &AppState, row: &JobRow) -> anyhow::Result<Value> {
    let media: Vec<Value> = outputs(app, &row.id)
        .await?
        .iter()
        .map(|output| {
            json!({
                "media_url": output.row.source_url,
                "status": match output.row.status() {
                    OutputStatus::Pending => "PENDING",
                    OutputStatus::Stored => "COMPLETED",
                    OutputStatus::Failed => "FAILED",
                },
                "error_message": output.row.error_message,
                "s3_key": output.row.object_key,
                "presigned_media_url": output.signed.as_ref().map(|(url, _)| url),
            })
        })
        .collect();
    let at = |ms: Option<i64>| ms.map(rfc3339_from_ms);
    Ok(json!({
        "job_id": row.number,
        "status": status_word(row.status()),
        "model": row.model,
        "prompt": row.prompt,
        "num_outputs": row.num_outputs,
        "seed": row.seed,
        "output_format": row.output_format,
        "media": media,
        "error_message": row.error_message,
        "retry_count": (row.attempts - 1).max(0),
        "created_at": rfc3339_from_ms(row.created_at),
        "updated_at": rfc3339_from_ms(row.updated_at),
        "started_at": at(row.started_at),
        "completed_at": at(row.completed_at),
    }))
}
