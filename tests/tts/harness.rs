//! What the tests share: the espeak-ng engine (failing with the Debian package to install
//! when espeak-ng is missing), settings, and WAV measurements.

use std::path::Path;
use std::time::Duration;

use serenade::tts::{EspeakEngine, Pcm, VoiceSettings};

/// The espeak-ng engine; panics with what to install when the program is missing.
pub fn espeak() -> EspeakEngine {
    let program = std::env::var("ESPEAK_PATH").unwrap_or_else(|_| "espeak-ng".into());
    let found = std::process::Command::new(&program)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    assert!(
        found,
        "{program} is not installed: these tests need the Debian package espeak-ng \
         (apt-get install espeak-ng)"
    );
    EspeakEngine::new(program, Duration::from_secs(30))
}

/// Seed 004's default voice.
pub fn jenny() -> VoiceSettings {
    VoiceSettings::parse("en-US-JennyNeural", "+0%", "+0%").unwrap()
}

/// The samples of a WAV file.
pub async fn read(path: &Path) -> Pcm {
    Pcm::read(path, "test").await.unwrap()
}
