//! `/storage/{area}/{file}`: a submission's photo, song, video, poster and preview image, at
//! the spec's paths whatever the store (on S3, a redirect to a fresh presigned URL). Names that are not `{cuid2}{known suffix}` of that
//! area are 404 before any file access.

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::http::files::serve_stored;
use crate::state::AppState;
use crate::workflows::song::files::Area;

/// Serves one stored file.
pub async fn stored_file(
    State(app): State<AppState>,
    Path((area, file)): Path<(String, String)>,
    request: Request,
) -> Response {
    let stored = Area::from_segment(&area).and_then(|area| area.file_of(&file));
    let Some(key) = stored.and_then(|(file, submission)| file.key(&submission).ok()) else {
        return ApiError::not_found("File").into_response();
    };
    serve_stored(&app, &key, request).await
}
