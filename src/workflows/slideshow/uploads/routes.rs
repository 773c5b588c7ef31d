//! `POST /api/video/images` (and `POST /api/v1/uploads`): up to three images as
//! `multipart/form-data`, 2 MB each and 6 MB in all. Every file is checked first — any
//! refusal stores nothing — then cleaned and stored; each caller may upload 10 images an hour
//! and 50 a day (429 with `Retry-After`). The answer lists each image's id for a job's
//! `image_ids`.

use std::time::Duration;

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::store::UploadRow;
use crate::clock::now_ms;
use crate::db::rate_limits::RateDecision;
use crate::domain::slide_image::{self, CheckedImage, MAX_IMAGES, MAX_UPLOAD_BYTES};
use crate::domain::sliding_window::SlidingWindow;
use crate::domain::timestamp::rfc3339_from_ms;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::ObjectKey;
use crate::workflows::jobs::keys::caller::JobsCaller;
use crate::workflows::slideshow::options::UPLOAD_ID_PREFIX;

/// How long an upload lives unless a job uses it.
pub const UPLOAD_TTL_MS: i64 = 24 * 3600 * 1000;
/// Seed 004's per-user limits.
const PER_HOUR: u32 = 10;
const PER_DAY: u32 = 50;
/// The workflow segment of stored uploads.
pub const WORKFLOW: &str = "slideshow";

fn refused(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable {
        code,
        field: "images",
        message: message.into(),
    }
}

/// A `multipart/form-data` body whose rejections are the API's own JSON errors.
pub struct UploadForm(Multipart);

impl<S: Send + Sync> axum::extract::FromRequest<S> for UploadForm {
    type Rejection = ApiError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Multipart::from_request(request, state)
            .await
            .map(Self)
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
                _ => ApiError::BadRequest {
                    code: "invalid_multipart",
                    message: "Send the images as multipart/form-data files named `images`.".into(),
                },
            })
    }
}

/// Reads every file part, checking counts and sizes as they arrive.
async fn read_files(mut multipart: Multipart) -> ApiResult<Vec<Vec<u8>>> {
    let mut files = Vec::new();
    let mut total = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => {
                return Err(ApiError::BadRequest {
                    code: "invalid_multipart",
                    message: format!("The upload is not valid multipart/form-data: {error}"),
                });
            }
        };
        if field.file_name().is_none() && field.name() != Some("images") {
            continue;
        }
        if files.len() == MAX_IMAGES {
            return Err(refused(
                "too_many_images",
                format!("Upload at most {MAX_IMAGES} images at once."),
            ));
        }
        let bytes = field.bytes().await.map_err(|_| ApiError::PayloadTooLarge)?;
        total += bytes.len();
        if total > MAX_UPLOAD_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        files.push(bytes.to_vec());
    }
    if files.is_empty() {
        return Err(refused(
            "images_required",
            "Send one to three images as multipart/form-data files named `images`.",
        ));
    }
    Ok(files)
}

/// Charges `count` uploads to the caller's hourly and daily allowances.
async fn charge(app: &AppState, subject: &str, count: usize) -> ApiResult<()> {
    for (bucket, limit, window_ms) in [
        ("upload_hour", PER_HOUR, 3_600_000),
        ("upload_day", PER_DAY, 86_400_000),
    ] {
        let window = SlidingWindow { limit, window_ms };
        for _ in 0..count {
            if let RateDecision::Limited { retry_after } = app
                .db
                .hit_rate_limit(bucket, subject, window, now_ms())
                .await?
            {
                return Err(ApiError::RateLimited {
                    retry_after: retry_after.max(Duration::from_secs(1)),
                });
            }
        }
    }
    Ok(())
}

/// `POST /api/video/images`.
#[utoipa::path(
    post,
    path = "/api/video/images",
    request_body(content = crate::openapi::job_requests::UploadImagesBody, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored: `{images: [{id, width, height, size_bytes, content_type, expires_at}]}`", body = Object),
        (status = 400, description = "`invalid_multipart`", body = crate::openapi::error_body::ErrorBody),
        (status = 401, description = "`invalid_api_key`", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 413, description = "Over 6 MB in all", body = crate::openapi::error_body::ErrorBody),
        (status = 415, description = "Not sent as `multipart/form-data`", body = crate::openapi::error_body::ErrorBody),
        (status = 422, description = "`images_required`, `too_many_images`, `invalid_image_format`, `image_too_large`, `image_too_small`, `image_dimensions_too_large`, `image_corrupt` (nothing is stored)", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests`: 10 images an hour or 50 a day per caller", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "seeds"
)]
pub async fn upload(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    UploadForm(multipart): UploadForm,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let files = read_files(multipart).await?;
    let checked: Vec<CheckedImage> = files
        .into_iter()
        .map(slide_image::check)
        .collect::<Result<_, _>>()
        .map_err(|error| refused(error.code(), error.to_string()))?;
    let cleaned = tokio::task::spawn_blocking(move || {
        checked
            .iter()
            .map(CheckedImage::clean)
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|error| ApiError::Internal(anyhow::anyhow!("cleaning images panicked: {error}")))?
    .map_err(|error| match error {
        slide_image::SlideImageError::Encode(source) => ApiError::Internal(source.into()),
        refusal => refused(refusal.code(), refusal.to_string()),
    })?;
    let subject = if caller.is_anonymous() {
        format!("anonymous:{}", caller.key.id)
    } else {
        caller.key.id.clone()
    };
    charge(&app, &subject, cleaned.len()).await?;
    let now = now_ms();
    let mut stored: Vec<UploadRow> = Vec::with_capacity(cleaned.len());
    for image in cleaned {
        let id = format!("{UPLOAD_ID_PREFIX}{}", cuid2::create_id());
        let key = ObjectKey::new(WORKFLOW, &id, "image.jpg")
            .map_err(|error| ApiError::Internal(error.into()))?;
        let row = UploadRow {
            id,
            key_id: caller.key.id.clone(),
            object_key: key.to_string(),
            width: i32::try_from(image.width).unwrap_or(i32::MAX),
            height: i32::try_from(image.height).unwrap_or(i32::MAX),
            size_bytes: i64::try_from(image.jpeg.len()).unwrap_or(i64::MAX),
            created_at: now,
            expires_at: now + UPLOAD_TTL_MS,
            job_id: None,
        };
        let saved = async {
            app.store.put(&key, image.jpeg).await?;
            app.db.insert_upload(&row).await?;
            Ok::<(), ApiError>(())
        }
        .await;
        if let Err(error) = saved {
            // All or nothing: what this request stored goes again.
            let _ = app.store.delete(&key).await;
            for earlier in &stored {
                discard(&app, earlier).await;
            }
            return Err(error);
        }
        stored.push(row);
    }
    let images: Vec<Value> = stored
        .iter()
        .map(|row| {
            json!({
                "id": row.id,
                "width": row.width,
                "height": row.height,
                "size_bytes": row.size_bytes,
                "content_type": "image/jpeg",
                "expires_at": rfc3339_from_ms(row.expires_at),
            })
        })
        .collect();
    Ok((StatusCode::CREATED, Json(json!({ "images": images }))))
}

/// Deletes an upload's object and row (best effort; the expiry sweep retries).
async fn discard(app: &AppState, row: &UploadRow) {
    if let Ok(key) = ObjectKey::parse(&row.object_key) {
        let _ = app.store.delete(&key).await;
    }
    let _ = app.db.delete_expired_upload(&row.id, i64::MAX).await;
}
