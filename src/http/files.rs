//! `/storage/{area}/{file}`: stored photos, songs and videos, with their content types,
//! `Range` and conditional requests. Names that are not `{cuid2}{known suffix}` are 404
//! before any file access.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::{Area, FileName};

/// Stored files never change under a name, so clients may cache them for a day.
const CACHE_CONTROL: &str = "public, max-age=86400";

/// Serves one stored file.
pub async fn stored_file(
    State(app): State<AppState>,
    Path((area, file)): Path<(String, String)>,
    request: Request,
) -> Response {
    let Some(area) = Area::from_segment(&area) else {
        return ApiError::not_found("File").into_response();
    };
    let Some(name) = FileName::parse(area, &file) else {
        return ApiError::not_found("File").into_response();
    };
    let path = app.storage.path(area, &name);
    let response = match ServeFile::new(path).oneshot(request).await {
        Ok(response) => response,
        Err(error) => match error {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        return ApiError::not_found("File").into_response();
    }
    let mut response = response.map(axum::body::Body::new);
    if response.status().is_success() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
    }
    response
}
