//! `render_video`: turn the stored photo and song into the spinning-record MP4, its poster
//! and its Open Graph image; the submission succeeds in the same commit as the job. The
//! outputs are rendered into a staging directory and published only while the job is still
//! this worker's (see `pipeline::publish`).

use crate::app::AppState;
use crate::db::jobs::ClaimedJob;
use crate::domain::ids::SessionId;
use crate::pipeline::outcome::StepOutcome;
use crate::pipeline::publish::Staging;
use crate::render::RenderJob;
use crate::storage::{Area, FileName, Storage};

pub async fn run(app: &AppState, job: &ClaimedJob) -> anyhow::Result<StepOutcome> {
    let Some(row) = app.db.pipeline_row(job.submission()).await? else {
        return Ok(StepOutcome::committed(app.db.complete_job(job).await?));
    };
    let session_id = SessionId::parse(&row.session_id)
        .ok_or_else(|| anyhow::anyhow!("stored session id is not a cuid2"))?;
    let audio = match row
        .generated_song_path
        .as_deref()
        .and_then(|path| path.rsplit('/').next())
    {
        Some(file) => FileName::parse(Area::Audio, file),
        None => None,
    };
    let Some(audio) = audio else {
        return Ok(StepOutcome::fail("render_video: no stored song"));
    };
    let name = |area, suffix| {
        FileName::for_session(area, &session_id, suffix)
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
            if !staging.publish(app, job, &targets).await? {
                return Ok(StepOutcome::LeaseLost);
            }
            let applied = app
                .db
                .complete_render(job, &Storage::public_path(Area::Video, &video))
                .await?;
            if applied {
                tracing::info!(submission.id = %row.session_id, "submission {} is ready", row.session_id);
            }
            Ok(StepOutcome::committed(applied))
        }
        Err(error) if error.is_retryable() => {
            Ok(StepOutcome::retry(format!("{}: {error}", error.code())))
        }
        Err(error) => Ok(StepOutcome::fail(format!("{}: {error}", error.code()))),
    }
}
