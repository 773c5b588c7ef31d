//! `download_audio`: fetch the song from the provider's CDN through the guarded downloader
//! (allow-listed hosts, no redirects, no private addresses, size and time caps, never the API
//! key) into the store as `song/{id}/song.{mp3|m4a}` (on the local store
//! `AUDIO_STORAGE/{id}.{mp3|m4a}`), staged and published only while the job is still this
//! worker's (see `engine::staging`).

use crate::clock::now_ms;
use crate::domain::ids::SessionId;
use crate::engine::millis;
use crate::engine::staging::Staging;
use crate::engine::{ClaimedJob, Outcome};
use crate::state::AppState;
use crate::workflows::song::files::SongFile;
use crate::workflows::song::kinds::{RenderVideo, queues, step};

pub async fn run(
    app: &AppState,
    job: &ClaimedJob,
    submission: &SessionId,
) -> anyhow::Result<Outcome> {
    let Some(row) = app.db.pipeline_row(submission.as_str()).await? else {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    };
    let Some(song_url) = app.db.song_url(&row.session_id).await? else {
        return Ok(Outcome::fail("download_audio: no song URL stored"));
    };
    let song = SongFile::song_for_url(&song_url);
    let key = song.key(submission)?;
    let staging = Staging::beside(app.store.as_ref(), &key, job).await?;
    match app
        .downloader
        .download(&song_url, &staging.path_for(&key))
        .await
    {
        Ok(file) => {
            tracing::info!(submission.id = %row.session_id, bytes = file.bytes, "song downloaded");
            if !staging
                .publish(&app.db, app.store.as_ref(), app.lease_ms(), job, &[&key])
                .await?
            {
                return Ok(Outcome::LeaseLost);
            }
            let next = step::<RenderVideo>(submission, app.render_attempts(), 0);
            let applied = app
                .db
                .complete_download(
                    job,
                    submission.as_str(),
                    &song.public_path(submission),
                    next,
                )
                .await?;
            if applied {
                app.wakers.wake(queues::RENDER);
            }
            Ok(Outcome::committed(applied))
        }
        Err(error) if error.is_retryable() => {
            let message = format!("{}: {error}", error.code());
            // The song is paid for: a CDN blip costs no attempt for as long again as a
            // generation may take; past that, the attempts count.
            let since_made = row.received_from_llm.map(|at| now_ms() - at);
            let patient = since_made
                .is_some_and(|waited| waited < millis(app.config.provider.generation_deadline()));
            Ok(if patient {
                Outcome::Backoff {
                    error: message,
                    after: None,
                }
            } else {
                Outcome::retry(message)
            })
        }
        Err(error) => Ok(Outcome::fail(format!("{}: {error}", error.code()))),
    }
}
