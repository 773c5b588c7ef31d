//! espeak-ng really speaks: a sentence becomes a mono 16-bit WAV that is not silent, longer
//! text lasts longer, the rate setting speeds it up, and a voice it lacks is named.

use std::time::Duration;

use serenade::tts::{SpeechEngine, TtsError, VoiceSettings};

use crate::harness::{espeak, jenny, read};

#[tokio::test]
async fn a_sentence_becomes_audible_speech_whose_length_follows_the_text() {
    let engine = espeak();
    let dir = tempfile::tempdir().unwrap();
    let short_path = dir.path().join("short.wav");
    let long_path = dir.path().join("long.wav");
    let short = engine
        .synthesize("Hello there.", &jenny(), &short_path)
        .await
        .unwrap();
    let long = engine
        .synthesize(
            "Hello there. This sentence is a good deal longer, so it takes longer to say.",
            &jenny(),
            &long_path,
        )
        .await
        .unwrap();
    let audio = read(&short_path).await;
    assert_eq!(audio.duration(), short);
    assert!(
        audio.rms() > 0.01,
        "the speech is silent (RMS {})",
        audio.rms()
    );
    assert!(short > Duration::from_millis(300), "{short:?}");
    assert!(long > short * 3, "short {short:?}, long {long:?}");
    assert!(read(&long_path).await.rms() > 0.01);
}

#[tokio::test]
async fn a_faster_rate_is_shorter_and_a_quieter_volume_is_quieter() {
    let engine = espeak();
    let dir = tempfile::tempdir().unwrap();
    let text = "The quick brown fox jumps over the lazy dog.";
    let normal = engine
        .synthesize(text, &jenny(), &dir.path().join("normal.wav"))
        .await
        .unwrap();
    let fast_settings = VoiceSettings::parse("en-US-JennyNeural", "+60%", "-50%").unwrap();
    let fast_path = dir.path().join("fast.wav");
    let fast = engine
        .synthesize(text, &fast_settings, &fast_path)
        .await
        .unwrap();
    assert!(fast < normal * 4 / 5, "normal {normal:?}, fast {fast:?}");
    let loud = read(&dir.path().join("normal.wav")).await.rms();
    let quiet = read(&fast_path).await.rms();
    assert!(quiet < loud * 0.8, "loud {loud}, quiet {quiet}");
}

#[tokio::test]
async fn text_starting_with_a_dash_is_spoken_not_taken_as_an_option() {
    let engine = espeak();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dash.wav");
    let spoken = engine
        .synthesize(
            "-w /tmp/elsewhere.wav is not an option here",
            &jenny(),
            &out,
        )
        .await
        .unwrap();
    assert!(spoken > Duration::from_millis(500));
    assert!(read(&out).await.rms() > 0.01);
}

#[tokio::test]
async fn an_unknown_voice_is_named_and_plain_espeak_voices_work() {
    let engine = espeak();
    let dir = tempfile::tempdir().unwrap();
    let unknown = VoiceSettings {
        voice: "xx-nowhere".into(),
        ..jenny()
    };
    let error = engine
        .synthesize("Hello.", &unknown, &dir.path().join("x.wav"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TtsError::UnknownVoice { voice, .. } if voice == "xx-nowhere"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let plain = VoiceSettings {
        voice: "en-gb+m3".into(),
        ..jenny()
    };
    engine
        .synthesize("Hello.", &plain, &dir.path().join("gb.wav"))
        .await
        .unwrap();
}
