//! Demo songs you can hear the names in: the lyrics performed by the text-to-speech voice
//! over the melody, each line starting on a bar (2 s) after the previous one ends, as a
//! spoken-word rendition. Made per generation (the lyrics name the pet and the owner) when
//! the fake runs as the built-in demo provider (`--sing-lyrics`); the fake used in tests may
//! stay instrumental.

use std::path::Path;
use std::time::Duration;

use axum::body::Bytes;

use super::audio::{AudioError, codec_args, melody_source, run_ffmpeg};
use super::config::AudioFormat;
use crate::tts::engine::SpeechEngine;
use crate::tts::espeak::EspeakEngine;
use crate::tts::settings::VoiceSettings;
use crate::tts::wav::Pcm;

/// One bar of the melody.
pub const BAR: Duration = Duration::from_secs(2);
/// How long one line may take to speak before it is given up.
const LINE_TIMEOUT: Duration = Duration::from_secs(20);

/// The lines to perform: section tags (`[Verse]`) and blank lines dropped.
pub fn performed_lines(lyrics: &str) -> Vec<&str> {
    lyrics
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .filter(|line| !(line.starts_with('[') && line.ends_with(']')))
        .collect()
}

/// Where each line starts: on the first bar at or after the previous line's end; lines
/// that would not end within `length` are dropped.
pub fn bar_starts(durations: &[Duration], length: Duration) -> Vec<Duration> {
    let mut starts = Vec::new();
    let mut cursor = Duration::ZERO;
    for duration in durations {
        let bars = cursor.as_secs_f64() / BAR.as_secs_f64();
        let start = BAR.mul_f64(bars.ceil());
        if start + *duration > length {
            break;
        }
        starts.push(start);
        cursor = start + *duration;
    }
    starts
}

/// The song for `lyrics`: the voice track laid on the bars, mixed over the melody.
pub async fn sung_song(
    ffmpeg: &Path,
    espeak: &Path,
    format: AudioFormat,
    seconds: u32,
    lyrics: &str,
) -> Result<Bytes, AudioError> {
    let work = std::env::temp_dir().join(format!("fake-sonauto-voice-{}", cuid2::create_id()));
    std::fs::create_dir_all(&work).map_err(|source| AudioError::Io {
        path: work.clone(),
        source,
    })?;
    let result = perform(ffmpeg, espeak, format, seconds, lyrics, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn perform(
    ffmpeg: &Path,
    espeak: &Path,
    format: AudioFormat,
    seconds: u32,
    lyrics: &str,
    work: &Path,
) -> Result<Bytes, AudioError> {
    let engine = EspeakEngine::new(espeak, LINE_TIMEOUT);
    let voice = VoiceSettings {
        voice: "en-us".into(),
        rate_percent: -10,
        volume_percent: 0,
    };
    let mut lines: Vec<Pcm> = Vec::new();
    for (index, line) in performed_lines(lyrics).into_iter().enumerate() {
        let path = work.join(format!("line-{index}.wav"));
        engine
            .synthesize(line, &voice, &path)
            .await
            .map_err(|error| AudioError::Failed {
                status: "espeak-ng".into(),
                stderr_tail: error.to_string(),
            })?;
        let bytes = std::fs::read(&path).map_err(|source| AudioError::Io { path, source })?;
        let pcm = Pcm::from_wav_bytes(&bytes).map_err(|error| AudioError::Failed {
            status: "espeak-ng".into(),
            stderr_tail: error.to_string(),
        })?;
        lines.push(pcm);
    }
    let rate = lines.first().map_or(22_050, |line| line.sample_rate);
    let length = Duration::from_secs(u64::from(seconds));
    let durations: Vec<Duration> = lines.iter().map(Pcm::duration).collect();
    let mut track = vec![0i16; crate::tts::wav::duration_to_samples(length, rate)];
    for (line, start) in lines.iter().zip(bar_starts(&durations, length)) {
        let offset = crate::tts::wav::duration_to_samples(start, rate);
        for (slot, sample) in track.iter_mut().skip(offset).zip(&line.samples) {
            *slot = slot.saturating_add(*sample);
        }
    }
    let voice_path = work.join("voice.wav");
    std::fs::write(&voice_path, Pcm::new(rate, track).to_wav_bytes()).map_err(|source| {
        AudioError::Io {
            path: voice_path.clone(),
            source,
        }
    })?;
    run_ffmpeg(ffmpeg, format, |output| {
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
        args.push(melody_source(seconds).into());
        args.push("-i".into());
        args.push(voice_path.clone().into());
        args.push("-filter_complex".into());
        args.push(
            "[0:a]volume=0.45[m];[1:a]aresample=44100,volume=1.8[v];\
             [m][v]amix=inputs=2:duration=first:normalize=0[a]"
                .into(),
        );
        args.extend(["-map", "[a]", "-ac", "2"].iter().map(Into::into));
        args.extend(codec_args(format).iter().map(Into::into));
        args.push(output.as_os_str().to_owned());
        args
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_blank_lines_are_not_sung() {
        let lyrics = "[Verse 1]\nToby, my love\n\n[Chorus]\nMatt sings for you\n";
        assert_eq!(
            performed_lines(lyrics),
            ["Toby, my love", "Matt sings for you"]
        );
    }

    #[test]
    fn lines_start_on_bars_and_stop_at_the_end() {
        let second = Duration::from_secs(1);
        let starts = bar_starts(&[second * 3, second, second * 2, second * 9], second * 10);
        assert_eq!(starts, [Duration::ZERO, second * 4, second * 6]);
    }
}
