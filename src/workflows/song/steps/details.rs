//! `fetch_details`: read the song's URL and lyrics from the generation the provider returned
//! (stored verbatim by `reconcile`; fetched again if that copy lacks them).

use serde::Deserialize;

use super::provider_backoff;
use crate::domain::ids::SessionId;
use crate::engine::{ClaimedJob, Outcome};
use crate::state::AppState;
use crate::workflows::song::kinds::{DownloadAudio, queues, step};

#[derive(Debug, Default, Deserialize)]
struct Details {
    #[serde(default)]
    song_paths: Option<Vec<String>>,
    #[serde(default)]
    lyrics: Option<String>,
}

pub async fn run(
    app: &AppState,
    job: &ClaimedJob,
    submission: &SessionId,
) -> anyhow::Result<Outcome> {
    let Some(row) = app.db.pipeline_row(submission.as_str()).await? else {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    };
    let stored: Details = row
        .llm_full_response
        .as_deref()
        .and_then(|raw| serde_json::from_str(raw).ok())
        .unwrap_or_default();
    let (song_paths, lyrics) = match stored.song_paths.filter(|paths| !paths.is_empty()) {
        Some(paths) => (paths, stored.lyrics),
        None => {
            let Some(task_id) = row.llm_task_id.as_deref() else {
                return Ok(Outcome::fail("fetch_details: no task id"));
            };
            match app.provider.generation(task_id).await {
                Ok(generation) => (generation.song_paths, generation.lyrics),
                Err(error) => {
                    // The song is made and paid for: a fault reading it back costs no attempt.
                    if error.is_account_refusal() {
                        crate::workflows::song::pause::pause_dispatch(app, &error).await?;
                    }
                    return Ok(provider_backoff(&error));
                }
            }
        }
    };
    let Some(song_url) = song_paths
        .into_iter()
        .find(|path| path.starts_with("https://") || path.starts_with("http://"))
    else {
        return Ok(Outcome::retry(
            "the provider's answer has no absolute song URL yet",
        ));
    };
    let next = step::<DownloadAudio>(submission, app.max_attempts(), 0);
    let applied = app
        .db
        .complete_details(
            job,
            submission.as_str(),
            &song_url,
            &without_nul(lyrics.as_deref()),
            next,
        )
        .await?;
    if applied {
        app.wakers.wake(queues::PROVIDER);
    }
    Ok(Outcome::committed(applied))
}

/// The provider's text without NUL characters (a JSON `\u0000` decodes to one, and
/// PostgreSQL text cannot hold it: storing it would fail a paid song).
fn without_nul(text: Option<&str>) -> String {
    text.unwrap_or_default().replace('\0', "")
}
