//! Provider callbacks. `POST /api/webhook/{session_id}.{secret}` is the URL we give the
//! provider (the secret is compared in constant time); the spec's `POST /api/webhook` finds
//! the submission by task id. Either way the body is only a hint: it is recorded once per
//! status, shown on the waiting page if intermediate, and wakes `reconcile`, which asks the
//! provider's authenticated API what really happened.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Serialize;
use serde_json::Value;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use crate::clock::now_ms;
use crate::domain::ids::SessionId;
use crate::engine::Job;
use crate::error::{ApiError, ApiResult, code};
use crate::state::AppState;
use crate::workflows::song::kinds::{Reconcile, Send, queues};
use crate::workflows::song::store::events::WebhookTarget;

/// Most of a callback body kept for the audit trail.
const KEPT_BODY_BYTES: usize = 16 * 1024;

/// The acknowledgement the spec's handler returns.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAck {
    pub success: bool,
    pub message: String,
}

/// A callback for one submission, authenticated by its URL.
#[utoipa::path(
    post,
    path = "/api/webhook/{token}",
    params(("token" = String, Path, description = "`{session_id}.{secret}` from the webhook URL we registered")),
    request_body(content = crate::openapi::requests::AnyCallbackBody, description = "Only a hint: any body, or none"),
    responses(
        (status = 200, body = WebhookAck),
        (status = 404, description = "Unknown or wrong token", body = crate::openapi::error_body::ErrorBody),
        (status = 413, description = "Body larger than 256 KB", body = crate::openapi::error_body::ErrorBody),
        (status = 503, description = "The database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    tag = "webhooks"
)]
pub async fn submission_webhook(
    State(app): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> ApiResult<Json<WebhookAck>> {
    let (session, secret) = token
        .split_once('.')
        .ok_or(ApiError::not_found("Webhook"))?;
    let session = SessionId::parse(session).ok_or(ApiError::not_found("Webhook"))?;
    let target = app
        .db
        .webhook_target(session.as_str())
        .await?
        .ok_or(ApiError::not_found("Webhook"))?;
    if !bool::from(secret.as_bytes().ct_eq(target.webhook_token.as_bytes())) {
        return Err(ApiError::not_found("Webhook"));
    }
    record(&app, &target, &body).await
}

/// The spec's callback route: the task id in the body names the submission.
#[utoipa::path(
    post,
    path = "/api/webhook",
    request_body = crate::openapi::requests::TaskCallbackBody,
    responses(
        (status = 200, body = WebhookAck),
        (status = 400, description = "No task id (`field_required`), or one that cannot be a task id: not a string, longer than 256 bytes or holding control characters (`invalid_task_id`)", body = crate::openapi::error_body::ErrorBody),
        (status = 404, description = "No submission has this task id", body = crate::openapi::error_body::ErrorBody),
        (status = 413, description = "Body larger than 256 KB", body = crate::openapi::error_body::ErrorBody),
        (status = 503, description = "The database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    tag = "webhooks"
)]
pub async fn task_webhook(State(app): State<AppState>, body: Bytes) -> ApiResult<Json<WebhookAck>> {
    let parsed: Value = serde_json::from_slice(&body).map_err(|_| ApiError::BadRequest {
        code: code::INVALID_JSON,
        message: "The webhook body is not JSON.".into(),
    })?;
    let task_id = task_id_of(&parsed).map_err(TaskIdError::into_api_error)?;
    let target = app
        .db
        .webhook_target_by_task(task_id)
        .await?
        .ok_or(ApiError::not_found("Task"))?;
    record(&app, &target, &body).await
}

/// Longest task id looked up; the provider's are 36-character UUIDs.
const MAX_TASK_ID_BYTES: usize = 256;

/// Why a callback body names no task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaskIdError {
    /// No `task_id` (or `id`), or an empty or blank one.
    Missing,
    /// Not a string, too long, or holding control characters (PostgreSQL text cannot even
    /// hold a NUL): it cannot name a task, so it is refused before any query.
    Invalid,
}

impl TaskIdError {
    fn into_api_error(self) -> ApiError {
        match self {
            Self::Missing => ApiError::Validation {
                code: "field_required",
                field: "task_id",
                message: "task_id is required".into(),
            },
            Self::Invalid => ApiError::Validation {
                code: code::INVALID_TASK_ID,
                field: "task_id",
                message: format!(
                    "task_id must be a string of at most {MAX_TASK_ID_BYTES} bytes without control characters"
                ),
            },
        }
    }
}

/// The task id a callback body carries (`task_id`, or `id` in the provider's full shape).
fn task_id_of(body: &Value) -> Result<&str, TaskIdError> {
    let value = ["task_id", "id"]
        .iter()
        .find_map(|key| body.get(*key).filter(|value| !value.is_null()))
        .ok_or(TaskIdError::Missing)?;
    let id = value.as_str().ok_or(TaskIdError::Invalid)?;
    if id.trim().is_empty() {
        Err(TaskIdError::Missing)
    } else if id.len() > MAX_TASK_ID_BYTES || id.contains(char::is_control) {
        Err(TaskIdError::Invalid)
    } else {
        Ok(id)
    }
}

/// An uppercase status word, or `UNKNOWN` for anything else.
fn status_of(body: &Value) -> String {
    body.get("status")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|status| !status.is_empty() && status.len() <= 40)
        .filter(|status| {
            status
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .map_or_else(|| "UNKNOWN".to_owned(), str::to_ascii_uppercase)
}

async fn record(
    app: &AppState,
    target: &WebhookTarget,
    body: &[u8],
) -> ApiResult<Json<WebhookAck>> {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let task_id = match task_id_of(&parsed) {
        Ok(id) => Some(id),
        Err(TaskIdError::Missing) => None,
        Err(TaskIdError::Invalid) => {
            tracing::warn!(submission.id = %target.session_id, "webhook with an impossible task id ignored");
            return Ok(ack("Webhook ignored"));
        }
    };
    let status = status_of(&parsed);
    if let (Some(known), Some(claimed)) = (target.llm_task_id.as_deref(), task_id)
        && known != claimed
    {
        tracing::warn!(submission.id = %target.session_id, claimed, "webhook for another task ignored");
        return Ok(ack("Webhook ignored"));
    }
    let first = app
        .db
        .record_provider_event(
            &target.session_id,
            task_id,
            &status,
            &kept_body(body),
            now_ms(),
        )
        .await?;
    tracing::info!(submission.id = %target.session_id, %status, duplicate = !first, "provider webhook");
    app.metrics.observe_webhook(&status, first);
    if !matches!(status.as_str(), "SUCCESS" | "FAILURE" | "UNKNOWN") {
        app.db
            .set_provider_status(&target.session_id, &status)
            .await?;
    }
    if app.db.wake_job(Reconcile::KIND, &target.session_id).await? {
        app.wakers.wake(queues::PROVIDER);
    }
    if target.llm_task_id.is_none()
        && task_id.is_some()
        && app.db.wake_job(Send::KIND, &target.session_id).await?
    {
        app.wakers.wake(queues::DISPATCH);
    }
    Ok(ack("Webhook processed"))
}

/// The start of a callback body as text for the audit trail: invalid UTF-8 and NUL (which
/// PostgreSQL text cannot hold) become U+FFFD.
fn kept_body(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(KEPT_BODY_BYTES)]).replace('\0', "\u{FFFD}")
}

fn ack(message: &str) -> Json<WebhookAck> {
    Json(WebhookAck {
        success: true,
        message: message.into(),
    })
}
