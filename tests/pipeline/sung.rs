//! Demo songs you can hear: on the embedded default the demo provider performs the lyrics
//! with the espeak-ng voice over its melody. The melody is pure tones below 400 Hz, so the
//! 1–4 kHz band carries the voice: there the sung song is over 8 dB louder than the
//! instrumental (measured here: about −27 dB against −37 dB; the plucked notes' attacks and the
//! MP3 encoding leave the instrumental some energy in that band).

use std::process::Command;
use std::time::Duration;

use crate::common::Backend;
use crate::helpers::{finished, pipeline_app, submit};

/// Mean volume (dB) of the 1–4 kHz band of `file` over its first `seconds`.
fn voice_band_volume(file: &std::path::Path, seconds: u32) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-t", &seconds.to_string(), "-i"])
        .arg(file)
        .args([
            "-af",
            "highpass=f=1000,lowpass=f=4000,volumedetect",
            "-f",
            "null",
            "-",
        ])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let line = log
        .lines()
        .find(|line| line.contains("mean_volume:"))
        .unwrap_or_else(|| panic!("{log}"));
    line.split("mean_volume:")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches(" dB")
        .parse()
        .unwrap()
}

/// The song file a finished submission stored.
async fn song_of(instrumental: bool) -> (tempfile::TempDir, std::path::PathBuf) {
    let app = pipeline_app(Backend::Sqlite)
        .configure(move |config| {
            config.provider.demo_songs_instrumental = instrumental;
            config.demo_provider.song_seconds = 16;
        })
        .spawn()
        .await;
    let id = submit(&app).await;
    let status = finished(&app, &id, Duration::from_secs(120)).await;
    assert_eq!(status["status"], "success", "{status}");
    let stored = app.app.config.storage.audio_dir().join(format!("{id}.mp3"));
    let copy = tempfile::tempdir().unwrap();
    let path = copy.path().join("song.mp3");
    std::fs::copy(&stored, &path).unwrap();
    app.stop().await;
    (copy, path)
}

#[tokio::test]
async fn a_demo_song_carries_its_lyrics_in_the_voice_band() {
    let (_keep_sung, sung) = song_of(false).await;
    let (_keep_plain, plain) = song_of(true).await;
    let voice = voice_band_volume(&sung, 14);
    let melody_only = voice_band_volume(&plain, 14);
    assert!(
        voice > -42.0,
        "the voice band of the sung song is {voice} dB"
    );
    assert!(
        voice > melody_only + 8.0,
        "sung {voice} dB against instrumental {melody_only} dB in the voice band"
    );
}
