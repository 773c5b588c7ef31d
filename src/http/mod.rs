//! The HTTP surface: the route table, per-route body limits, and the layers every response
//! passes through (panic boundary, request timeout, security headers, metrics, tracing).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

pub mod client_ip;
pub mod docs;
pub mod extract;
pub mod files;
pub mod middleware;
pub mod serve;

/// Largest body any other route reads.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Every route of the service: the workflows' own and the shared ones (the API document,
/// signed file links), under the layers every response passes through.
pub fn router(app: AppState) -> Router {
    let request_timeout = app.config.http.request_timeout();
    let https_origin = app.config.http.public_base_url().starts_with("https://");
    Router::new()
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::docs_page))
        .route("/docs/{asset}", get(docs::docs_asset))
        .route("/files/{workflow}/{owner}/{name}", get(files::signed_file))
        .merge(crate::workflows::routes())
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
