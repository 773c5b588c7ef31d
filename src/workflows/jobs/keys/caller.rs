//! Who is calling the jobs API: the key in `X-API-Key` or `Authorization: Bearer`, looked up
//! by its hash and charged one request against its per-minute rate (shared by every process
//! through the database). A missing, malformed, unknown or revoked key is 401
//! `invalid_api_key`; a key over its rate is 429 with `Retry-After`.
//!
//! [`JobsCaller`] is the same, except that a request with no key at all acts as the built-in
//! `anonymous` key when `JOBS_ANONYMOUS_ACCESS` allows it (the seed 001 and 003 clients send
//! none), rated per client address.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::store::ApiKeyRecord;
use super::{ANONYMOUS_KEY_ID, hash_token, looks_like_key};
use crate::clock::now_ms;
use crate::db::rate_limits::RateDecision;
use crate::domain::sliding_window::SlidingWindow;
use crate::error::ApiError;
use crate::http::extract::ClientIp;
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

    /// The built-in key of keyless requests.
    pub fn is_anonymous(&self) -> bool {
        self.key.id == ANONYMOUS_KEY_ID
    }
}

/// A jobs route's caller: a key, or the `anonymous` key where keyless access is on.
#[derive(Debug, Clone)]
pub struct JobsCaller(pub Caller);

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

/// Charges one request to `subject`'s per-minute window of `key`'s rate.
async fn charge(app: &AppState, key: ApiKeyRecord, subject: &str) -> Result<Caller, ApiError> {
    let window = SlidingWindow {
        limit: u32::try_from(key.requests_per_minute).unwrap_or(0),
        window_ms: MINUTE_MS,
    };
    match app
        .db
        .hit_rate_limit(RATE_BUCKET, subject, window, now_ms())
        .await?
    {
        RateDecision::Allowed => Ok(Caller { key }),
        RateDecision::Limited { retry_after } => Err(ApiError::RateLimited { retry_after }),
    }
}

/// The caller behind a presented token.
async fn keyed_caller(app: &AppState, token: &str) -> Result<Caller, ApiError> {
    if !looks_like_key(token) {
        return Err(refused("That is not a Serenade API key."));
    }
    let Some(key) = app.db.use_api_key(&hash_token(token), now_ms()).await? else {
        return Err(refused("This API key is unknown or has been revoked."));
    };
    let subject = key.id.clone();
    charge(app, key, &subject).await
}

const MISSING_KEY: &str = "Send your API key as X-API-Key or Authorization: Bearer (create one \
                           with `serenade api-key create`).";

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match presented_key(parts) {
            Some(token) => keyed_caller(app, token).await,
            None => Err(refused(MISSING_KEY)),
        }
    }
}

impl FromRequestParts<AppState> for JobsCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = presented_key(parts) {
            return Ok(Self(keyed_caller(app, token).await?));
        }
        if !app.config.jobs.jobs_anonymous_access {
            return Err(refused(MISSING_KEY));
        }
        let ClientIp(ip) = ClientIp::from_request_parts(parts, app).await?;
        let Some(key) = app.db.api_key(ANONYMOUS_KEY_ID).await? else {
            return Err(refused(MISSING_KEY));
        };
        if key.revoked_at.is_some() {
            return Err(refused(MISSING_KEY));
        }
        Ok(Self(
            charge(app, key, &format!("{ANONYMOUS_KEY_ID}:{ip}")).await?,
        ))
    }
}
