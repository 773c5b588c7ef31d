//! The providers behind the jobs API: their health and circuit breaker (`health`, `store`,
//! `gate`), and seed 002's routes that show and probe them.

pub mod gate;
pub mod health;
pub mod store;

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use self::health::ProviderHealth;
use crate::clock::now_ms;
use crate::domain::timestamp::rfc3339_from_ms;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::provider::replicate::ReplicateError;
use crate::state::AppState;
use crate::workflows::jobs::keys::caller::JobsCaller;
use crate::workflows::jobs::runtime::REPLICATE;

/// The longest probe a client may ask for.
const MAX_PROBE_SECONDS: u64 = 60;

/// A prediction id no one has: asking for it shows whether the API answers and takes the
/// token, and costs nothing.
const PROBE_PREDICTION: &str = "serenade-health-probe";

/// Seed 002's provider entry.
fn provider_json(health: &ProviderHealth, demo: bool) -> Value {
    json!({
        "provider": health.provider,
        "status": health.status,
        "healthScore": health.health().gauge(),
        "consecutiveFailures": health.consecutive_failures,
        "totalSuccesses": health.total_successes,
        "totalFailures": health.total_failures,
        "avgResponseTimeMs": health.avg_response_ms.map(f64::round),
        "lastError": health.last_error,
        "lastCheckedAt": health.last_checked_at.map(rfc3339_from_ms),
        "circuitOpen": health.is_open(now_ms()),
        "circuitOpenUntil": health.open_until.filter(|until| *until > now_ms()).map(rfc3339_from_ms),
        "costPerRequest": health.cost_per_request,
        "demo": demo,
    })
}

/// `GET /api/v1/providers/status`.
#[utoipa::path(
    get,
    path = "/api/v1/providers/status",
    responses(
        (status = 200, description = "Each provider's health (healthy, degraded, unhealthy), failures, mean latency and circuit", body = Object),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 429, description = "`too_many_requests`: over the key's per-minute rate (keyless callers: per address)", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "providers"
)]
pub async fn status(
    JobsCaller(_caller): JobsCaller,
    State(app): State<AppState>,
) -> ApiResult<Json<Value>> {
    let health = app.db.provider_health(REPLICATE).await?;
    Ok(Json(json!({
        "providers": [provider_json(&health, app.jobs.demo.is_some())],
    })))
}

#[derive(Debug, Deserialize)]
pub struct ProbeRequest {
    provider: String,
    timeout: Option<f64>,
}

/// `POST /api/v1/providers/test {provider, timeout}`: one cheap authenticated call, timed
/// and folded into the provider's health.
#[utoipa::path(
    post,
    path = "/api/v1/providers/test",
    request_body = crate::openapi::job_requests::ProviderTestBody,
    responses(
        (status = 200, description = "The probe's result, folded into the provider's health", body = Object),
        (status = 400, description = "`invalid_json`", body = crate::openapi::error_body::ErrorBody),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 404, description = "No such provider", body = crate::openapi::error_body::ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = crate::openapi::error_body::ErrorBody),
        (status = 415, description = "Body not sent as `application/json`", body = crate::openapi::error_body::ErrorBody),
        (status = 422, description = "`invalid_timeout`", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests`: over the key's per-minute rate (keyless callers: per address)", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "providers"
)]
pub async fn test(
    JobsCaller(_caller): JobsCaller,
    State(app): State<AppState>,
    ApiJson(probe): ApiJson<ProbeRequest>,
) -> ApiResult<Json<Value>> {
    if probe.provider != REPLICATE {
        return Err(ApiError::NotFound { what: "Provider" });
    }
    let seconds = probe.timeout.unwrap_or(30.0);
    if !(seconds.fract() == 0.0 && (1.0..=MAX_PROBE_SECONDS as f64).contains(&seconds)) {
        return Err(ApiError::Unprocessable {
            code: "invalid_timeout",
            field: "timeout",
            message: format!("timeout must be 1 to {MAX_PROBE_SECONDS} seconds."),
        });
    }
    let began = Instant::now();
    let answered = tokio::time::timeout(
        Duration::from_secs_f64(seconds),
        app.jobs.client.prediction(PROBE_PREDICTION),
    )
    .await;
    let elapsed = began.elapsed();
    let failure = match &answered {
        // The API answered and took the token: it is up.
        Ok(Ok(_)) | Ok(Err(ReplicateError::NotFound)) => None,
        Ok(Err(error)) => Some(format!("{}: {error}", error.code())),
        Err(_) => Some(format!("no answer within {seconds} s")),
    };
    let health = app
        .db
        .record_provider_outcome(
            REPLICATE,
            failure.as_deref(),
            elapsed,
            app.config.jobs.circuit_open_for(),
        )
        .await?;
    Ok(Json(json!({
        "provider": REPLICATE,
        "success": failure.is_none(),
        "responseTimeMs": elapsed.as_millis(),
        "message": failure.unwrap_or_else(|| "The provider answered.".into()),
        "health": provider_json(&health, app.jobs.demo.is_some()),
    })))
}
