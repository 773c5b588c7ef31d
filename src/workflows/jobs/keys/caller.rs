//! Who is calling the jobs API: the key in `X-API-Key` or `Authorization: Bearer`, looked up
//! by its hash and charged one request against its per-minute rate (shared by every process
//! through the database). A missing, malformed, unknown or revoked key is 401
//! `invalid_api_key`; a key over its rate is 429 with `Retry-After`.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::store::ApiKeyRecord;
use super::{hash_token, looks_like_key};
use crate::clock::now_ms;
use crate::db::rate_limits::RateDecision;
use crate::domain::sliding_window::SlidingWindow;
use crate::error::ApiError;
use crate::state::AppState;

/// The rate-limit bucket of API keys.
const RATE_BUCKET: &str = "api_key";
const MINUTE_MS: i64 = 60_000;

/// The authenticated caller of a jobs API route.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key: ApiKeyRecord,
}

impl Caller {
    /// Admin keys see every key's jobs.
    pub fn is_admin(&self) -> bool {
        self.key.admin()
    }
}

/// The key a request presents, if any.
fn presented_key(parts: &Parts) -> Option<&str> {
    if let Some(value) = parts.headers.get("x-api-key") {
        return value.to_str().ok().map(str::trim);
    }
    let authorization = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = authorization.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn refused(message: &str) -> ApiError {
    ApiError::InvalidApiKey {
        message: message.into(),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = presented_key(parts) else {
            return Err(refused(
                "Send your API key as X-API-Key or Authorization: Bearer (create one with \
                 `serenade api-key create`).",
            ));
        };
        if !looks_like_key(token) {
            return Err(refused("That is not a Serenade API key."));
        }
        let now = now_ms();
        let Some(key) = app.db.use_api_key(&hash_token(token), now).await? else {
            return Err(refused("This API key is unknown or has been revoked."));
        };
        let window = SlidingWindow {
            limit: u32::try_from(key.requests_per_minute).unwrap_or(0),
            window_ms: MINUTE_MS,
        };
        match app
            .db
            .hit_rate_limit(RATE_BUCKET, &key.id, window, now)
            .await?
        {
            RateDecision::Allowed => Ok(Self { key }),
            RateDecision::Limited { retry_after } => Err(ApiError::RateLimited { retry_after }),
        }
    }
}
