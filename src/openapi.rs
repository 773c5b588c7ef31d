//! The OpenAPI document, assembled from the handlers' annotations so it cannot drift from the
//! routes; served at `/openapi.json` and printed by `serenade openapi`.

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::http::api;

/// Every error body: `{"success": false, "error": "<code>", "message": "…"}`, plus `field`
/// on validation errors, `attempts_used`/`max_attempts` on the cookie quota and
/// `retry_after_seconds` on per-IP limits.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub success: bool,
    /// Stable error code, e.g. `invalid_name`, `image_too_small`, `rate_limit_exceeded`.
    pub error: String,
    /// Human-readable explanation.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_used: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Serenade",
        description = "Personalised AI love songs for pets, delivered as a spinning-record video."
    ),
    paths(
        api::submissions::create_submission,
        api::submissions::submission_status,
        api::results::submission_result,
        api::webhook::submission_webhook,
        api::webhook::task_webhook,
        api::health::health,
        api::health::livez,
        api::health::readyz,
        api::admin::queue_status,
        api::admin::metrics,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BasicAuth)
)]
struct ApiDoc;

struct BasicAuth;

impl Modify for BasicAuth {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
}

/// The service's OpenAPI document.
pub fn api_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
