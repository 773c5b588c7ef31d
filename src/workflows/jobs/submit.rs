//! Turning a checked request into a stored job: the webhook URL checked like the downloader
//! checks a host, the idempotency key, the key's daily quota, the row and its first engine
//! job written together — or the job a repeated key already made.

use rand::RngExt;

use super::kinds::{generate_job, queues};
use super::model::Dialect;
use super::request::{JobRequest, MAX_ID_CHARS};
use super::store::create::{Created, DAY_MS};
use super::store::rows::{JobRow, NewJobRecord};
use super::webhooks::target::check_webhook_url;

use crate::clock::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::workflows::jobs::keys::caller::Caller;
use crate::workflows::slideshow::kind::{queues as slideshow_queues, render_job};
use crate::workflows::slideshow::options as slideshow;

/// A job made (or found again) for a request.
#[derive(Debug)]
pub struct Submitted {
    pub row: JobRow,
    /// The idempotency key answered with the job it made before.
    pub replayed: bool,
}

/// A random (version 4) UUID, the id form seed 001's clients know.
pub fn new_job_id() -> String {
    let mut bytes: [u8; 16] = rand::rng().random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Checks an `Idempotency-Key` header value.
pub fn idempotency_key(raw: Option<&str>) -> ApiResult<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    let key = raw.trim();
    if key.is_empty()
        || key.len() > MAX_ID_CHARS
        || !key.bytes().all(|byte| byte.is_ascii_graphic())
    {
        return Err(ApiError::BadRequest {
            code: "invalid_idempotency_key",
            message: format!(
                "Idempotency-Key must be 1 to {MAX_ID_CHARS} visible ASCII characters."
            ),
        });
    }
    Ok(Some(key.to_owned()))
}

/// Creates the job `request` describes for `caller`.
pub async fn submit(
    app: &AppState,
    caller: &Caller,
    request: JobRequest,
    idempotency_key: Option<String>,
    dialect: Dialect,
) -> ApiResult<Submitted> {
    if let Some(url) = &request.webhook_url {
        if caller.is_anonymous() {
            return Err(ApiError::Unprocessable {
                code: "webhook_requires_key",
                field: "webhook_url",
                message: "Webhooks are signed with your API key's secret: send an API key.".into(),
            });
        }
        check_webhook_url(url, &app.config.jobs.jobs_webhook_allowed_hosts).map_err(|error| {
            ApiError::Unprocessable {
                code: error.code(),
                field: "webhook_url",
                message: error.to_string(),
            }
        })?;
    }
    let record = NewJobRecord {
        id: new_job_id(),
        key_id: caller.key.id.clone(),
        user_id: request.user_id.clone(),
        kind: request.kind.clone(),
        model: request.model.clone(),
        prompt: request.prompt.clone(),
        parameters: serde_json::Value::Object(request.parameters.clone()).to_string(),
        num_outputs: i32::try_from(request.num_outputs).unwrap_or(1),
        seed: request.seed,
        output_format: request.output_format.clone(),
        priority: request.priority,
        max_retries: i32::try_from(request.max_retries).unwrap_or(0),
        metadata: serde_json::Value::Object(request.metadata.clone()).to_string(),
        webhook_url: request.webhook_url.clone(),
        webhook_events: (!request.webhook_events.is_empty())
            .then(|| request.webhook_events.join(",")),
        dialect,
        idempotency_key,
        request_hash: request.digest(dialect.as_str()),
        created_at: now_ms(),
        claimed_uploads: request.image_ids.clone(),
    };
    let first = if record.kind == slideshow::KIND {
        render_job(&record.id, record.priority.engine_priority())
    } else {
        generate_job(
            &record.id,
            record.max_retries,
            record.priority.engine_priority(),
        )
    };
    let quota = caller.key.jobs_per_day.map(i64::from);
    match app.db.create_api_job(&record, &first, quota).await? {
        Created::New(row) => {
            app.wakers.wake(queues::PROVIDER);
            app.wakers.wake(slideshow_queues::RENDER);
            tracing::info!(job.id = %row.id, key.id = %row.key_id, "job created");
            Ok(Submitted {
                row: *row,
                replayed: false,
            })
        }
        Created::Replayed(row) => Ok(Submitted {
            row: *row,
            replayed: true,
        }),
        Created::KeyReused => Err(ApiError::Conflict {
            code: "idempotency_key_reused",
            message: "This Idempotency-Key was used with a different request.".into(),
        }),
        Created::UploadUnavailable(id) => Err(ApiError::Unprocessable {
            code: "unknown_image_id",
            field: "image_ids",
            message: format!(
                "Image `{id}` is not one of your uploads, has expired, or is used by another job."
            ),
        }),
        Created::OverQuota => Err(ApiError::QuotaExceeded {
            retry_after: std::time::Duration::from_millis(
                u64::try_from(DAY_MS / 24).unwrap_or(3_600_000),
            ),
            limit: caller
                .key
                .jobs_per_day
                .and_then(|quota| u32::try_from(quota).ok())
                .unwrap_or(0),
        }),
    }
}
