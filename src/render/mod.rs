//! The renderer: a pet photo and a song become an MP4 of a record turning clockwise under a
//! still needle, plus a poster and an Open Graph image. One turn is composed in Rust and
//! encoded once; the video is that clip repeated by stream copy and muxed with the song.

mod art;
mod baseline;
mod child;
pub mod command;
pub mod config;
pub mod error;
mod failpoint;
mod frames;
mod layer;
mod output;
mod photo;
pub mod plan;
mod probe;
pub mod process;
mod scene;
mod social;
mod song_format;
mod tempdir;
mod video;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

pub use config::RenderConfig;
pub use error::RenderError;
pub use probe::{MAX_SONG, MIN_SONG, MediaInfo};
pub use tempdir::RENDER_DIR_PREFIX;

use art::Artwork;
use output::{PendingFile, commit_all};
use plan::{AudioTreatment, Picture};
use process::Deadline;
use scene::{OPEN_GRAPH_HEIGHT, OPEN_GRAPH_WIDTH, Scene};
use song_format::SongFormat;
use tempdir::TempDir;
use video::Assembly;

/// What to render and where the results go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderJob {
    /// The pet photo (the stored 600×600 JPEG; any square-ish image works).
    pub photo: PathBuf,
    /// The song.
    pub audio: PathBuf,
    /// Where the MP4 goes.
    pub video_out: PathBuf,
    /// Where the poster JPEG (first frame) goes.
    pub poster_out: PathBuf,
    /// Where the 1200×630 Open Graph JPEG goes.
    pub og_image_out: PathBuf,
}

/// What a finished render produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOutput {
    /// Length of the video (the song's).
    pub duration: Duration,
    /// Whether the song was AAC and went into the MP4 without re-encoding.
    pub audio_copied: bool,
}

/// Renders videos; cheap to share (`Arc`) between workers. At most the configured number of
/// renders run at once; the rest wait their turn.
#[derive(Debug)]
pub struct Renderer {
    config: RenderConfig,
    /// The video's pet-independent picture.
    video_scene: Arc<Scene>,
    /// The Open Graph image's pet-independent picture.
    open_graph_scene: Arc<Scene>,
    permits: Semaphore,
}

impl Renderer {
    /// Validates the settings, loads or draws the artwork and prepares both scenes.
    pub fn new(config: RenderConfig) -> Result<Self, RenderError> {
        config
            .validate()
            .map_err(|reason| RenderError::InvalidConfig { reason })?;
        let artwork = Artwork::load(config.artwork_dir.as_deref())?;
        let video_scene = Scene::build(&artwork, config.video_size, config.video_size);
        let open_graph_scene = Scene::build(&artwork, OPEN_GRAPH_WIDTH, OPEN_GRAPH_HEIGHT);
        Ok(Self {
            permits: Semaphore::new(config.concurrency()),
            video_scene: Arc::new(video_scene),
            open_graph_scene: Arc::new(open_graph_scene),
            config,
        })
    }

    /// The settings in use.
    pub fn config(&self) -> &RenderConfig {
        &self.config
    }

    /// Renders the job's three outputs, each written atomically. On any error nothing is left
    /// behind: no scratch files and no partial output.
    #[tracing::instrument(name = "render", skip_all, fields(render.video = %job.video_out.display()))]
    pub async fn render(&self, job: &RenderJob) -> Result<RenderOutput, RenderError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| RenderError::Closed)?;
        let started = Instant::now();
        let deadline = Deadline::after(self.config.timeout());
        let song = self.check_song(job, deadline).await?;

        let temp = TempDir::create_in(&self.config.temp_root())?;
        let picture = self.picture();
        let assembly = Assembly {
            ffmpeg: &self.config.ffmpeg,
            picture,
            repeats: plan::repeats(song.duration, picture),
            temp: &temp,
            deadline,
        };
        // The song's encode (nearly all the work when it is an MP3) starts first and runs
        // while the photo is decoded and the turn is composed and encoded. Both run to their
        // own end (rather than one cancelling the other), so every child is reaped before an
        // error is returned.
        let (audio_encoded, stills) = tokio::join!(
            assembly.encode_audio(&job.audio, song.format, &song.audio),
            self.encode_pictures(job, &assembly),
        );
        let stills = stills?;
        audio_encoded?;

        let video_out = PendingFile::beside(&job.video_out).await?;
        let poster_out = PendingFile::beside(&job.poster_out).await?;
        let open_graph_out = PendingFile::beside(&job.og_image_out).await?;
        let audio_source = assembly.audio_source(&job.audio, song.format, &song.audio);
        assembly.mux(audio_source, video_out.path()).await?;
        poster_out.write(&stills.poster).await?;
        open_graph_out.write(&stills.open_graph).await?;
        commit_all(vec![video_out, poster_out, open_graph_out]).await?;
        drop(temp);

        let audio_copied = song.audio == AudioTreatment::Copy;
        tracing::info!(
            duration_ms = song.duration.as_millis() as u64,
            audio_copied,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "rendered {}",
            job.video_out.display()
        );
        Ok(RenderOutput {
            duration: song.duration,
            audio_copied,
        })
    }

    /// The picture side of a render: the photo set into both records, the turn's clips
    /// encoded, and the poster (the turn's first frame) and Open Graph JPEGs.
    async fn encode_pictures(
        &self,
        job: &RenderJob,
        assembly: &Assembly<'_>,
    ) -> Result<Stills, RenderError> {
        let (video_record, open_graph_record) = self.records_with_photo(job).await?;
        let open_graph_scene = Arc::clone(&self.open_graph_scene);
        let open_graph = tokio::task::spawn_blocking(move || {
            social::open_graph_jpeg(&open_graph_scene, &open_graph_record)
        });
        let first_frame = assembly
            .encode_turn(Arc::clone(&self.video_scene), video_record)
            .await?;
        let size = self.config.video_size;
        let poster =
            tokio::task::spawn_blocking(move || social::poster_jpeg(&first_frame, size, size))
                .await?;
        Ok(Stills {
            poster: encoded(poster, &job.poster_out)?,
            open_graph: encoded(open_graph.await?, &job.og_image_out)?,
        })
    }

    /// Probes the song: its duration, its forced format and whether its audio can be copied.
    async fn check_song(&self, job: &RenderJob, deadline: Deadline) -> Result<Song, RenderError> {
        let format = SongFormat::of(&job.audio)?;
        let media = probe::probe(&self.config.ffprobe, &job.audio, format, deadline).await?;
        let duration = media.song_duration()?;
        let audio = if media.audio_is_aac() {
            AudioTreatment::Copy
        } else {
            AudioTreatment::Encode {
                bitrate: self.config.audio_bitrate.clone(),
            }
        };
        Ok(Song {
            duration,
            format,
            audio,
        })
    }

    /// Decodes the photo and sets it into the record of each scene.
    async fn records_with_photo(
        &self,
        job: &RenderJob,
    ) -> Result<(layer::Layer, layer::Layer), RenderError> {
        let photo_path = job.photo.clone();
        let video_scene = Arc::clone(&self.video_scene);
        let open_graph_scene = Arc::clone(&self.open_graph_scene);
        tokio::task::spawn_blocking(move || {
            let photo = photo::load_square_photo(&photo_path)?;
            Ok((
                video_scene.record_with_photo(&photo),
                open_graph_scene.record_with_photo(&photo),
            ))
        })
        .await?
    }

    fn picture(&self) -> Picture {
        Picture {
            size: self.config.video_size,
            fps: self.config.video_fps,
            frames_per_rotation: self.config.frames_per_rotation(),
            crf: self.config.video_crf,
        }
    }
}

/// What the probe found out about the song.
#[derive(Debug)]
struct Song {
    duration: Duration,
    format: SongFormat,
    audio: AudioTreatment,
}

/// The two JPEGs of a render, encoded.
#[derive(Debug)]
struct Stills {
    poster: Vec<u8>,
    open_graph: Vec<u8>,
}

/// An encoded JPEG, or the encoder's error attributed to the output it was for.
fn encoded(
    result: Result<Vec<u8>, image::ImageError>,
    path: &std::path::Path,
) -> Result<Vec<u8>, RenderError> {
    result.map_err(|error| RenderError::io(path)(std::io::Error::other(error)))
}
