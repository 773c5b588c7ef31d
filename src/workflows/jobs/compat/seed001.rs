//! Seed 001's client: `POST /api/v1/generate {prompt, parameters}` → `{job_id, status:
//! "pending", message}`; `GET /api/v1/status/{id}` → `{job_id, status: pending | processing
//! | retrying | completed | failed, result_url, created_at, updated_at, retry_count}`;
//! `GET /api/v1/jobs/{id}` → the same with the request and every output; `GET
//! /api/v1/health`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::domain::timestamp::rfc3339_from_ms;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::workflows::jobs::headers::header_text;
use crate::workflows::jobs::keys::caller::Caller;
use crate::workflows::jobs::model::{Dialect, JobStatus};
use crate::workflows::jobs::request::JobRequest;
use crate::workflows::jobs::seed_body::seed_object;
use crate::workflows::jobs::store::rows::JobRow;
use crate::workflows::jobs::submit::{idempotency_key, submit};
use crate::workflows::jobs::view::outputs;

const FIELDS: [&str; 2] = ["prompt", "parameters"];

/// Creates a job from 001's body.
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
    let submitted = submit(app, caller, request, key, Dialect::Seed001).await?;
    let id = &submitted.row.id;
    Ok((
        StatusCode::OK,
        Json(json!({
            "job_id": id,
            "status": "pending",
            "message": format!("Job created successfully. Use job ID {id} to check status."),
        })),
    )
        .into_response())
}

/// 001's status words.
pub fn status_word(row: &JobRow) -> &'static str {
    match row.status() {
        JobStatus::Queued => "pending",
        JobStatus::Processing if row.attempts > 1 => "retrying",
        JobStatus::Processing => "processing",
        JobStatus::Succeeded => "completed",
        JobStatus::Failed | JobStatus::Canceled => "failed",
    }
}

/// `GET /api/v1/status/{id}` of a 001 job.
pub async fn status_json(app: &AppState, row: &JobRow) -> anyhow::Result<Value> {
    let outputs = outputs(app, &row.id).await?;
    let result_url = outputs
        .iter()
        .find_map(|output| output.signed.as_ref().map(|(url, _)| url.clone()));
    Ok(json!({
        "job_id": row.id,
        "status": status_word(row),
        "result_url": result_url,
        "created_at": rfc3339_from_ms(row.created_at),
        "updated_at": rfc3339_from_ms(row.updated_at),
        "retry_count": (row.attempts - 1).max(0),
    }))
}

/// `GET /api/v1/jobs/{id}` of a 001 job: the status and the request, every output, the error.
pub async fn details_json(app: &AppState, row: &JobRow) -> anyhow::Result<Value> {
    let mut details = status_json(app, row).await?;
    let outputs = outputs(app, &row.id).await?;
    if let Value::Object(map) = &mut details {
        map.insert("prompt".into(), json!(row.prompt));
        map.insert("parameters".into(), row.parameters());
        map.insert("model".into(), json!(row.model));
        map.insert(
            "result_urls".into(),
            json!(
                outputs
                    .iter()
                    .filter_map(|output| output.signed.as_ref().map(|(url, _)| url))
                    .collect::<Vec<_>>()
            ),
        );
        map.insert("error_message".into(), json!(row.error_message));
        map.insert(
            "started_at".into(),
            json!(row.started_at.map(rfc3339_from_ms)),
        );
        map.insert(
            "completed_at".into(),
            json!(row.completed_at.map(rfc3339_from_ms)),
        );
    }
    Ok(details)
}

/// `GET /api/v1/health`.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    responses(
        (status = 200, description = "Seed 001's health: `{status: \"healthy\", database, provider, timestamp}`", body = Object),
        (status = 503, description = "The database is unreachable (`status: \"unhealthy\"`)", body = Object),
    ),
    tag = "seeds"
)]
pub async fn health(State(app): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = app.db.ping().await.is_ok();
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "status": if database { "healthy" } else { "unhealthy" },
            "database": if database { "connected" } else { "disconnected" },
            "provider": if app.jobs.demo.is_some() { "demo" } else { "replicate" },
            "timestamp": rfc3339_from_ms(crate::clock::now_ms()),
        })),
    )
}
