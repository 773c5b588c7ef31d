//! The one error type of the HTTP edge: every rejection becomes a stable code, a human message
//! and the right status, as the spec's flat body `{"success":false,"error":…,"message":…}`.
//! Leaf errors are classified here, once; internal details are logged, never sent.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::db::DbError;
use crate::domain::photo::PhotoError;
use crate::domain::submission::ValidationError;
use crate::storage::StorageError;

/// Handler result with [`ApiError`] as the default error.
pub type ApiResult<T, E = ApiError> = Result<T, E>;

/// Stable error codes clients may branch on. Never rename one.
pub mod code {
    pub const INVALID_JSON: &str = "invalid_json";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    pub const RATE_LIMIT_EXCEEDED: &str = "rate_limit_exceeded";
    pub const TOO_MANY_REQUESTS: &str = "too_many_requests";
    pub const NOT_FOUND: &str = "not_found";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const REQUEST_TIMEOUT: &str = "request_timeout";
    pub const SERVICE_UNAVAILABLE: &str = "service_unavailable";
    pub const SERVER_ERROR: &str = "server_error";
    pub const SOLD_OUT: &str = "sold_out";
    /// `GET /api/results/{id}` of a song still pending or processing (400).
    pub const SONG_NOT_READY: &str = "song_not_ready";
    /// `GET /api/results/{id}` of a song whose generation failed (400).
    pub const SONG_FAILED: &str = "song_failed";
    /// A webhook `task_id` that cannot be one (400).
    pub const INVALID_TASK_ID: &str = "invalid_task_id";
    pub const SERVER_BUSY: &str = "server_busy";
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    pub const BAD_REQUEST: &str = "bad_request";
    /// A signed file link past its expiry (403).
    pub const LINK_EXPIRED: &str = "link_expired";
    /// A file link without a valid signature (403).
    pub const LINK_INVALID: &str = "link_invalid";
    /// No API key, or one that is unknown or revoked (401).
    pub const INVALID_API_KEY: &str = "invalid_api_key";
    /// A key's daily job quota is used up (429).
    pub const QUOTA_EXCEEDED: &str = "quota_exceeded";
}

/// Everything a handler can answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A request field broke a rule (400, with the field's name).
    #[error("{message}")]
    Validation {
        code: &'static str,
        field: &'static str,
        message: String,
    },
    /// The request as a whole is malformed (400).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// The path exists but not with this method (405; `Allow` lists the methods).
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request body too large")]
    PayloadTooLarge,
    /// The per-cookie submission quota is used up (429).
    #[error("submission quota used")]
    CookieQuotaExceeded {
        attempts_used: u32,
        max_attempts: u32,
    },
    /// The per-IP hourly budget is used up (429 + Retry-After).
    #[error("rate limited")]
    RateLimited { retry_after: Duration },
    #[error("unauthorized")]
    Unauthorized,
    /// An API route called without a valid key (401, `WWW-Authenticate: Bearer`).
    #[error("{message}")]
    InvalidApiKey { message: String },
    /// The caller is known or holds a link, but it grants nothing here (403).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The request conflicts with what exists (409): a reused idempotency key with another
    /// body, a cancel of a finished job.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Well-formed but unacceptable (422, with the field's name): the jobs API's validation,
    /// as the seeds' clients expect it.
    #[error("{message}")]
    Unprocessable {
        code: &'static str,
        field: &'static str,
        message: String,
    },
    /// A key's daily quota of jobs is used up (429 + Retry-After).
    #[error("quota exceeded")]
    QuotaExceeded { retry_after: Duration, limit: u32 },
    #[error("request timed out")]
    RequestTimeout,
    /// A dependency is down or the service is draining (503).
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// Too many submissions in flight in this process (503 + Retry-After).
    #[error("server busy")]
    Overloaded { retry_after: Duration },
    /// A bug or an unexpected failure: logged with its chain, answered generically.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn not_found(what: &'static str) -> Self {
        Self::NotFound { what }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation { .. } | Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::CookieQuotaExceeded { .. } | Self::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Unauthorized | Self::InvalidApiKey { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable { .. } | Self::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable error code of this rejection.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { code, .. }
            | Self::BadRequest { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unprocessable { code, .. }
            | Self::Unavailable { code, .. } => code,
            Self::QuotaExceeded { .. } => code::QUOTA_EXCEEDED,
            Self::UnsupportedMediaType => code::UNSUPPORTED_MEDIA_TYPE,
            Self::NotFound { .. } => code::NOT_FOUND,
            Self::MethodNotAllowed => code::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => code::PAYLOAD_TOO_LARGE,
            Self::CookieQuotaExceeded { .. } => code::RATE_LIMIT_EXCEEDED,
            Self::RateLimited { .. } => code::TOO_MANY_REQUESTS,
            Self::Unauthorized => code::UNAUTHORIZED,
            Self::InvalidApiKey { .. } => code::INVALID_API_KEY,
            Self::RequestTimeout => code::REQUEST_TIMEOUT,
            Self::Overloaded { .. } => code::SERVER_BUSY,
            Self::Internal(_) => code::SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        match self {
            Self::Validation { message, .. }
            | Self::BadRequest { message, .. }
            | Self::Forbidden { message, .. }
            | Self::InvalidApiKey { message }
            | Self::Conflict { message, .. }
            | Self::Unprocessable { message, .. }
            | Self::Unavailable { message, .. } => message.clone(),
            Self::QuotaExceeded { limit, .. } => {
                format!("This key's quota of {limit} jobs a day is used up.")
            }
            Self::UnsupportedMediaType => "Send the request body as application/json.".into(),
            Self::NotFound { what } => format!("{what} not found"),
            Self::MethodNotAllowed => "This address does not accept that method.".into(),
            Self::PayloadTooLarge => "The request is too large. Photos must be under 5 MB.".into(),
            Self::CookieQuotaExceeded { .. } => {
                "You have reached the maximum number of submissions. Please check back later."
                    .into()
            }
            Self::RateLimited { .. } => "Too many requests. Please wait and try again.".into(),
            Self::Unauthorized => "Authentication required.".into(),
            Self::RequestTimeout => "The request took too long.".into(),
            Self::Overloaded { .. } => {
                "We're making a lot of songs right now. Please try again in a few seconds.".into()
            }
            Self::Internal(_) => "Something went wrong. Please try again.".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(error) = &self {
            tracing::error!(error = ?error, "internal error");
        }
        let mut body = Map::new();
        body.insert("success".into(), Value::Bool(false));
        body.insert("error".into(), json!(self.code()));
        body.insert("message".into(), json!(self.message()));
        match &self {
            Self::Validation { field, .. } | Self::Unprocessable { field, .. } => {
                body.insert("field".into(), json!(field));
            }
            Self::CookieQuotaExceeded {
                attempts_used,
                max_attempts,
            } => {
                body.insert("attempts_used".into(), json!(attempts_used));
                body.insert("max_attempts".into(), json!(max_attempts));
            }
            Self::RateLimited { retry_after }
            | Self::Overloaded { retry_after }
            | Self::QuotaExceeded { retry_after, .. } => {
                body.insert("retry_after_seconds".into(), json!(retry_after.as_secs()));
            }
            _ => {}
        }
        let mut response = (self.status(), axum::Json(Value::Object(body))).into_response();
        let headers = response.headers_mut();
        match &self {
            Self::RateLimited { retry_after }
            | Self::Overloaded { retry_after }
            | Self::QuotaExceeded { retry_after, .. } => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after.as_secs().max(1)),
                );
            }
            Self::Unauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"serenade-admin\", charset=\"UTF-8\""),
                );
            }
            Self::InvalidApiKey { .. } => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"serenade-api\""),
                );
            }
            _ => {}
        }
        response
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        Self::Validation {
            code: error.code(),
            field: error.field(),
            message: error.to_string(),
        }
    }
}

impl From<PhotoError> for ApiError {
    fn from(error: PhotoError) -> Self {
        match error {
            PhotoError::Encode(source) => Self::Internal(anyhow::Error::new(source)),
            rejected => Self::Validation {
                code: rejected.code(),
                field: "photo",
                message: rejected.to_string(),
            },
        }
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(error = ?error, "database unavailable");
            return Self::Unavailable {
                code: code::SERVICE_UNAVAILABLE,
                message: "Service temporarily unavailable. Please try again shortly.".into(),
            };
        }
        Self::Internal(anyhow::Error::new(error))
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        Self::Internal(anyhow::Error::new(error))
    }
}
