//! The canonical routes of `/api/v1/jobs`: create (with `Idempotency-Key` and
//! `Prefer: wait=N`), read, list (filters and a cursor), cancel, and a live status stream.
//! Seed 002's client shares the create, list and delete paths; its bodies are recognised by
//! their camelCase fields and answered in its shape (`compat::seed002`).

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::cancel::cancel_job;
use super::compat::{self, seed002};
use super::headers::header_text;
use super::lookup::find_job;
use super::model::Dialect;
use super::request::JobRequest;
use super::store::read::JobFilter;
use super::store::rows::JobRow;
use super::submit::{Submitted, idempotency_key, submit};
use super::view::job_view;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::workflows::jobs::keys::caller::{Caller, JobsCaller};

/// The longest `Prefer: wait` honoured (Replicate's own limit).
pub const MAX_WAIT_SECONDS: u64 = 60;
/// Most jobs in one page.
pub const MAX_PAGE: i64 = 100;
const DEFAULT_PAGE: i64 = 20;

/// `POST /api/v1/jobs`.
#[utoipa::path(
    post,
    path = "/api/v1/jobs",
    request_body = crate::openapi::job_requests::JobCreateBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters: the same key and body answer with the first job"), ("Prefer" = Option<String>, Header, description = "`wait=N` (1–60): answer when the job ends or after N seconds")),
    responses(
        (status = 201, description = "Created: the job (seed 002 bodies: in its shape); with `Prefer: wait=N`, as it stands when it ended or N seconds passed", body = Object, headers(("Location" = String, description = "The job's URL"))),
        (status = 200, description = "The `Idempotency-Key` was used before with this body: the job it made (`Idempotent-Replayed: true`)", body = Object),
        (status = 400, description = "`invalid_json`: not a JSON object; `invalid_idempotency_key`", body = crate::openapi::error_body::ErrorBody),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 409, description = "`idempotency_key_reused`: the key was used with another body", body = crate::openapi::error_body::ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = crate::openapi::error_body::ErrorBody),
        (status = 415, description = "Body not sent as `application/json`", body = crate::openapi::error_body::ErrorBody),
        (status = 422, description = "A field broke a rule (`field` names it): `unknown_kind`, `unknown_model`, `invalid_num_outputs`, `prompt_too_long`, `parameters_too_large`, `webhook_url_private`, `unknown_field`, …", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests` (per-minute rate) or `quota_exceeded` (the key's jobs a day)", body = crate::openapi::error_body::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "jobs"
)]
pub async fn create(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    if seed002::is_seed002_body(&body) {
        return seed002::create(&app, &caller, &headers, &body).await;
    }
    let request = JobRequest::from_body(&body, &app.config.jobs)?;
    let key = idempotency_key(header_text(&headers, "idempotency-key"))?;
    let submitted = submit(&app, &caller, request, key, Dialect::Canonical).await?;
    let row = match prefer_wait(&headers) {
        Some(wait) if !submitted.replayed => wait_for_end(&app, &submitted.row, wait).await?,
        _ => submitted.row.clone(),
    };
    let view = job_view(&app, &row).await?;
    Ok(created_response(&submitted, view))
}

/// 201 with `Location` for a new job; 200 with `Idempotent-Replayed: true` for a repeat.
pub fn created_response(submitted: &Submitted, body: Value) -> Response {
    let status = if submitted.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/jobs/{}", submitted.row.id)) {
        headers.insert(header::LOCATION, location);
    }
    if submitted.replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// `Prefer: wait=N` (or bare `wait`: the longest), capped.
fn prefer_wait(headers: &HeaderMap) -> Option<Duration> {
    let prefer = header_text(headers, "prefer")?;
    prefer.split(',').map(str::trim).find_map(|preference| {
        let rest = preference.strip_prefix("wait")?;
        let seconds = match rest.trim_start().strip_prefix('=') {
            Some(value) => value.trim().parse::<u64>().ok()?,
            None if rest.is_empty() => MAX_WAIT_SECONDS,
            None => return None,
        };
        Some(Duration::from_secs(seconds.clamp(1, MAX_WAIT_SECONDS)))
    })
}

/// Polls the job until it ends or `wait` passes; the job as it then stands.
pub async fn wait_for_end(app: &AppState, row: &JobRow, wait: Duration) -> anyhow::Result<JobRow> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut current = row.clone();
    while !current.status().is_terminal() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(poll_step(app)).await;
        if let Some(fresh) = app.db.api_job(&row.id).await? {
            current = fresh;
        }
    }
    Ok(current)
}

fn poll_step(app: &AppState) -> Duration {
    (app.config.jobs.poll_interval() / 2)
        .clamp(Duration::from_millis(50), Duration::from_millis(500))
}

/// `GET /api/v1/jobs/{id}`, in the shape of the client that made the job.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}",
    params(("id" = String, Path, description = "The job's id (seed 003: its number)")),
    responses(
        (status = 200, description = "The job, in the shape of the client that made it (canonical, seed 001 details, seed 002)", body = Object),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 404, description = "No such job visible to this key", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests`: over the key's per-minute rate (keyless callers: per address)", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "jobs"
)]
pub async fn read(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = find_job(&app, &caller, &id).await?;
    Ok(Json(compat::render(&app, &row).await?))
}

/// The list's query: canonical (`status`, `user_id`, `limit`, `cursor`) and seed 002's
/// (`userId`, `skip`, `take`). Read by hand so a malformed number is the API's own 422.
#[derive(Debug, Default)]
pub struct ListQuery {
    status: Option<String>,
    user_id: Option<String>,
    user_id_camel: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
    skip: Option<i64>,
    take: Option<i64>,
}

impl ListQuery {
    fn parse(pairs: &HashMap<String, String>) -> ApiResult<Self> {
        let number = |field: &'static str| -> ApiResult<Option<i64>> {
            pairs
                .get(field)
                .map(|raw| {
                    raw.trim()
                        .parse::<i64>()
                        .map_err(|_| ApiError::Unprocessable {
                            code: "invalid_query",
                            field,
                            message: format!("`{field}` must be an integer."),
                        })
                })
                .transpose()
        };
        Ok(Self {
            status: pairs.get("status").cloned(),
            user_id: pairs.get("user_id").cloned(),
            user_id_camel: pairs.get("userId").cloned(),
            limit: number("limit")?,
            cursor: pairs.get("cursor").cloned(),
            skip: number("skip")?,
            take: number("take")?,
        })
    }
}

/// `GET /api/v1/jobs`.
#[utoipa::path(
    get,
    path = "/api/v1/jobs",
    params(("status" = Option<String>, Query, description = "queued, processing, succeeded, failed or canceled (seed words too: pending, completed, cancelled)"), ("user_id" = Option<String>, Query, description = "Only this user's jobs"), ("userId" = Option<String>, Query, description = "Seed 002's `user_id`"), ("limit" = Option<i64>, Query, description = "1–100 (default 20)"), ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"), ("skip" = Option<i64>, Query, description = "Seed 002: jobs to skip (0–100000)"), ("take" = Option<i64>, Query, description = "Seed 002: page size (1–100)")),
    responses(
        (status = 200, description = "A page, newest first: `{object, data, has_more, next_cursor}`; with seed 002's `userId`/`skip`/`take`, `{jobs, skip, take, count, hasMore}`", body = Object),
        (status = 400, description = "`invalid_cursor`", body = crate::openapi::error_body::ErrorBody),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 422, description = "`invalid_status`, `invalid_page_size`, `invalid_skip`, `invalid_query`", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests`: over the key's per-minute rate (keyless callers: per address)", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "jobs"
)]
pub async fn list(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Query(pairs): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    require_key(&caller, "Listing jobs")?;
    let query = ListQuery::parse(&pairs)?;
    let seed002_style =
        query.user_id_camel.is_some() || query.skip.is_some() || query.take.is_some();
    let limit = query.take.or(query.limit).unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::Unprocessable {
            code: "invalid_page_size",
            field: if query.take.is_some() {
                "take"
            } else {
                "limit"
            },
            message: format!("Pages hold 1 to {MAX_PAGE} jobs."),
        });
    }
    let skip = query.skip.unwrap_or(0);
    if !(0..=100_000).contains(&skip) {
        return Err(ApiError::Unprocessable {
            code: "invalid_skip",
            field: "skip",
            message: "`skip` must be 0 to 100000.".into(),
        });
    }
    let status = match query.status.as_deref() {
        None => None,
        Some(raw) => Some(
            compat::parse_status_filter(raw)
                .ok_or_else(|| ApiError::Unprocessable {
                    code: "invalid_status",
                    field: "status",
                    message: "status must be queued, processing, succeeded, failed or canceled."
                        .into(),
                })?
                .as_str()
                .to_owned(),
        ),
    };
    let before = match query.cursor.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(raw.parse::<i64>().map_err(|_| ApiError::BadRequest {
            code: "invalid_cursor",
            message: "The cursor is not one this API gave out.".into(),
        })?),
    };
    let filter = JobFilter {
        key_id: (!caller.is_admin()).then(|| caller.key.id.clone()),
        user_id: query.user_id.or(query.user_id_camel),
        status,
        before,
        skip,
        limit: limit + 1,
    };
    let mut rows = app.db.list_api_jobs(&filter).await?;
    let has_more = rows.len() > usize::try_from(limit).unwrap_or(0);
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    if seed002_style {
        return Ok(Json(seed002::list_json(&rows, skip, limit, has_more)));
    }
    let mut data = Vec::with_capacity(rows.len());
    for row in &rows {
        data.push(job_view(&app, row).await?);
    }
    let next_cursor = has_more
        .then(|| rows.last().map(|row| row.number.to_string()))
        .flatten();
    Ok(Json(json!({
        "object": "list",
        "data": data,
        "has_more": has_more,
        "next_cursor": next_cursor,
    })))
}

/// Refuses the keyless `anonymous` caller where a route would show other clients' work.
pub fn require_key(caller: &Caller, what: &str) -> ApiResult<()> {
    if caller.is_anonymous() {
        return Err(ApiError::InvalidApiKey {
            message: format!(
                "{what} needs an API key (create one with `serenade api-key create`)."
            ),
        });
    }
    Ok(())
}

/// `POST /api/v1/jobs/{id}/cancel`.
#[utoipa::path(
    post,
    path = "/api/v1/jobs/{id}/cancel",
    params(("id" = String, Path, description = "The job's id (seed 003: its number)")),
    responses(
        (status = 200, description = "Canceled (also at the provider)", body = Object),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 404, description = "No such job visible to this key", body = crate::openapi::error_body::ErrorBody),
        (status = 409, description = "`job_finished`: it already ended", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests`: over the key's per-minute rate (keyless callers: per address)", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "jobs"
)]
pub async fn cancel(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = find_job(&app, &caller, &id).await?;
    let row = cancel_job(&app, &row).await?;
    Ok(Json(job_view(&app, &row).await?))
}

/// `DELETE /api/v1/jobs/{id}`: cancels, answering in the shape of the job's client.
#[utoipa::path(
    delete,
    path = "/api/v1/jobs/{id}",
    params(("id" = String, Path, description = "The job's id (seed 003: its number)")),
    responses(
        (status = 200, description = "Canceled (seed 002's DELETE), in the job's own shape", body = Object),
        (status = 401, description = "`invalid_api_key`: a key was sent but is malformed, unknown or revoked (or none was sent and keyless access is off)", body = crate::openapi::error_body::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"serenade-api\"`"))),
        (status = 404, description = "No such job visible to this key", body = crate::openapi::error_body::ErrorBody),
        (status = 409, description = "`job_finished`: it already ended", body = crate::openapi::error_body::ErrorBody),
        (status = 429, description = "`too_many_requests`: over the key's per-minute rate (keyless callers: per address)", body = crate::openapi::error_body::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`service_unavailable`: the database is unreachable", body = crate::openapi::error_body::ErrorBody),
    ),
    security((), ("api_key" = []), ("bearer" = [])),
    tag = "jobs"
)]
pub async fn delete(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = find_job(&app, &caller, &id).await?;
    let row = cancel_job(&app, &row).await?;
    Ok(Json(compat::render(&app, &row).await?))
}
