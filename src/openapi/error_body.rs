//! The one error body every route answers with, as the document describes it.

use serde::Serialize;
use utoipa::ToSchema;

/// Every error body: `{"success": false, "error": "<code>", "message": "…"}`, plus `field`
/// on validation errors, `attempts_used`/`max_attempts` on the cookie quota and
/// `retry_after_seconds` when the client should wait (per-IP limits, `server_busy`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    /// Stable error code, e.g. `invalid_name`, `image_too_small`, `rate_limit_exceeded`.
    pub error: String,
    /// Human-readable explanation.
    pub message: String,
    /// The request field at fault (validation errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_used: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}
