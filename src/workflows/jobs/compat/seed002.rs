//! Seed 002's client: `POST /api/v1/jobs {userId, prompt, metadata{priority}, maxRetries}`,
//! `GET /api/v1/jobs/{id}`, `GET /api/v1/jobs?userId&status&skip&take`, `DELETE
//! /api/v1/jobs/{id}` (cancels), with camelCase job fields (`usedProvider`, `usedModel`,
//! `generationTimeMs`, `errorMessage`, `startedAt`, `completedAt`, …); `/health` answers
//! `{"status":"alive"}` and `/health/ready` checks the database and storage.

use std::time::{Duration, Instant};

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

/// The fields of 002's create body.
const FIELDS: [&str; 5] = ["userId", "prompt", "metadata", "maxRetries", "model"];

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether a `POST /api/v1/jobs` body is 002's (camelCase fields).
pub fn is_seed002_body(body: &Value) -> bool {
    body.as_object().is_some_and(|object| {
        ["userId", "maxRetries"]
            .iter()
            .any(|field| object.contains_key(*field))
    })
}

/// Creates a job from 002's body.
pub async fn create(
    app: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: &Value,
) -> ApiResult<Response> {
    let object = seed_object(body, &FIELDS)?;
    let mut canonical = Map::new();
    for (from, to) in [
        ("userId", "user_id"),
        ("prompt", "prompt"),
        ("metadata", "metadata"),
        ("maxRetries", "max_retries"),
        ("model", "model"),
    ] {
        if let Some(value) = object.get(from) {
            canonical.insert(to.into(), value.clone());
        }
    }
    if let Some(priority) = object
        .get("metadata")
        .and_then(|metadata| metadata.get("priority"))
    {
        canonical.insert("priority".into(), priority.clone());
    }
    let request = JobRequest::from_body(&Value::Object(canonical), &app.config.jobs)?;
    let key = idempotency_key(header_text(headers, "idempotency-key"))?;
    let submitted = submit(app, caller, request, key, Dialect::Seed002).await?;
    let status = if submitted.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(job_json(app, &submitted.row).await?)).into_response())
}

fn status_word(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Queued => "queued",
        JobStatus::Processing => "processing",
        JobStatus::Succeeded => "completed",
        JobStatus::Failed => "failed",
        JobStatus::Canceled => "cancelled",
    }
}

/// A job without its outputs' URLs (lists).
fn summary_json(row: &JobRow) -> Value {
    let at = |ms: Option<i64>| ms.map(rfc3339_from_ms);
    json!({
        "id": row.id,
        "userId": row.user_id,
        "status": status_word(row.status()),
        "prompt": row.prompt,
        "metadata": row.metadata(),
        "result": Value::Null,
        "retryCount": (row.attempts - 1).max(0),
        "maxRetries": row.max_retries,
        "usedProvider": row.provider,
        "usedModel": row.provider.as_ref().map(|_| row.model.clone()),
        "generationTimeMs": match (row.started_at, row.completed_at) {
            (Some(started), Some(completed)) => Some(completed - started),
            _ => None,
        },
        "errorMessage": row.error_message,
        "createdAt": rfc3339_from_ms(row.created_at),
        "updatedAt": rfc3339_from_ms(row.updated_at),
        "startedAt": at(row.started_at),
        "completedAt": at(row.completed_at),
    })
}

/// One 002 job, its `result` listing the stored outputs.
pub async fn job_json(app: &AppState, row: &JobRow) -> anyhow::Result<Value> {
    let mut job = summary_json(row);
    let outputs = outputs(app, &row.id).await?;
    if !outputs.is_empty()
        && let Value::Object(map) = &mut job
    {
        let urls: Vec<&String> = outputs
            .iter()
            .filter_map(|output| output.signed.as_ref().map(|(url, _)| url))
            .collect();
        map.insert(
            "result".into(),
            json!({
                "urls": urls,
                "outputs": outputs.iter().map(|output| json!({
                    "url": output.signed.as_ref().map(|(url, _)| url),
                    "contentType": output.row.content_type,
                    "sizeBytes": output.row.size_bytes,
                    "sha256": output.row.sha256,
                    "status": output.row.status,
                })).collect::<Vec<_>>(),
            }),
        );
    }
    Ok(job)
}

/// A page of jobs for 002's list.
pub fn list_json(rows: &[JobRow], skip: i64, take: i64, has_more: bool) -> Value {
    json!({
        "jobs": rows.iter().map(summary_json).collect::<Vec<_>>(),
        "skip": skip,
        "take": take,
        "count": rows.len(),
        "hasMore": has_more,
    })
}

/// `GET /health`: the process is alive.
#[utoipa::path(
    get,
    path = "/health",
    responses((status = 200, description = "Seed 002's liveness: `{\"status\": \"alive\"}`", body = Object)),
    tag = "seeds"
)]
pub async fn alive() -> Json<Value> {
    Json(json!({"status": "alive"}))
}

/// `GET /health/ready`: the database and storage answer (with latencies), or 503.
#[utoipa::path(
    get,
    path = "/health/ready",
    responses(
        (status = 200, description = "Seed 002's readiness: the database and storage answer, with latencies", body = Object),
        (status = 503, description = "Not ready (`status: \"not_ready\"`, the failing check named)", body = Object),
    ),
    tag = "seeds"
)]
pub async fn ready(State(app): State<AppState>) -> (StatusCode, Json<Value>) {
    let began = Instant::now();
    let database = matches!(
        tokio::time::timeout(CHECK_TIMEOUT, app.db.ping()).await,
        Ok(Ok(()))
    );
    let database_ms = began.elapsed().as_millis();
    let began = Instant::now();
    let storage = matches!(
        tokio::time::timeout(CHECK_TIMEOUT, app.store.check_writable()).await,
        Ok(Ok(()))
    );
    let storage_ms = began.elapsed().as_millis();
    let ready = database && storage && !app.is_draining();
    let word = |ok: bool| if ok { "healthy" } else { "unhealthy" };
    (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(json!({
            "status": if ready { "ready" } else { "not_ready" },
            "checks": {
                "database": {"status": word(database), "latencyMs": database_ms, "backend": app.db.backend_name()},
                "storage": {"status": word(storage), "latencyMs": storage_ms},
            },
            "timestamp": rfc3339_from_ms(crate::clock::now_ms()),
        })),
    )
}
