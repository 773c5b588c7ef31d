//! Text to speech: narration for slideshow videos (seed 004: content text → narration WAV and
//! WebVTT captions) and the demo songs' voices. Engines sit behind [`SpeechEngine`]:
//! espeak-ng (built in, the default), an OpenAI-compatible HTTP API (with a faithful fake,
//! [`fake`]) and Piper (a neural offline voice). [`narrate`] splits text into sentences,
//! speaks each, and joins them into one WAV with a cue per sentence.

pub mod config;
pub mod engine;
pub mod error;
pub mod espeak;
pub mod fake;
pub mod http;
pub mod narrate;
pub mod piper;
pub mod sentences;
pub mod settings;
mod tool;
pub mod wav;
pub mod wav_error;
pub mod webvtt;

pub use config::{TtsConfig, TtsEngineKind};
pub use engine::{SpeechEngine, SpeechFuture};
pub use error::TtsError;
pub use espeak::EspeakEngine;
pub use http::HttpTtsEngine;
pub use narrate::{Cue, MAX_NARRATION_CHARS, Narration, SENTENCE_PAUSE, narrate};
pub use piper::PiperEngine;
pub use sentences::{MAX_SENTENCE_CHARS, split_sentences};
pub use settings::{VoiceSettings, parse_percent};
pub use wav::{Pcm, WavError};
pub use webvtt::webvtt;
