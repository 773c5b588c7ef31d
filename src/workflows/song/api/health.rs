//! Health endpoints: `/livez` (the process answers), `/readyz` (database reachable, migrations
//! applied, not draining) and the spec's detailed `/api/health` (database, storage, workers).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::now_ms;
use crate::domain::timestamp::rfc3339_from_ms;
use crate::engine::worker::LIVENESS_WINDOW;
use crate::state::AppState;

/// How long a dependency check may take before it counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The detailed health report.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthReport {
    /// `healthy`, `degraded` (serving, but the provider refuses our account so songs wait) or
    /// `unhealthy`.
    pub status: &'static str,
    pub timestamp: String,
    /// `connected` or `disconnected`.
    pub database: &'static str,
    /// `sqlite` or `postgres`.
    pub database_backend: &'static str,
    /// `writable` or `unwritable`.
    pub storage: &'static str,
    /// Worker processes with a heartbeat in the last 30 seconds.
    pub workers: i64,
    /// `available`, or `paused` while the provider refuses our account (401/403) and
    /// dispatch waits for a probe to succeed.
    pub provider: &'static str,
    /// Why the provider is paused (a stable code and the provider's message), when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_reason: Option<String>,
}

/// A short status body for the probes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProbeStatus {
    pub status: &'static str,
}

/// Detailed health for load balancers and monitoring (503 when unhealthy).
#[utoipa::path(
    get,
    path = "/api/health",
    responses(
        (status = 200, description = "Healthy, or degraded (songs wait for the provider)", body = HealthReport),
        (status = 503, description = "A dependency is failing or no worker is alive", body = HealthReport),
    ),
    tag = "operations"
)]
pub async fn health(State(app): State<AppState>) -> (StatusCode, Json<HealthReport>) {
    let database_ok = matches!(
        tokio::time::timeout(CHECK_TIMEOUT, app.db.ping()).await,
        Ok(Ok(()))
    );
    let storage_ok = matches!(
        tokio::time::timeout(CHECK_TIMEOUT, app.store.check_writable()).await,
        Ok(Ok(()))
    );
    let since = now_ms() - i64::try_from(LIVENESS_WINDOW.as_millis()).unwrap_or(i64::MAX);
    let workers = match tokio::time::timeout(CHECK_TIMEOUT, app.db.live_workers(since)).await {
        Ok(Ok(count)) => count,
        _ => 0,
    };
    app.metrics.live_workers.set(workers);
    let pause = match tokio::time::timeout(CHECK_TIMEOUT, app.db.provider_pause()).await {
        Ok(Ok(pause)) => pause,
        _ => None,
    };
    let healthy = database_ok && storage_ok && workers > 0;
    let report = HealthReport {
        status: match (healthy, &pause) {
            (false, _) => "unhealthy",
            (true, Some(_)) => "degraded",
            (true, None) => "healthy",
        },
        timestamp: rfc3339_from_ms(now_ms()),
        database: if database_ok {
            "connected"
        } else {
            "disconnected"
        },
        database_backend: app.db.backend_name(),
        storage: if storage_ok { "writable" } else { "unwritable" },
        workers,
        provider: if pause.is_some() {
            "paused"
        } else {
            "available"
        },
        provider_reason: pause.map(|pause| format!("{}: {}", pause.reason, pause.detail)),
    };
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(report))
}

/// Liveness: the process is serving requests.
#[utoipa::path(get, path = "/livez", responses((status = 200, body = ProbeStatus)), tag = "operations")]
pub async fn livez() -> Json<ProbeStatus> {
    Json(ProbeStatus { status: "alive" })
}

/// Readiness: the database answers, migrations are applied, and shutdown has not begun.
#[utoipa::path(
    get,
    path = "/readyz",
    responses((status = 200, body = ProbeStatus), (status = 503, body = ProbeStatus)),
    tag = "operations"
)]
pub async fn readyz(State(app): State<AppState>) -> (StatusCode, Json<ProbeStatus>) {
    if app.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(ProbeStatus { status: "draining" }),
        );
    }
    match tokio::time::timeout(CHECK_TIMEOUT, app.db.migrations_applied()).await {
        Ok(Ok(true)) => (StatusCode::OK, Json(ProbeStatus { status: "ready" })),
        Ok(Ok(false)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(ProbeStatus {
                status: "migrations_pending",
            }),
        ),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(ProbeStatus {
                status: "database_unavailable",
            }),
        ),
    }
}
