//! Operator routes behind HTTP Basic (compared in constant time): the spec's queue status and
//! the Prometheus metrics. Without `ADMIN_USER`/`ADMIN_PASSWORD` both answer 404.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::ExposeSecret;
use serde::Serialize;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::metrics::StatusLabels;
use crate::worker::LIVENESS_WINDOW;

/// Proof that the request carried the admin credentials.
#[derive(Debug)]
pub struct AdminAuth;

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some((user, password)) = app.config.admin.credentials() else {
            return Err(ApiError::not_found("Page"));
        };
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Basic "))
            .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
            .and_then(|decoded| String::from_utf8(decoded).ok());
        let Some(presented) = presented else {
            return Err(ApiError::Unauthorized);
        };
        let (given_user, given_password) = presented.split_once(':').unwrap_or((&presented, ""));
        let user_matches = given_user.as_bytes().ct_eq(user.as_bytes());
        let password_matches = given_password
            .as_bytes()
            .ct_eq(password.expose_secret().as_bytes());
        if bool::from(user_matches & password_matches) {
            Ok(Self)
        } else {
            Err(ApiError::Unauthorized)
        }
    }
}

/// The spec's queue snapshot.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueStatus {
    pub pending_submissions: i64,
    pub processing_submissions: i64,
    pub succeeded_submissions: i64,
    pub failed_submissions: i64,
    /// Worker processes with a recent heartbeat.
    pub live_workers: i64,
}

/// Queue counts for operators.
#[utoipa::path(
    get,
    path = "/api/admin/queue-status",
    responses(
        (status = 200, body = QueueStatus),
        (status = 401, description = "Missing or wrong credentials", body = crate::openapi::ErrorBody),
    ),
    security(("basic" = [])),
    tag = "operations"
)]
pub async fn queue_status(
    State(app): State<AppState>,
    _auth: AdminAuth,
) -> ApiResult<Json<QueueStatus>> {
    let counts = app.db.submission_status_counts().await?;
    let since = now_ms() - i64::try_from(LIVENESS_WINDOW.as_millis()).unwrap_or(i64::MAX);
    Ok(Json(QueueStatus {
        pending_submissions: counts.pending,
        processing_submissions: counts.processing,
        succeeded_submissions: counts.success,
        failed_submissions: counts.fail,
        live_workers: app.db.live_workers(since).await?,
    }))
}

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(
    get,
    path = "/metrics",
    responses((status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text")),
    security(("basic" = [])),
    tag = "operations"
)]
pub async fn metrics(State(app): State<AppState>, _auth: AdminAuth) -> ApiResult<Response> {
    let counts = app.db.submission_status_counts().await?;
    for (status, count) in [
        ("pending", counts.pending),
        ("processing", counts.processing),
        ("success", counts.success),
        ("fail", counts.fail),
    ] {
        app.metrics
            .submissions_by_status
            .get_or_create(&StatusLabels {
                status: status.into(),
            })
            .set(count);
    }
    let mut response = app.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    Ok(response)
}
