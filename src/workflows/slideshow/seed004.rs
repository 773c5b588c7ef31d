//! Seed 004's routes: `POST /api/video/generate {content, style, image_ids?}` → 202
//! `{job_id}`; `GET /api/video/status/{id}` → `{status: queued | processing | completed |
//! error, progress, stage, video_url}`; `GET /api/video/{id}` → the video's URL and its
//! captions'. Both URLs are signed for seven days (the seed's expiry). The job is an ordinary
//! `slideshow` job of the jobs API, made by the caller's key (or the keyless `anonymous`).

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::options::{KIND, MODEL};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::ObjectKey;
use crate::workflows::jobs::headers::header_text;
use crate::workflows::jobs::keys::caller::JobsCaller;
use crate::workflows::jobs::lookup::find_job;
use crate::workflows::jobs::model::{Dialect, JobStatus};
use crate::workflows::jobs::request::JobRequest;
use crate::workflows::jobs::seed_body::seed_object;
use crate::workflows::jobs::store::rows::JobRow;
use crate::workflows::jobs::submit::{idempotency_key, submit};

/// The seed's signed-URL lifetime.
pub const VIDEO_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
const FIELDS: [&str; 4] = ["content", "style", "image_ids", "burn_captions"];

/// `POST /api/video/generate`.
#[utoipa::path(
    post,
    path = "/api/video/generate",
    request_body = crate::openapi::job_requests::VideoGenerateBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters")),
    responses(
        (status = 202, description = "Queued: `{job_id, status: \"queued\"}`", body = Object),
        (status = 400, description = "`invalid_json`; `invalid_idempotency_key`", body = crate::openapi::error_body::ErrorBody),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody, headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 409, description = "`idempotency_key_reused`", body = crate::openapi::error_body::ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = crate::openapi::error_body::ErrorBody),
        (status = 415, description = "Body not sent as `application/json`", body = crate::openapi::error_body::ErrorBody),
        (status = 422, description = "`content_required`, `content_too_long`, `unsupported_style`, `unknown_image_id`, `duplicate_image_id`, `too_many_images`, `unknown_field`, …", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests` (per-minute rate) or `quota_exceeded`", body = crate::openapi::error_body::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "seeds"
)]
pub async fn generate(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    headers: HeaderMap,
    crate::http::extract::ApiJson(body): crate::http::extract::ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let object = seed_object(&body, &FIELDS)?;
    let mut parameters = Map::new();
    for field in ["style", "image_ids", "burn_captions"] {
        if let Some(value) = object.get(field) {
            parameters.insert(field.into(), value.clone());
        }
    }
    let mut canonical = Map::new();
    canonical.insert("kind".into(), json!(KIND));
    canonical.insert("model".into(), json!(MODEL));
    canonical.insert(
        "prompt".into(),
        object.get("content").cloned().unwrap_or(Value::Null),
    );
    canonical.insert("parameters".into(), Value::Object(parameters));
    let request = JobRequest::from_body(&Value::Object(canonical), &app.config.jobs)
        .map_err(content_named)?;
    let key = idempotency_key(header_text(&headers, "idempotency-key"))?;
    let submitted = submit(&app, &caller, request, key, Dialect::Seed004).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"job_id": submitted.row.id, "status": "queued"})),
    ))
}

/// The canonical checks name the text `prompt`; the seed calls it `content`.
fn content_named(error: ApiError) -> ApiError {
    match error {
        ApiError::Unprocessable {
            code,
            field: "prompt",
            message,
        } => ApiError::Unprocessable {
            code: match code {
                "prompt_required" => "content_required",
                "prompt_too_long" => "content_too_long",
                "invalid_prompt" => "invalid_content",
                other => other,
            },
            field: "content",
            message: message.replace("`prompt`", "`content`"),
        },
        other => other,
    }
}

fn status_word(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Queued => "queued",
        JobStatus::Processing => "processing",
        JobStatus::Succeeded => "completed",
        JobStatus::Failed | JobStatus::Canceled => "error",
    }
}

/// A stored output's URL signed for seven days.
async fn signed(app: &AppState, key: &str) -> anyhow::Result<Option<(String, i64)>> {
    let Ok(key) = ObjectKey::parse(key) else {
        return Ok(None);
    };
    let url = app.store.signed_url(&key, VIDEO_URL_TTL).await?;
    Ok(Some((
        url.absolute(&app.config.http.public_base_url()),
        url.expires_at,
    )))
}

/// The job as seed 004's status route shows it.
pub async fn status_json(app: &AppState, row: &JobRow) -> anyhow::Result<Value> {
    let outputs = app.db.api_job_outputs(&row.id).await?;
    let mut video = None;
    let mut captions = None;
    for output in &outputs {
        let Some(key) = output.object_key.as_deref() else {
            continue;
        };
        if key.ends_with(".mp4") {
            video = signed(app, key).await?;
        } else if key.ends_with(".vtt") {
            captions = signed(app, key).await?;
        }
    }
    Ok(json!({
        "job_id": row.id,
        "status": status_word(row.status()),
        "progress": row.progress,
        "stage": row.stage,
        "video_url": video.as_ref().map(|(url, _)| url),
        "video_url_expires_at": video.as_ref().map(|(_, at)| crate::domain::timestamp::rfc3339_from_ms(at.saturating_mul(1000))),
        "captions_url": captions.as_ref().map(|(url, _)| url),
        "error": row.error_message,
    }))
}

/// `GET /api/video/status/{id}`.
#[utoipa::path(
    get,
    path = "/api/video/status/{id}",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "`{status: queued|processing|completed|error, progress, stage, video_url, captions_url, error}`", body = Object),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody, headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 404, description = "No such video job visible to this key", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests` (per-minute rate) or `quota_exceeded`", body = crate::openapi::error_body::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
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
    let row = find_slideshow(&app, &caller, &id).await?;
    Ok(Json(status_json(&app, &row).await?))
}

/// `GET /api/video/{id}`.
#[utoipa::path(
    get,
    path = "/api/video/{id}",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The status with the content and parameters", body = Object),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody, headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 404, description = "No such video job visible to this key", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests` (per-minute rate) or `quota_exceeded`", body = crate::openapi::error_body::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "seeds"
)]
pub async fn video(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = find_slideshow(&app, &caller, &id).await?;
    let mut body = status_json(&app, &row).await?;
    if let Value::Object(map) = &mut body {
        map.insert("content".into(), json!(row.prompt));
        map.insert("parameters".into(), row.parameters());
    }
    Ok(Json(body))
}

async fn find_slideshow(
    app: &AppState,
    caller: &crate::workflows::jobs::keys::caller::Caller,
    id: &str,
) -> ApiResult<JobRow> {
    let row = find_job(app, caller, id).await?;
    if row.kind != KIND {
        return Err(ApiError::NotFound { what: "Video job" });
    }
    Ok(row)
}
