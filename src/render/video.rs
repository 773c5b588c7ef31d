//! The fast path to the MP4: one ffmpeg encodes the song to AAC if it is not already, from the
//! start of the render, while the turn's frames are composed and piped into another that
//! encodes a closed-GOP clip of a whole turn (and of the partial turn that ends the song);
//! the clips are then repeated by stream copy through the concat demuxer and muxed with the
//! audio, copying both.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

use super::error::RenderError;
use super::frames::send_turn;
use super::layer::Layer;
use super::plan::{self, AudioTreatment, ClipOutput, Picture, Repeats};
use super::process::{Deadline, ToolRun, run_tool};
use super::scene::Scene;
use super::song_format::SongFormat;
use super::tempdir::TempDir;

/// Frames composed ahead of the encoder (bounds memory to a few frames).
const FRAMES_IN_FLIGHT: usize = 2;

/// What the ffmpeg runs of one video (turn, audio, mux) share.
#[derive(Debug, Clone, Copy)]
pub struct Assembly<'a> {
    /// The ffmpeg program.
    pub ffmpeg: &'a Path,
    /// Frame size, rate, turn length and quality.
    pub picture: Picture,
    /// Whole turns and leftover frames the song needs.
    pub repeats: Repeats,
    /// Scratch directory for the clips and the list.
    pub temp: &'a TempDir,
    /// When the render must be done.
    pub deadline: Deadline,
}

impl Assembly<'_> {
    /// Encodes the clips the song needs, and returns the turn's first frame.
    pub async fn encode_turn(
        &self,
        scene: Arc<Scene>,
        record: Layer,
    ) -> Result<Vec<u8>, RenderError> {
        let clip = self.temp.join(plan::CLIP_NAME);
        let tail = self.temp.join(plan::TAIL_NAME);
        let mut outputs = Vec::new();
        if self.repeats.turns > 0 {
            outputs.push(ClipOutput {
                path: &clip,
                frames: None,
            });
        }
        if self.repeats.tail_frames > 0 {
            outputs.push(ClipOutput {
                path: &tail,
                frames: Some(self.repeats.tail_frames),
            });
        }
        let (sink, frames) = mpsc::channel(FRAMES_IN_FLIGHT);
        let frames_per_rotation = self.picture.frames_per_rotation;
        let composer = tokio::task::spawn_blocking(move || {
            send_turn(&scene, &record, frames_per_rotation, &sink)
        });
        let run = ToolRun {
            tool: "ffmpeg",
            program: self.ffmpeg,
            args: plan::loop_clip_args(self.picture, &outputs),
        };
        let (encoded, composed) =
            tokio::join!(run_tool(run, Some(frames), self.deadline), composer);
        encoded?;
        composed?.ok_or_else(|| {
            RenderError::io(self.temp.path())(std::io::Error::other("no frame was composed"))
        })
    }

    /// The AAC the video will carry, and its container: the song itself, or the MP4 that
    /// `encode_audio` writes.
    pub fn audio_source(
        &self,
        song: &Path,
        format: SongFormat,
        audio: &AudioTreatment,
    ) -> (PathBuf, SongFormat) {
        match audio {
            AudioTreatment::Copy => (song.to_path_buf(), format),
            AudioTreatment::Encode { .. } => (self.temp.join(plan::AUDIO_NAME), SongFormat::Mp4),
        }
    }

    /// Encodes the song to AAC once, unless it is AAC already.
    pub async fn encode_audio(
        &self,
        song: &Path,
        format: SongFormat,
        audio: &AudioTreatment,
    ) -> Result<(), RenderError> {
        let AudioTreatment::Encode { bitrate } = audio else {
            return Ok(());
        };
        let (encoded, _) = self.audio_source(song, format, audio);
        let run = ToolRun {
            tool: "ffmpeg",
            program: self.ffmpeg,
            args: plan::audio_encode_args(song, format, bitrate, &encoded),
        };
        run_tool(run, None, self.deadline).await.map(drop)
    }

    /// Writes the concat list and muxes the repeated clips with the AAC audio into `out`.
    pub async fn mux(
        &self,
        (audio, audio_format): (PathBuf, SongFormat),
        out: &Path,
    ) -> Result<(), RenderError> {
        let list = self.temp.join(plan::LIST_NAME);
        tokio::fs::write(&list, plan::concat_list(self.repeats, self.picture))
            .await
            .map_err(RenderError::io(&list))?;
        let run = ToolRun {
            tool: "ffmpeg",
            program: self.ffmpeg,
            args: plan::mux_args(&list, &audio, audio_format, out),
        };
        run_tool(run, None, self.deadline).await.map(drop)
    }
}
