//! The demuxer a song is read with, chosen from its file name and never guessed by ffmpeg.
//!
//! Left to probe the content, ffmpeg would read a "song" that is really an HLS playlist or a
//! concat list and open the local files it names (the `file` protocol has to stay allowed to
//! read the song itself). Every format here reads one self-contained file: MP3, MP4/M4A (the
//! `mov` demuxer with external data references off), WAV, FLAC, Ogg and raw ADTS AAC. The
//! service stores songs only as `.mp3` and `.m4a`; the others serve `serenade render`.

use std::ffi::OsString;
use std::path::Path;

use super::error::RenderError;

/// A song container and the demuxer forced for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SongFormat {
    Mp3,
    /// MP4 / M4A (AAC, ALAC) through ffmpeg's `mov` demuxer.
    Mp4,
    Wav,
    Flac,
    Ogg,
    /// Raw AAC in ADTS frames.
    Adts,
}

impl SongFormat {
    /// The format named by the file's extension (case-insensitive), or why it is refused.
    pub fn of(song: &Path) -> Result<Self, RenderError> {
        let extension = song
            .extension()
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match extension.as_str() {
            "mp3" => Ok(Self::Mp3),
            "m4a" | "mp4" => Ok(Self::Mp4),
            "wav" => Ok(Self::Wav),
            "flac" => Ok(Self::Flac),
            "ogg" | "oga" | "opus" => Ok(Self::Ogg),
            "aac" => Ok(Self::Adts),
            _ => Err(RenderError::UnsupportedAudioFormat { extension }),
        }
    }

    /// ffmpeg's name for the demuxer.
    pub fn demuxer(self) -> &'static str {
        match self {
            Self::Mp3 => "mp3",
            Self::Mp4 => "mov",
            Self::Wav => "wav",
            Self::Flac => "flac",
            Self::Ogg => "ogg",
            Self::Adts => "aac",
        }
    }

    /// Input options that force the demuxer (and, for MP4, keep it from following external
    /// data references, which is already ffmpeg's default).
    pub fn input_args(self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["-f".into(), self.demuxer().into()];
        if self == Self::Mp4 {
            args.extend(["-enable_drefs".into(), "0".into()]);
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_song_names_force_their_demuxer() {
        assert_eq!(
            SongFormat::of(Path::new("/a/x.mp3")).unwrap(),
            SongFormat::Mp3
        );
        assert_eq!(
            SongFormat::of(Path::new("/a/x.M4A")).unwrap(),
            SongFormat::Mp4
        );
        assert_eq!(
            SongFormat::Mp4.input_args(),
            ["-f", "mov", "-enable_drefs", "0"].map(OsString::from)
        );
        assert_eq!(
            SongFormat::Mp3.input_args(),
            ["-f", "mp3"].map(OsString::from)
        );
    }

    #[test]
    fn playlists_and_unknown_names_are_refused() {
        for name in ["x.m3u8", "x.m3u", "x.ffconcat", "x.txt", "x"] {
            let error = SongFormat::of(Path::new(name)).unwrap_err();
            assert_eq!(error.code(), "audio_format_unsupported", "{name}");
            assert!(error.is_input_rejection());
            assert!(!error.is_retryable());
        }
    }
}
