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

use crate::clock::now_ms;
use crate::domain::submission::EntryStatus;
use crate::domain::timestamp::rfc3339_from_ms;
use crate::engine::worker::LIVENESS_WINDOW;
use crate::error::{ApiError, ApiResult};
use crate::metrics::{JobStateLabels, StatusLabels};
use crate::state::AppState;
use crate::workflows::song::store::pause::ProviderPause;

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

/// The spec's queue snapshot (`pending_submissions`, `processing_submissions`,
/// `active_celery_tasks`, `sonauto_credits`, `last_credits_check`), plus our own fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueStatus {
    pub pending_submissions: i64,
    pub processing_submissions: i64,
    pub succeeded_submissions: i64,
    pub failed_submissions: i64,
    /// The spec's name for pipeline jobs running now, across every worker (there is no Celery
    /// here; the same count as `active_tasks`).
    pub active_celery_tasks: i64,
    /// Pipeline jobs running now, across every worker.
    pub active_tasks: i64,
    /// Provider generations in flight (slots held) and the limit.
    pub provider_slots_in_use: i64,
    pub max_concurrent_requests: u32,
    /// `num_credits + num_credits_payg` at the last refresh (null before the first).
    pub sonauto_credits: Option<i64>,
    /// RFC 3339 UTC time of the last balance check (null before the first).
    pub last_credits_check: Option<String>,
    /// Worker processes with a recent heartbeat.
    pub live_workers: i64,
    /// Set while the provider refuses our account and dispatch waits for a probe.
    pub dispatch_paused: Option<DispatchPause>,
    /// Generation POSTs sent again after an unanswered one (each may have billed twice).
    pub possible_duplicate_posts: i64,
}

/// Why dispatch is paused.
#[derive(Debug, Serialize, ToSchema)]
pub struct DispatchPause {
    /// A stable code, e.g. `provider_unauthorized`.
    pub reason: String,
    /// The provider's message.
    pub detail: String,
    /// RFC 3339 UTC time the pause began.
    pub since: String,
}

impl From<ProviderPause> for DispatchPause {
    fn from(pause: ProviderPause) -> Self {
        Self {
            reason: pause.reason,
            detail: pause.detail,
            since: rfc3339_from_ms(pause.since),
        }
    }
}

/// Queue counts for operators.
#[utoipa::path(
    get,
    path = "/api/admin/queue-status",
    responses(
        (status = 200, body = QueueStatus),
        (status = 401, description = "Missing or wrong credentials", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"serenade-admin\"`"))),
        (status = 404, description = "Admin routes are off (`ADMIN_USER`/`ADMIN_PASSWORD` unset)", body = crate::openapi::error_body::ErrorBody),
        (status = 503, description = "The database is unreachable", body = crate::openapi::error_body::ErrorBody),
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
    let credits = app.db.credits().await?;
    let active_tasks = app
        .db
        .job_counts()
        .await?
        .iter()
        .filter(|(_, state, _)| state == "running")
        .map(|(_, _, count)| count)
        .sum();
    Ok(Json(QueueStatus {
        pending_submissions: counts.pending,
        processing_submissions: counts.processing,
        succeeded_submissions: counts.success,
        failed_submissions: counts.fail,
        active_celery_tasks: active_tasks,
        active_tasks,
        provider_slots_in_use: app.db.provider_slots_in_use().await?,
        max_concurrent_requests: app.config.provider.max_concurrent_requests,
        sonauto_credits: credits.map(|balance| balance.usable()),
        last_credits_check: credits.map(|balance| rfc3339_from_ms(balance.checked_at)),
        live_workers: app.db.live_workers(since).await?,
        dispatch_paused: app.db.provider_pause().await?.map(DispatchPause::from),
        possible_duplicate_posts: app.db.possible_duplicate_posts().await?,
    }))
}

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(
    get,
    path = "/metrics",
    responses(
        (status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text", body = String),
        (status = 401, description = "Missing or wrong credentials", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"serenade-admin\"`"))),
        (status = 404, description = "Admin routes are off (`ADMIN_USER`/`ADMIN_PASSWORD` unset)", body = crate::openapi::error_body::ErrorBody),
        (status = 503, description = "The database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security(("basic" = [])),
    tag = "operations"
)]
pub async fn metrics(State(app): State<AppState>, _auth: AdminAuth) -> ApiResult<Response> {
    let counts = app.db.submission_status_counts().await?;
    for (status, count) in [
        (EntryStatus::Pending.as_str(), counts.pending),
        (EntryStatus::Processing.as_str(), counts.processing),
        (EntryStatus::Success.as_str(), counts.success),
        (EntryStatus::Fail.as_str(), counts.fail),
    ] {
        app.metrics
            .submissions_by_status
            .get_or_create(&StatusLabels {
                status: status.into(),
            })
            .set(count);
    }
    for (kind, state, count) in app.db.job_counts().await? {
        app.metrics
            .jobs_by_state
            .get_or_create(&JobStateLabels { kind, state })
            .set(count);
    }
    let oldest = app.db.oldest_pending_created_at().await?;
    app.metrics
        .oldest_pending_seconds
        .set(oldest.map_or(0, |created| (now_ms() - created).max(0) / 1000));
    app.metrics
        .provider_slots_in_use
        .set(app.db.provider_slots_in_use().await?);
    if let Some(balance) = app.db.credits().await? {
        app.metrics.provider_credits.set(balance.usable());
    }
    app.metrics
        .provider_paused
        .set(i64::from(app.db.provider_pause().await?.is_some()));
    app.metrics
        .provider_possible_duplicates
        .set(app.db.possible_duplicate_posts().await?);
    crate::workflows::jobs::scrape::refresh(&app).await?;
    let mut response = app.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    Ok(response)
}
