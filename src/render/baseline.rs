//! BASELINE ONLY — used by the benchmark (`bench/render`), never by the service. It renders
//! the way the spec's reference script does: the same 45 composed frames piped into ONE ffmpeg
//! whose `loop` filter repeats them, so every frame of the song is encoded and the audio is
//! always re-encoded. It exists to measure the fast path against.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::frames::send_turn;
use super::output::{PendingFile, commit_all};
use super::plan;
use super::process::{Deadline, ToolRun, run_tool};
use super::{RenderError, RenderJob, RenderOutput, Renderer};

impl Renderer {
    /// BASELINE ONLY: the reference approach (loop filter, full re-encode). Writes the video
    /// only; the poster and Open Graph paths are ignored.
    pub async fn render_baseline_loop_filter(
        &self,
        job: &RenderJob,
    ) -> Result<RenderOutput, RenderError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| RenderError::Closed)?;
        let deadline = Deadline::after(self.config.timeout());
        let song = self.check_song(job, deadline).await?;
        let (record, _) = self.records_with_photo(job).await?;
        let video_out = PendingFile::beside(&job.video_out).await?;
        let picture = self.picture();
        let (sink, frames) = mpsc::channel(2);
        let scene = Arc::clone(&self.video_scene);
        let composer = tokio::task::spawn_blocking(move || {
            send_turn(&scene, &record, picture.frames_per_rotation, &sink)
        });
        let run = ToolRun {
            tool: "ffmpeg",
            program: &self.config.ffmpeg,
            args: plan::baseline_loop_filter_args(
                picture,
                &job.audio,
                song.format,
                song.duration,
                &self.config.audio_bitrate,
                video_out.path(),
            ),
        };
        let (encoded, composed) = tokio::join!(run_tool(run, Some(frames), deadline), composer);
        encoded?;
        composed?;
        commit_all(vec![video_out]).await?;
        Ok(RenderOutput {
            duration: song.duration,
            audio_copied: false,
        })
    }
}
