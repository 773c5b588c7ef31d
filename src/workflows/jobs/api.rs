//! The canonical routes of `/api/v1/jobs`: create (with `Idempotency-Key` and
//! `Prefer: wait=N`), read, list (filters and a cursor), cancel, and a live status stream.
//! Seed 002's client shares the create, list and delete paths; its bodies are recognised by
//! their camelCase fields and answered in its shape (`compat::seed002`).

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::cancel::cancel_job;
use super::compat::{self, seed002};
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

pub fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
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
pub async fn read(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = find_job(&app, &caller, &id).await?;
    Ok(Json(compat::render(&app, &row).await?))
}

/// The list's query: canonical (`status`, `user_id`, `limit`, `cursor`) and seed 002's
/// (`userId`, `skip`, `take`).
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    user_id: Option<String>,
    #[serde(rename = "userId")]
    user_id_camel: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
    skip: Option<i64>,
    take: Option<i64>,
}

/// `GET /api/v1/jobs`.
pub async fn list(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    require_key(&caller, "Listing jobs")?;
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
pub async fn delete(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = find_job(&app, &caller, &id).await?;
    let row = cancel_job(&app, &row).await?;
    Ok(Json(compat::render(&app, &row).await?))
}
