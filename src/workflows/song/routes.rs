//! The song's routes: the spec's JSON API (submissions, status, webhooks, results, health,
//! admin, metrics) with its per-route body limits, and the public pages.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn;
use axum::routing::{get, post};

use super::{api, web};
use crate::http::middleware;
use crate::state::AppState;

/// Largest `POST /api/submissions` body: a 5 MB photo as base64 plus the other fields.
pub const SUBMISSION_BODY_LIMIT: usize = 7 * 1024 * 1024 + 64 * 1024;
/// Largest provider callback body.
pub const WEBHOOK_BODY_LIMIT: usize = 256 * 1024;

/// The song's routes, merged into the service's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/submissions",
            post(api::submissions::create_submission)
                .layer(DefaultBodyLimit::max(SUBMISSION_BODY_LIMIT))
                .layer(from_fn(|request, next| {
                    middleware::refuse_oversized_bodies(SUBMISSION_BODY_LIMIT, request, next)
                })),
        )
        .route(
            "/api/submissions/{session_id}/status",
            get(api::submissions::submission_status),
        )
        .route(
            "/api/webhook",
            post(api::webhook::task_webhook)
                .layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT))
                .layer(from_fn(|request, next| {
                    middleware::refuse_oversized_bodies(WEBHOOK_BODY_LIMIT, request, next)
                })),
        )
        .route(
            "/api/webhook/{token}",
            post(api::webhook::submission_webhook)
                .layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT))
                .layer(from_fn(|request, next| {
                    middleware::refuse_oversized_bodies(WEBHOOK_BODY_LIMIT, request, next)
                })),
        )
        .route(
            "/api/results/{session_id}",
            get(api::results::submission_result),
        )
        .route("/api/health", get(api::health::health))
        .route("/livez", get(api::health::livez))
        .route("/readyz", get(api::health::readyz))
        .route("/api/admin/queue-status", get(api::admin::queue_status))
        .route("/metrics", get(api::admin::metrics))
        .merge(web::router())
}
