//! How the fake Replicate refuses: the Bearer token check, the scenario's faults (a status
//! with Replicate's body, a closed connection, a held request), and problem-details bodies
//! (`{"title", "detail", "status"}`).

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::scenario::Fault;
use super::server::DropConnection;
use super::state::Shared;

/// A pending fault's answer, else the token check's refusal.
pub async fn guard(
    shared: &Shared,
    connection: &DropConnection,
    headers: &HeaderMap,
    fault: Option<Fault>,
) -> Option<Response> {
    if let Some(fault) = fault {
        return Some(fault_response(shared, connection, fault).await);
    }
    refuse_bad_token(shared, headers)
}

/// Unless the request has `Authorization: Bearer <token>`: Replicate's 401.
pub fn refuse_bad_token(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if presented == Some(shared.api_token.as_str()) {
        return None;
    }
    shared.control.with(|inner| inner.stats.unauthorized += 1);
    Some(unauthenticated())
}

/// The answer a fault gives: a status with Replicate's body for it, or no answer at all (the
/// connection closed, or the request held until the fake stops).
pub async fn fault_response(
    shared: &Shared,
    connection: &DropConnection,
    fault: Fault,
) -> Response {
    let (status, retry_after) = match fault {
        Fault::Status {
            status,
            retry_after_seconds,
        } => (status, retry_after_seconds),
        Fault::AcceptThenDrop => {
            connection.now();
            return hang(shared).await;
        }
        Fault::AcceptThenHang => return hang(shared).await,
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match status {
        StatusCode::UNAUTHORIZED => unauthenticated(),
        StatusCode::TOO_MANY_REQUESTS => {
            let reset = retry_after.unwrap_or(30);
            let detail = format!("Request was throttled. Your rate limit resets in ~{reset}s.");
            (status, Json(json!({"detail": detail, "status": 429}))).into_response()
        }
        status => {
            let reason = status.canonical_reason().unwrap_or("Error");
            problem(status, reason, "Forced by the fake Replicate scenario")
        }
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Holds the request until the fake stops (a dropped connection never gets this far).
async fn hang(shared: &Shared) -> Response {
    shared.shutdown.cancelled().await;
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service Unavailable",
        "stopping",
    )
}

/// A problem-details body: `{"title", "detail", "status"}`.
pub fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({"title": title, "detail": detail, "status": status.as_u16()});
    (status, Json(body)).into_response()
}

fn unauthenticated() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "Unauthenticated",
        "You did not pass a valid authentication token",
    )
}

/// `404` for an unknown prediction or route.
pub fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Not found",
        "The requested resource could not be found.",
    )
}
