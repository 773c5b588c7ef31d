//! `GET /api/v1/webhooks/secret`: the calling key's webhook signing secret (`whsec_…`, made
//! on first request), which its client verifies deliveries with. Keyless callers have none:
//! webhooks need a key.

use axum::Json;
use axum::extract::State;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::workflows::jobs::keys::caller::JobsCaller;

/// `GET /api/v1/webhooks/secret`: `{"key": "whsec_…"}`.
pub async fn secret(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
) -> ApiResult<Json<Value>> {
    if caller.is_anonymous() {
        return Err(ApiError::InvalidApiKey {
            message: "Webhooks are signed with your API key's secret: send an API key.".into(),
        });
    }
    let Some(secret) = app.db.api_key_webhook_secret(&caller.key.id).await? else {
        return Err(ApiError::not_found("API key"));
    };
    Ok(Json(json!({ "key": secret.expose_secret() })))
}
