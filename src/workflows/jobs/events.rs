//! `GET /api/v1/jobs/{id}/events`: the job's status as Server-Sent Events. An event `status`
//! with the job's view each time it changes (the first at once), then `done` when it ends;
//! the stream closes after the end or after a while (the client reconnects), with comments
//! to keep proxies from closing it meanwhile. It reads the database, so it follows a job
//! whichever process runs it.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};

use super::lookup::find_job;
use super::view::job_view;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::workflows::jobs::keys::caller::JobsCaller;

/// How long one stream lasts before the client must reconnect.
const STREAM_FOR: Duration = Duration::from_secs(600);

struct Follow {
    app: AppState,
    id: String,
    last: Option<(String, String, i32, i64)>,
    ended: bool,
    finished: bool,
    deadline: tokio::time::Instant,
}

/// `GET /api/v1/jobs/{id}/events`.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}/events",
    params(("id" = String, Path, description = "The job's id (seed 003: its number)")),
    responses(
        (status = 200, description = "Server-Sent Events: `status` (the job's JSON) on every change, then `done`", content_type = "text/event-stream", body = Object),
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
pub async fn events(
    JobsCaller(caller): JobsCaller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let row = find_job(&app, &caller, &id).await?;
    let step = (app.config.jobs.poll_interval() / 2)
        .clamp(Duration::from_millis(50), Duration::from_millis(500));
    let follow = Follow {
        app,
        id: row.id,
        last: None,
        ended: false,
        finished: false,
        deadline: tokio::time::Instant::now() + STREAM_FOR,
    };
    let stream = stream::unfold(follow, move |mut follow| async move {
        if follow.finished {
            return None;
        }
        if follow.ended {
            follow.finished = true;
            return Some((Ok(Event::default().event("done").data("{}")), follow));
        }
        loop {
            if tokio::time::Instant::now() >= follow.deadline {
                return None;
            }
            let row = match follow.app.db.api_job(&follow.id).await {
                Ok(Some(row)) => row,
                Ok(None) => return None,
                Err(error) => {
                    tracing::warn!(error = ?error, "reading a job for its event stream failed");
                    tokio::time::sleep(step).await;
                    continue;
                }
            };
            let seen = (
                row.status.clone(),
                row.stage.clone(),
                row.progress,
                row.updated_at,
            );
            if follow.last.as_ref() != Some(&seen) {
                follow.last = Some(seen);
                follow.ended = row.status().is_terminal();
                let data = match job_view(&follow.app, &row).await {
                    Ok(view) => view.to_string(),
                    Err(error) => {
                        tracing::warn!(error = ?error, "rendering a job for its event stream failed");
                        tokio::time::sleep(step).await;
                        continue;
                    }
                };
                let event = Event::default()
                    .event("status")
                    .id(row.updated_at.to_string())
                    .data(data);
                return Some((Ok(event), follow));
            }
            tokio::time::sleep(step).await;
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
