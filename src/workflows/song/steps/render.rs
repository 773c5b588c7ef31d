//! `render_video`: turn the stored photo and song into the spinning-record MP4, its poster
//! and its Open Graph image; the submission succeeds in the same commit as the job. The
//! outputs are rendered into a staging directory and published only while the job is still
//! this worker's (see `pipeline::publish`).

use crate::domain::ids::SessionId;
use crate::engine::staging::Staging;
use crate::engine::{ClaimedJob, Outcome};
use crate::render::RenderJob;
use crate::state::AppState;
use crate::storage::{Area, FileName, Storage};

pub async fn run(
    app: &AppState,
    job: &ClaimedJob,
    submission: &SessionId,
) -> anyhow::Result<Outcome> {
    let Some(row) = app.db.pipeline_row(submission.as_str()).await? else {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    };
    let audio = match row
        .generated_song_path
        .as_deref()
        .and_then(|path| path.rsplit('/').next())
    {
        Some(file) => FileName::parse(Area::Audio, file),
        None => None,
    };
    let Some(audio) = audio else {
        return Ok(Outcome::fail("render_video: no stored song"));
    };
    let name = |area, suffix| {
        FileName::for_session(area, submission, suffix)
            .ok_or_else(|| anyhow::anyhow!("no file name for {suffix}"))
    };
    let video = name(Area::Video, ".mp4")?;
    let video_path = app.storage.path(Area::Video, &video);
    let poster_path = app
        .storage
        .path(Area::Video, &name(Area::Video, "-poster.jpg")?);
    let og_image_path = app
        .storage
        .path(Area::Video, &name(Area::Video, "-og.jpg")?);
    let staging = Staging::create(app.storage.dir(Area::Video), job).await?;
    let render = RenderJob {
        photo: app
            .storage
            .path(Area::Uploads, &name(Area::Uploads, ".jpg")?),
        audio: app.storage.path(Area::Audio, &audio),
        video_out: staging.path_for(&video_path),
        poster_out: staging.path_for(&poster_path),
        og_image_out: staging.path_for(&og_image_path),
    };
    app.db.mark_render_started(&row.session_id).await?;
    match app.renderer.render(&render).await {
        Ok(output) => {
            tracing::info!(submission.id = %row.session_id, seconds = output.duration.as_secs_f64(), "video rendered");
            let targets = [
                poster_path.as_path(),
                og_image_path.as_path(),
                video_path.as_path(),
            ];
            if !staging
                .publish(&app.db, app.lease_ms(), job, &targets)
                .await?
            {
                return Ok(Outcome::LeaseLost);
            }
            let applied = app
                .db
                .complete_render(
                    job,
                    submission.as_str(),
                    &Storage::public_path(Area::Video, &video),
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
