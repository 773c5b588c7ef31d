//! `download_audio`: fetch the song from the provider's CDN through the guarded downloader
//! (allow-listed hosts, no redirects, no private addresses, size and time caps, never the API
//! key) into `AUDIO_STORAGE/{id}.{mp3|m4a}`, staged and published only while the job is
//! still this worker's (see `pipeline::publish`).

use crate::app::AppState;
use crate::db::jobs::{ClaimedJob, JobKind, Lane, NewJob};
use crate::db::now_ms;
use crate::domain::ids::SessionId;
use crate::pipeline::millis;
use crate::pipeline::outcome::StepOutcome;
use crate::pipeline::publish::Staging;
use crate::storage::{Area, FileName, Storage};

pub async fn run(app: &AppState, job: &ClaimedJob) -> anyhow::Result<StepOutcome> {
    let Some(row) = app.db.pipeline_row(job.submission()).await? else {
        return Ok(StepOutcome::committed(app.db.complete_job(job).await?));
    };
    let Some(song_url) = app.db.song_url(&row.session_id).await? else {
        return Ok(StepOutcome::fail("download_audio: no song URL stored"));
    };
    let session_id = SessionId::parse(&row.session_id)
        .ok_or_else(|| anyhow::anyhow!("stored session id is not a cuid2"))?;
    let suffix = if song_url
        .split('?')
        .next()
        .unwrap_or_default()
        .ends_with(".m4a")
    {
        ".m4a"
    } else {
        ".mp3"
    };
    let name = FileName::for_session(Area::Audio, &session_id, suffix)
        .ok_or_else(|| anyhow::anyhow!("no audio file name for {suffix}"))?;
    let destination = app.storage.path(Area::Audio, &name);
    let staging = Staging::create(app.storage.dir(Area::Audio), job).await?;
    match app
        .downloader
        .download(&song_url, &staging.path_for(&destination))
        .await
    {
        Ok(file) => {
            tracing::info!(submission.id = %row.session_id, bytes = file.bytes, "song downloaded");
            if !staging.publish(app, job, &[destination.as_path()]).await? {
                return Ok(StepOutcome::LeaseLost);
            }
            let next = NewJob::step(
                JobKind::RenderVideo,
                &row.session_id,
                app.render_attempts(),
                0,
            );
            let applied = app
                .db
                .complete_download(job, &Storage::public_path(Area::Audio, &name), next)
                .await?;
            if applied {
                app.wakers.wake(Lane::Render);
            }
            Ok(StepOutcome::committed(applied))
        }
        Err(error) if error.is_retryable() => {
            let message = format!("{}: {error}", error.code());
            // The song is paid for: a CDN blip costs no attempt for as long again as a
            // generation may take; past that, the attempts count.
            let since_made = row.received_from_llm.map(|at| now_ms() - at);
            let patient = since_made
                .is_some_and(|waited| waited < millis(app.config.provider.generation_deadline()));
            Ok(if patient {
                StepOutcome::Backoff {
                    error: message,
                    after: None,
                }
            } else {
                StepOutcome::retry(message)
            })
        }
        Err(error) => Ok(StepOutcome::fail(format!("{}: {error}", error.code()))),
    }
}
