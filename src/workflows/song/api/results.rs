//! `GET /api/results/{id}`: the finished song for the result page, as the spec's prose has it:
//! an unknown id is 404, a finished song 200, and any other status 400 with `success: false`
//! and the true status (a pending song is told it is still being made, never that it failed;
//! a failed one gets the spec's message). A client that checks `response.ok` never tries to
//! play a video that does not exist.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::rate_limit::{Budget, charge};
use crate::domain::submission::EntryStatus;
use crate::domain::timestamp::rfc3339_from_ms;
use crate::error::{ApiError, ApiResult, code};
use crate::http::extract::{ClientIp, SessionPath};
use crate::state::AppState;

/// A submission's result, or why there is none yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionResult {
    pub success: bool,
    pub session_id: String,
    pub status: EntryStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lyrics: Option<String>,
    pub owner_name: String,
    pub pet_name: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why there is no song (400 only): `song_not_ready` while pending or processing,
    /// `song_failed` after a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
}

/// The result page's data.
#[utoipa::path(
    get,
    path = "/api/results/{session_id}",
    params(("session_id" = String, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "The finished song (status: success)", body = SubmissionResult),
        (status = 400, description = "No song: still pending or processing (`song_not_ready`) or failed (`song_failed`); `status` is the true status", body = SubmissionResult),
        (status = 404, description = "No such submission", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "Per-IP hourly limit hit", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit admits another request"))),
        (status = 503, description = "The database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    tag = "results"
)]
pub async fn submission_result(
    State(app): State<AppState>,
    SessionPath(session_id): SessionPath,
    ClientIp(client): ClientIp,
) -> ApiResult<(StatusCode, Json<SubmissionResult>)> {
    charge(&app, Budget::Results, client).await?;
    let row = app
        .db
        .find_submission(session_id.as_str())
        .await?
        .ok_or(ApiError::not_found("Session"))?;
    let status = EntryStatus::from_column(&row.entry_status);
    let mut result = SubmissionResult {
        success: status == EntryStatus::Success,
        session_id: row.session_id,
        status,
        video_url: None,
        lyrics: None,
        owner_name: row.owner_name,
        pet_name: row.pet_name,
        created_at: rfc3339_from_ms(row.created_at),
        message: None,
        error: None,
    };
    let http_status = match status {
        EntryStatus::Success => {
            result.video_url = row.generated_video_path;
            result.lyrics = row.lyrics;
            StatusCode::OK
        }
        EntryStatus::Fail => {
            result.message = Some("Video generation failed. Please try again.".into());
            result.error = Some(code::SONG_FAILED);
            StatusCode::BAD_REQUEST
        }
        EntryStatus::Pending | EntryStatus::Processing => {
            result.message = Some("Your song is still being made. Please check back soon.".into());
            result.error = Some(code::SONG_NOT_READY);
            StatusCode::BAD_REQUEST
        }
    };
    Ok((http_status, Json(result)))
}
