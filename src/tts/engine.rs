//! The [`SpeechEngine`] trait: what every text-to-speech engine does (one piece of text into
//! one mono 16-bit PCM WAV file), object-safe with boxed futures so engines can be chosen at
//! run time and shared as `Arc<dyn SpeechEngine>`.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use super::error::TtsError;
use super::settings::VoiceSettings;

/// What an engine operation returns.
pub type SpeechFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, TtsError>> + Send + 'a>>;

/// A text-to-speech engine.
pub trait SpeechEngine: Send + Sync + std::fmt::Debug {
    /// Short name for logs and errors (`"espeak-ng"`, `"http"`, `"piper"`).
    fn name(&self) -> &'static str;

    /// Speaks `text` with `settings` into a mono 16-bit PCM WAV file at `out` (created or
    /// replaced), returning how long it plays. `text` is one sentence or a few: callers
    /// split long text first (see `narrate`).
    fn synthesize<'a>(
        &'a self,
        text: &'a str,
        settings: &'a VoiceSettings,
        out: &'a Path,
    ) -> SpeechFuture<'a, Duration>;
}
