//! `GET /api/v1/me`: the calling key as the service sees it (id, name, role, limits, when it
//! was last used) — the first call a client makes to check its key.

use axum::Json;
use serde::Serialize;

use super::keys::caller::Caller;

/// The calling key, never its secret.
#[derive(Debug, Serialize)]
pub struct KeyInfo {
    pub id: String,
    pub name: String,
    pub admin: bool,
    pub requests_per_minute: i32,
    pub jobs_per_day: Option<i32>,
    pub created_at: i64,
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    responses(
        (status = 200, description = "The calling key (never its secret)", body = Object),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 429, description = "`too_many_requests`: over the key's per-minute rate (keyless callers: per address)", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "jobs"
)]
pub async fn who_am_i(caller: Caller) -> Json<KeyInfo> {
    let key = caller.key;
    Json(KeyInfo {
        admin: key.admin(),
        id: key.id,
        name: key.name,
        requests_per_minute: key.requests_per_minute,
        jobs_per_day: key.jobs_per_day,
        created_at: key.created_at,
    })
}
