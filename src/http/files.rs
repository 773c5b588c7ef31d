//! Serving one stored object over HTTP, for any workflow's file route: from its local file
//! when the store keeps one (content type, `Range` and conditional requests), otherwise from
//! its bytes. A missing object is the API's 404.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::error::ApiError;
use crate::storage::{ObjectKey, Store};

/// Stored objects never change under a key, so clients may cache them for a day.
const CACHE_CONTROL: &str = "public, max-age=86400";

/// The response for `GET` of one stored object.
pub async fn serve_stored(store: &dyn Store, key: &ObjectKey, request: Request) -> Response {
    let response = match store.local_path(key) {
        Some(path) => match ServeFile::new(path).oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(error) => match error {},
        },
        None => match store.read(key).await {
            Ok(Some(bytes)) => {
                ([(header::CONTENT_TYPE, content_type(key.name()))], bytes).into_response()
            }
            Ok(None) => return ApiError::not_found("File").into_response(),
            Err(error) => return ApiError::from(error).into_response(),
        },
    };
    if response.status() == StatusCode::NOT_FOUND {
        return ApiError::not_found("File").into_response();
    }
    let mut response = response;
    if response.status().is_success() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
    }
    response
}

/// The content type of a stored name, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
