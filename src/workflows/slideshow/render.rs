//! `slideshow.render`: one job makes the whole video, moving through seed 004's stages —
//! media processing (the uploaded images into the staging directory), audio generation (the
//! narration and its captions), combining media (one ffmpeg pass), uploading (publish the MP4
//! and the WebVTT file, only while this worker holds the job) — and ends the job with both
//! outputs recorded, in one fenced transaction.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::options::SlideshowOptions;
use super::video::{SlideshowPlan, make};
use crate::engine::staging::Staging;
use crate::engine::{ClaimedJob, Outcome};
use crate::state::AppState;
use crate::storage::ObjectKey;
use crate::tts::{narrate, webvtt};
use crate::workflows::jobs::model::Stage;
use crate::workflows::jobs::store::outputs::StoredOutput;

/// The workflow segment of a slideshow's outputs: `slideshow/{job id}/video.mp4`.
pub const WORKFLOW: &str = "slideshow";
/// The provider name recorded on slideshow jobs.
pub const PROVIDER: &str = "serenade";

pub async fn run(app: &AppState, job: &ClaimedJob, job_id: &str) -> anyhow::Result<Outcome> {
    let Some(row) = app.db.api_job(job_id).await? else {
        return Ok(Outcome::fail(format!("job {job_id} does not exist")));
    };
    if row.status().is_terminal() {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    }
    let parameters = match row.parameters() {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let options = match SlideshowOptions::from_parameters(&parameters) {
        Ok(options) => options,
        Err(error) => return Ok(Outcome::fail(format!("slideshow options: {error}"))),
    };
    let stage = |stage: Stage| {
        app.db
            .set_api_job_stage(job_id, stage, Some(PROVIDER), None)
    };
    if !stage(Stage::MediaProcessing).await? {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    }
    app.db.count_api_job_attempt(job_id).await?;
    let video_key = ObjectKey::new(WORKFLOW, job_id, "video.mp4")?;
    let captions_key = ObjectKey::new(WORKFLOW, job_id, "captions.vtt")?;
    let staging = Staging::beside(app.store.as_ref(), &video_key, job).await?;
    let mut images: Vec<PathBuf> = Vec::with_capacity(options.image_ids.len());
    for id in &options.image_ids {
        let Some(upload) = app.db.upload(id).await? else {
            return Ok(Outcome::fail(format!("image {id} is gone")));
        };
        let key = ObjectKey::parse(&upload.object_key)?;
        images.push(staging.input(app.store.as_ref(), &key).await?);
    }

    stage(Stage::AudioGeneration).await?;
    let work_dir = staging.path_for(&video_key).with_file_name("work");
    tokio::fs::create_dir_all(&work_dir).await?;
    let narration = match narrate(app.tts.as_ref(), &row.prompt, &app.voice, &work_dir).await {
        Ok(narration) => narration,
        Err(error) if error.is_retryable() => {
            return Ok(Outcome::retry(format!("narration: {error}")));
        }
        Err(error) => return Ok(Outcome::fail(format!("narration: {error}"))),
    };
    let longest = app.config.slideshow.max_video_duration;
    if narration.duration.as_secs_f64() > longest {
        return Ok(Outcome::fail(format!(
            "narration_too_long: the narration runs {:.1} s, over MAX_VIDEO_DURATION ({longest} s)",
            narration.duration.as_secs_f64()
        )));
    }
    let captions_path = staging.path_for(&captions_key);
    tokio::fs::write(&captions_path, webvtt(&narration.cues)).await?;

    stage(Stage::CombiningMedia).await?;
    let video_path = staging.path_for(&video_key);
    let plan = SlideshowPlan {
        images: &images,
        narration: &narration.audio_path,
        narration_seconds: narration.duration.as_secs_f64(),
        min_segment_seconds: app.config.slideshow.video_segment_duration,
        cues: &narration.cues,
        captions: &captions_path,
        burn_captions: options.burn_captions,
        style: options.style,
        work_dir: &work_dir,
    };
    if let Err(error) = make(
        &app.config.render.ffmpeg,
        &plan,
        &video_path,
        app.config.render.timeout(),
    )
    .await
    {
        return Ok(Outcome::retry(format!("video: {error}")));
    }

    stage(Stage::Uploading).await?;
    let mut outputs = Vec::with_capacity(2);
    for (key, path, content_type) in [
        (&video_key, &video_path, "video/mp4"),
        (&captions_key, &captions_path, "text/vtt"),
    ] {
        let bytes = tokio::fs::read(path).await?;
        outputs.push(StoredOutput {
            object_key: key.to_string(),
            content_type: content_type.to_owned(),
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: Sha256::digest(&bytes)
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect(),
        });
    }
    if !staging
        .publish(
            &app.db,
            app.store.as_ref(),
            app.lease_ms(),
            job,
            &[&video_key, &captions_key],
        )
        .await?
    {
        return Ok(Outcome::LeaseLost);
    }
    Ok(Outcome::committed(
        app.db.finish_with_outputs(job, job_id, &outputs).await?,
    ))
}
