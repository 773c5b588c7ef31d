//! The HTTP surface: the route table, per-route body limits, and the layers every response
//! passes through (panic boundary, request timeout, security headers, metrics, tracing).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::error::ApiError;

pub mod api;
pub mod client_ip;
pub mod docs;
pub mod extract;
pub mod files;
pub mod middleware;
pub mod serve;
pub mod web;

/// Largest `POST /api/submissions` body: a 5 MB photo as base64 plus the other fields.
pub const SUBMISSION_BODY_LIMIT: usize = 7 * 1024 * 1024 + 64 * 1024;
/// Largest provider callback body.
pub const WEBHOOK_BODY_LIMIT: usize = 256 * 1024;
/// Largest body any other route reads.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Every route of the service.
pub fn router(app: AppState) -> Router {
    let request_timeout = app.config.http.request_timeout();
    let https_origin = app.config.http.public_base_url().starts_with("https://");
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
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::docs_page))
        .route("/docs/{asset}", get(docs::docs_asset))
        .route("/storage/{area}/{file}", get(files::stored_file))
        .merge(web::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(DEFAULT_BODY_LIMIT))
        .layer(from_fn(middleware::flat_errors))
        .layer(from_fn_with_state(app.clone(), middleware::observe))
        .layer(from_fn(move |request, next| {
            middleware::security_headers(https_origin, request, next)
        }))
        .layer(from_fn(move |request, next| {
            middleware::enforce_timeout(request_timeout, request, next)
        }))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}

async fn not_found() -> ApiError {
    ApiError::not_found("Page")
}
