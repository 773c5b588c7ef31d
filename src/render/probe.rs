//! What the song file is, from ffprobe's JSON (`-show_format -show_streams -of json`), and
//! whether it is a song we render: an audio stream, a known duration, within the limits.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::error::RenderError;
use super::plan;
use super::process::{Deadline, ToolRun, run_tool};
use super::song_format::SongFormat;

/// Shortest song rendered.
pub const MIN_SONG: Duration = Duration::from_secs(5);
/// Longest song rendered.
pub const MAX_SONG: Duration = Duration::from_secs(6 * 60);

/// The parts of ffprobe's report the renderer uses.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    /// Container name as ffprobe reports it (e.g. `mp3`, `mov,mp4,m4a,3gp,3g2,mj2`).
    pub format_name: String,
    /// Duration of the file (the container's, else the audio stream's).
    pub duration: Option<Duration>,
    /// The first real audio stream, if any.
    pub audio: Option<AudioStream>,
}

/// One decodable audio stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioStream {
    /// ffmpeg's codec name (`mp3`, `aac`, …).
    pub codec: String,
    /// Samples per second.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u32,
}

impl MediaInfo {
    /// Whether the file has an audio stream.
    pub fn has_audio(&self) -> bool {
        self.audio.is_some()
    }

    /// Codec of the audio stream.
    pub fn audio_codec(&self) -> Option<&str> {
        self.audio.as_ref().map(|audio| audio.codec.as_str())
    }

    /// Whether the audio can go into the MP4 as it is.
    pub fn audio_is_aac(&self) -> bool {
        self.audio_codec() == Some("aac")
    }

    /// The song's duration, or why this file is not a song we render.
    pub fn song_duration(&self) -> Result<Duration, RenderError> {
        let (Some(_), Some(duration)) = (&self.audio, self.duration) else {
            return Err(RenderError::NotAudio);
        };
        if duration < MIN_SONG {
            return Err(RenderError::TooShort {
                seconds: duration.as_secs_f64(),
            });
        }
        if duration > MAX_SONG {
            return Err(RenderError::TooLong {
                seconds: duration.as_secs_f64(),
            });
        }
        Ok(duration)
    }
}

/// Parses ffprobe's JSON report.
pub fn parse(json: &[u8]) -> Result<MediaInfo, serde_json::Error> {
    let report: Report = serde_json::from_slice(json)?;
    let format = report.format.unwrap_or_default();
    let audio_stream = report.streams.iter().find(|stream| stream.is_real_audio());
    let duration = seconds(format.duration.as_deref())
        .or_else(|| audio_stream.and_then(|stream| seconds(stream.duration.as_deref())));
    Ok(MediaInfo {
        format_name: format.format_name.unwrap_or_default(),
        duration,
        audio: audio_stream.map(|stream| AudioStream {
            codec: stream.codec_name.clone().unwrap_or_default(),
            sample_rate: stream.sample_rate(),
            channels: stream.channels.unwrap_or(0),
        }),
    })
}

/// Runs ffprobe on the song, read as `format`. A file ffprobe cannot open as media of that
/// format is `UnreadableAudio`.
pub async fn probe(
    ffprobe: &Path,
    song: &Path,
    format: SongFormat,
    deadline: Deadline,
) -> Result<MediaInfo, RenderError> {
    tokio::fs::metadata(song)
        .await
        .map_err(RenderError::io(song))?;
    let run = ToolRun {
        tool: "ffprobe",
        program: ffprobe,
        args: plan::probe_args(song, format),
    };
    let json = match run_tool(run, None, deadline).await {
        Ok(json) => json,
        // Exit code 1 is ffprobe's answer for input it cannot parse; a signal is not.
        Err(RenderError::ToolFailed {
            status,
            stderr_tail,
            ..
        }) if status.code().is_some() => return Err(RenderError::UnreadableAudio { stderr_tail }),
        Err(other) => return Err(other),
    };
    parse(&json).map_err(|source| RenderError::ProbeOutput { source })
}

#[derive(Debug, Deserialize)]
struct Report {
    #[serde(default)]
    streams: Vec<Stream>,
    format: Option<Format>,
}

#[derive(Debug, Default, Deserialize)]
struct Format {
    format_name: Option<String>,
    duration: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Stream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    sample_rate: Option<String>,
    channels: Option<u32>,
    duration: Option<String>,
}

impl Stream {
    /// An audio stream that says what it holds (garbage probed as MP3 reports zero channels
    /// and a zero sample rate).
    fn is_real_audio(&self) -> bool {
        self.codec_type.as_deref() == Some("audio")
            && self.sample_rate() > 0
            && self.channels.unwrap_or(0) > 0
    }

    fn sample_rate(&self) -> u32 {
        self.sample_rate
            .as_deref()
            .and_then(|rate| rate.parse().ok())
            .unwrap_or(0)
    }
}

/// ffprobe prints durations as decimal strings ("30.040816") or "N/A".
fn seconds(text: Option<&str>) -> Option<Duration> {
    let value: f64 = text?.parse().ok()?;
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|duration| !duration.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> MediaInfo {
        let path = format!(
            "{}/tests/fixtures/render/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        parse(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn an_mp3_is_audio_with_its_duration() {
        let info = fixture("ffprobe-5.1-mp3.json");
        assert_eq!(info.format_name, "mp3");
        assert_eq!(info.audio_codec(), Some("mp3"));
        assert!(!info.audio_is_aac());
        assert_eq!(info.duration, Some(Duration::from_micros(30_040_816)));
        assert_eq!(info.song_duration().unwrap().as_millis(), 30_040);
    }

    #[test]
    fn an_m4a_is_aac_and_can_be_copied() {
        let info = fixture("ffprobe-5.1-m4a.json");
        assert!(info.audio_is_aac());
        assert_eq!(info.audio.as_ref().unwrap().sample_rate, 44_100);
        assert_eq!(info.duration, Some(Duration::from_secs(30)));
    }

    #[test]
    fn cover_art_in_an_mp3_is_not_mistaken_for_the_audio() {
        let info = fixture("ffprobe-5.1-mp3-cover-art.json");
        assert_eq!(info.audio_codec(), Some("mp3"));
        assert_eq!(info.song_duration().unwrap().as_millis(), 6_034);
    }

    #[test]
    fn random_bytes_probed_as_mp3_are_not_audio() {
        let info = fixture("ffprobe-5.1-random-bytes.json");
        assert!(!info.has_audio());
        assert!(matches!(info.song_duration(), Err(RenderError::NotAudio)));
    }

    #[test]
    fn songs_outside_the_limits_are_refused() {
        let song = |seconds: f64| MediaInfo {
            format_name: "mp3".into(),
            duration: Some(Duration::from_secs_f64(seconds)),
            audio: Some(AudioStream {
                codec: "mp3".into(),
                sample_rate: 44_100,
                channels: 2,
            }),
        };
        assert!(matches!(
            song(3.0).song_duration(),
            Err(RenderError::TooShort { seconds }) if seconds == 3.0
        ));
        assert!(matches!(
            song(420.0).song_duration(),
            Err(RenderError::TooLong { .. })
        ));
        assert!(song(5.0).song_duration().is_ok());
        assert!(song(360.0).song_duration().is_ok());
    }

    #[test]
    fn an_empty_report_is_not_audio() {
        let info = parse(b"{\n\n}").unwrap();
        assert!(matches!(info.song_duration(), Err(RenderError::NotAudio)));
    }
}
