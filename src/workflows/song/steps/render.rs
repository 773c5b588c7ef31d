//! `render_video`: turn the stored photo and song into the spinning-record MP4, its poster
//! and its Open Graph image; the submission succeeds in the same commit as the job. The
//! outputs are rendered into a staging directory and published only while the job is still
//! this worker's (see `engine::staging`).

use crate::domain::ids::SessionId;
use crate::engine::staging::Staging;
use crate::engine::{ClaimedJob, Outcome};
use crate::render::RenderJob;
use crate::state::AppState;
use crate::workflows::song::files::{Area, SongFile};

pub async fn run(
    app: &AppState,
    job: &ClaimedJob,
    submission: &SessionId,
) -> anyhow::Result<Outcome> {
    let Some(row) = app.db.pipeline_row(submission.as_str()).await? else {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    };
    let audio = row
        .generated_song_path
        .as_deref()
        .and_then(|path| path.rsplit('/').next())
        .and_then(|name| Area::Audio.file_of(name))
        .filter(|(_, owner)| owner == submission);
    let Some((audio, _)) = audio else {
        return Ok(Outcome::fail("render_video: no stored song"));
    };
    let store = app.store.as_ref();
    let video = SongFile::Video.key(submission)?;
    let poster = SongFile::Poster.key(submission)?;
    let og_image = SongFile::OgImage.key(submission)?;
    let staging = Staging::beside(store, &video, job).await?;
    let render = RenderJob {
        photo: staging
            .input(store, &SongFile::Photo.key(submission)?)
            .await?,
        audio: staging.input(store, &audio.key(submission)?).await?,
        video_out: staging.path_for(&video),
        poster_out: staging.path_for(&poster),
        og_image_out: staging.path_for(&og_image),
    };
    app.db.mark_render_started(&row.session_id).await?;
    match app.renderer.render(&render).await {
        Ok(output) => {
            tracing::info!(submission.id = %row.session_id, seconds = output.duration.as_secs_f64(), "video rendered");
            // The video last: a published video implies its poster and preview image.
            let keys = [&poster, &og_image, &video];
            if !staging
                .publish(&app.db, store, app.lease_ms(), job, &keys)
                .await?
            {
                return Ok(Outcome::LeaseLost);
            }
            let applied = app
                .db
                .complete_render(
                    job,
                    submission.as_str(),
                    &SongFile::Video.public_path(submission),
                )
                .await?;
            if applied {
                tracing::info!(submission.id = %row.session_id, "submission {} is ready", row.session_id);
            }
            Ok(Outcome::committed(applied))
        }
        Err(error) if error.is_retryable() => {
            Ok(Outcome::retry(format!("{}: {error}", error.code())))
        }
        Err(error) => Ok(Outcome::fail(format!("{}: {error}", error.code()))),
    }
}
