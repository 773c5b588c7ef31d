//! The songs the fake's CDN serves: a real melody (arpeggio over a bass line, not silence)
//! rendered once per (ffmpeg, format, length) by an ffmpeg child process and kept in memory
//! for the life of the process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use tokio::sync::OnceCell;

use super::config::AudioFormat;

/// Longest an encode may take before it is killed.
const ENCODE_TIMEOUT: Duration = Duration::from_secs(120);
/// How much of ffmpeg's stderr a failure keeps.
const STDERR_TAIL: usize = 2000;

/// Why the fake could not make its audio.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error(
        "ffmpeg not found (looked for `{}`): the fake Sonauto needs ffmpeg to make the songs \
         its CDN serves; install it (e.g. `apt-get install ffmpeg`) or point \
         FAKE_SONAUTO_FFMPEG / --ffmpeg at it",
        binary.display()
    )]
    FfmpegMissing { binary: PathBuf },
    #[error("could not run ffmpeg `{}`", binary.display())]
    Spawn {
        binary: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("ffmpeg failed ({status}): {stderr_tail}")]
    Failed { status: String, stderr_tail: String },
    #[error("ffmpeg took longer than {0:?}")]
    Timeout(Duration),
    #[error("reading ffmpeg's output {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

type Key = (PathBuf, AudioFormat, u32);

static CACHE: LazyLock<Mutex<HashMap<Key, Arc<OnceCell<Bytes>>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The song bytes for this format and length, encoded on first use. A failed encode is not
/// cached, so the next request tries again.
pub async fn song(ffmpeg: &Path, format: AudioFormat, seconds: u32) -> Result<Bytes, AudioError> {
    let cell = {
        let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .entry((ffmpeg.to_path_buf(), format, seconds))
            .or_default()
            .clone()
    };
    cell.get_or_try_init(|| encode(ffmpeg, format, seconds))
        .await
        .cloned()
}

/// The melody as an ffmpeg `lavfi` source: an arpeggio C-E-G in half-second plucked notes
/// over a bass alternating C and F every 2 s (a bar).
pub(super) fn melody_source(seconds: u32) -> String {
    let melody = "st(0,mod(floor(t*2),3));\
                  0.35*sin(2*PI*t*262*pow(2,(ld(0)*4-eq(ld(0),2))/12))*(1-0.7*mod(t*2,1))\
                  +0.25*sin(2*PI*t*131*pow(2,5*mod(floor(t/2),2)/12))";
    format!("aevalsrc='{melody}':s=44100:d={seconds}")
}

/// The encoder arguments of a format.
pub(super) fn codec_args(format: AudioFormat) -> &'static [&'static str] {
    match format {
        AudioFormat::Mp3 => &["-c:a", "libmp3lame", "-b:a", "192k", "-f", "mp3"],
        AudioFormat::M4a => &["-c:a", "aac", "-b:a", "192k", "-f", "ipod"],
    }
}

/// The ffmpeg arguments that render `seconds` of melody into `output`.
pub fn encode_args(format: AudioFormat, seconds: u32, output: &Path) -> Vec<std::ffi::OsString> {
    let source = melody_source(seconds);
    let codec = codec_args(format);
    let mut args: Vec<std::ffi::OsString> = [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
    ]
    .iter()
    .map(Into::into)
    .collect();
    args.push(source.into());
    args.extend(["-ac", "2"].iter().map(Into::into));
    args.extend(codec.iter().map(Into::into));
    args.push(output.as_os_str().to_owned());
    args
}

async fn encode(ffmpeg: &Path, format: AudioFormat, seconds: u32) -> Result<Bytes, AudioError> {
    let bytes = run_ffmpeg(ffmpeg, format, |output| {
        encode_args(format, seconds, output)
    })
    .await?;
    tracing::debug!(
        format = format.extension(),
        seconds,
        bytes = bytes.len(),
        "fake Sonauto audio encoded"
    );
    Ok(bytes)
}

/// Runs ffmpeg with the arguments `args` gives for an output file (mp4 needs a seekable
/// output, so every format goes through a temp file) and returns what it wrote.
pub(super) async fn run_ffmpeg(
    ffmpeg: &Path,
    format: AudioFormat,
    args: impl FnOnce(&Path) -> Vec<std::ffi::OsString>,
) -> Result<Bytes, AudioError> {
    let output = std::env::temp_dir().join(format!(
        "fake-sonauto-{}.{}",
        cuid2::create_id(),
        format.extension()
    ));
    let _cleanup = RemoveOnDrop(output.clone());
    let child = tokio::process::Command::new(ffmpeg)
        .args(args(&output))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => AudioError::FfmpegMissing {
                binary: ffmpeg.to_path_buf(),
            },
            _ => AudioError::Spawn {
                binary: ffmpeg.to_path_buf(),
                source,
            },
        })?;
    let finished = tokio::time::timeout(ENCODE_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| AudioError::Timeout(ENCODE_TIMEOUT))?
        .map_err(|source| AudioError::Spawn {
            binary: ffmpeg.to_path_buf(),
            source,
        })?;
    if !finished.status.success() {
        let stderr = String::from_utf8_lossy(&finished.stderr);
        let tail_start = stderr.len().saturating_sub(STDERR_TAIL);
        let tail_start = (tail_start..stderr.len())
            .find(|&index| stderr.is_char_boundary(index))
            .unwrap_or(stderr.len());
        return Err(AudioError::Failed {
            status: finished.status.to_string(),
            stderr_tail: stderr[tail_start..].trim().to_owned(),
        });
    }
    let bytes = tokio::fs::read(&output)
        .await
        .map_err(|source| AudioError::Io {
            path: output.clone(),
            source,
        })?;
    Ok(Bytes::from(bytes))
}

/// Deletes the temp file however the encode ends.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mp3_and_m4a_use_their_encoders_and_the_length() {
        let mp3 = encode_args(AudioFormat::Mp3, 12, Path::new("/tmp/x.mp3"));
        let mp3: Vec<String> = mp3
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(mp3.iter().any(|arg| arg.ends_with(":s=44100:d=12")));
        assert!(mp3.windows(2).any(|w| w == ["-c:a", "libmp3lame"]));
        let m4a = encode_args(AudioFormat::M4a, 5, Path::new("/tmp/x.m4a"));
        let m4a: Vec<String> = m4a
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(m4a.windows(2).any(|w| w == ["-f", "ipod"]));
    }

    #[tokio::test]
    async fn a_missing_ffmpeg_is_named_in_the_error() {
        let error = song(Path::new("/nonexistent/ffmpeg"), AudioFormat::Mp3, 1)
            .await
            .unwrap_err();
        assert!(matches!(error, AudioError::FfmpegMissing { .. }));
        assert!(error.to_string().contains("ffmpeg not found"));
    }
}
