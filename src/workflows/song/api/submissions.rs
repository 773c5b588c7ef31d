//! `POST /api/submissions` and `GET /api/submissions/{id}/status`. A submission is accepted
//! only when its photo is durably on disk and its row (with the cookie's quota charge) is
//! committed; a rejected one leaves no file and no row.

use std::time::Instant;

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt;
use serde::Serialize;
use utoipa::ToSchema;

use super::rate_limit::{Budget, charge};
use crate::clock::now_ms;
use crate::domain::ids::{CookieId, SessionId};
use crate::domain::submission::{EntryStatus, SubmissionForm, SubmissionRequest};
use crate::domain::timestamp::rfc3339_from_ms;
use crate::error::{ApiError, ApiResult, code};
use crate::http::extract::{ApiJson, ClientIp, SessionPath};
use crate::state::{App, AppState};
use crate::storage::ObjectKey;
use crate::workflows::song::files::SongFile;
use crate::workflows::song::kinds::queues;
use crate::workflows::song::progress::Stage;
use crate::workflows::song::store::submissions::{InsertOutcome, NewSubmission};

/// Body of an accepted submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionCreated {
    pub success: bool,
    pub session_id: String,
    /// Present only when this request created the visitor's cookie id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookie_id: Option<String>,
    pub message: String,
}

/// Body of a status poll: the spec's three fields, then progress for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionStatus {
    pub session_id: String,
    pub status: EntryStatus,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub stage: Stage,
    /// The stage in words, for the waiting page.
    pub stage_label: &'static str,
    /// 1-based place in the queue while queued.
    pub queue_position: Option<u64>,
    /// Seconds until the video is likely ready, from recent throughput.
    pub eta_seconds: Option<u64>,
    /// The provider's last reported status (e.g. `GENERATING`).
    pub provider_status: Option<String>,
}

/// Accept a pet love-song request.
#[utoipa::path(
    post,
    path = "/api/submissions",
    request_body = crate::openapi::requests::SubmissionBody,
    responses(
        (status = 200, description = "Stored and queued", body = SubmissionCreated),
        (status = 400, description = "A field broke a rule (`field` names it), or the body is not a JSON object", body = crate::openapi::error_body::ErrorBody),
        (status = 413, description = "Body larger than the 7 MB limit", body = crate::openapi::error_body::ErrorBody),
        (status = 415, description = "Body not sent as `application/json`", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`rate_limit_exceeded`: this cookie id used its submissions (`attempts_used`, `max_attempts`); `too_many_requests`: the per-IP hourly limit (`Retry-After`)", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait (per-IP limit only)"))),
        (status = 503, description = "`server_busy`: too many submissions in flight (`Retry-After`); `sold_out`: no credits left for another song; `service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait (`server_busy` only)"))),
    ),
    tag = "submissions"
)]
pub async fn create_submission(
    State(app): State<AppState>,
    ClientIp(client): ClientIp,
    request: Request,
) -> ApiResult<Json<SubmissionCreated>> {
    let outcome = accept(&app, client, request).await;
    match &outcome {
        Ok(_) => {
            app.metrics.submissions_accepted.inc();
        }
        Err(error) => app.metrics.reject_submission(error.code()),
    }
    outcome.map(Json)
}

/// Admission and the per-IP charge come before the body is read, so a shed or rate-limited
/// client costs no upload; the photo decode holds its own permit (see `intake`).
async fn accept(
    app: &App,
    client: std::net::IpAddr,
    request: Request,
) -> ApiResult<SubmissionCreated> {
    let _admitted = app.submission_gate.admit()?;
    charge(app, Budget::Submissions, client).await?;
    let ApiJson(body) = ApiJson::<SubmissionRequest>::from_request(request, &()).await?;
    let form = SubmissionForm::parse(body)?;
    ensure_credits_remain(app).await?;
    let max_attempts = app.config.limits.form_submit_retry;
    if let Some(cookie) = &form.cookie_id {
        let used = app.db.cookie_quota_used(cookie.as_str()).await?;
        if used >= max_attempts {
            return Err(ApiError::CookieQuotaExceeded {
                attempts_used: used,
                max_attempts,
            });
        }
    }

    let photo = form.photo;
    let jpeg = app
        .submission_gate
        .run_bounded(move || photo.normalise())
        .await??;

    let session_id = SessionId::generate();
    let (cookie_id, cookie_is_new) = match form.cookie_id {
        Some(cookie) => (cookie, false),
        None => (CookieId::generate(), true),
    };
    let photo = SongFile::Photo
        .key(&session_id)
        .map_err(|error| ApiError::Internal(error.into()))?;
    app.store.put(&photo, jpeg).await?;

    let new = NewSubmission {
        session_id: session_id.clone(),
        cookie_id: cookie_id.as_str().to_owned(),
        owner_name: form.owner_name.into_inner(),
        pet_name: form.pet_name.into_inner(),
        pet_type: form.pet_type.to_owned(),
        music_vibe: form.music_vibe.to_owned(),
        photo_path: SongFile::Photo.public_path(&session_id),
        webhook_token: new_webhook_token(),
        created_at: now_ms(),
    };
    let inserted = app
        .db
        .insert_submission(&new, max_attempts, app.max_attempts())
        .await;
    match inserted {
        Ok(InsertOutcome::Accepted) => {
            tracing::info!(submission.id = %session_id, "submission {session_id} accepted");
            app.wakers.wake(queues::DISPATCH);
            Ok(SubmissionCreated {
                success: true,
                session_id: new.session_id.to_string(),
                cookie_id: cookie_is_new.then_some(new.cookie_id),
                message: "Submission received successfully".into(),
            })
        }
        Ok(InsertOutcome::QuotaExceeded { used }) => {
            discard_photo(app, &photo).await;
            Err(ApiError::CookieQuotaExceeded {
                attempts_used: used,
                max_attempts,
            })
        }
        Err(error) => {
            discard_photo(app, &photo).await;
            Err(error.into())
        }
    }
}

/// Closes intake ("sold out") when the queue already needs every credit left.
async fn ensure_credits_remain(app: &App) -> ApiResult<()> {
    let Some(balance) = app.db.credits().await? else {
        return Ok(());
    };
    let waiting = app.db.submissions_awaiting_generation().await?;
    let needed = (waiting + 1).saturating_mul(app.config.provider.song_credit_cost);
    if needed > balance.usable() {
        return Err(ApiError::Unavailable {
            code: code::SOLD_OUT,
            message:
                "Sorry, we're all sold out! Every song we can make today is already on its way."
                    .into(),
        });
    }
    Ok(())
}

/// Removes the photo of a submission that was not stored.
async fn discard_photo(app: &App, photo: &ObjectKey) {
    if let Err(error) = app.store.delete(photo).await {
        tracing::error!(error = ?error, file = %photo, "could not remove a rejected photo");
    }
}

/// 32 random bytes, base64url: the secret in this submission's webhook URL.
fn new_webhook_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Poll a submission's progress (not charged to the results budget; rows are cached for at
/// most a second while the submission is unfinished).
#[utoipa::path(
    get,
    path = "/api/submissions/{session_id}/status",
    params(("session_id" = String, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "Current status", body = SubmissionStatus),
        (status = 404, description = "No such submission", body = crate::openapi::error_body::ErrorBody),
        (status = 503, description = "The database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    tag = "submissions"
)]
pub async fn submission_status(
    State(app): State<AppState>,
    SessionPath(session_id): SessionPath,
) -> ApiResult<Json<SubmissionStatus>> {
    let read_at = Instant::now();
    let row = match app.status_cache.get(session_id.as_str(), read_at) {
        Some(row) => row,
        None => {
            let row = app
                .db
                .find_status(session_id.as_str())
                .await?
                .ok_or(ApiError::not_found("Session"))?;
            app.status_cache.insert(row.clone(), read_at);
            row
        }
    };
    let status = EntryStatus::from_column(&row.entry_status);
    let stage = Stage::of(
        status,
        row.provider_status.as_deref(),
        row.received_from_llm.is_some(),
    );
    let (queue_position, eta_seconds) = if status.is_terminal() {
        (None, None)
    } else {
        let queue = app
            .progress
            .snapshot(&app.db, app.config.provider.max_concurrent_requests)
            .await?;
        let position = (stage == Stage::Queued).then(|| queue.position(row.created_at));
        let eta = queue.eta_seconds(
            stage,
            position.unwrap_or(0),
            row.sent_to_llm,
            row.received_from_llm,
            now_ms(),
        );
        (position, eta)
    };
    Ok(Json(SubmissionStatus {
        session_id: row.session_id,
        status,
        created_at: rfc3339_from_ms(row.created_at),
        stage,
        stage_label: stage.label(),
        queue_position,
        eta_seconds,
        provider_status: row.provider_status,
    }))
}
