//! Narration: a text (seed 004's post content) split into sentences, each spoken by one
//! engine, its leading and trailing silence trimmed, joined into one WAV with a fixed pause
//! between sentences, and a caption cue per sentence timed from the samples themselves.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::engine::SpeechEngine;
use super::error::TtsError;
use super::sentences::split_sentences;
use super::settings::VoiceSettings;
use super::wav::{Pcm, duration_to_samples, samples_to_duration};

/// The longest text narrated, in characters (seed 004's content is a LinkedIn post, whose
/// own limit is 3,000).
pub const MAX_NARRATION_CHARS: usize = 3000;
/// Silence between two sentences.
pub const SENTENCE_PAUSE: Duration = Duration::from_millis(250);
/// The file the joined narration is written to, inside the work directory.
pub const NARRATION_FILE: &str = "narration.wav";
/// Samples at or below this (about −54 dBFS) count as silence when trimming a sentence.
const SILENCE_THRESHOLD: i16 = 64;
/// Kept around a sentence's audible part, so soft onsets and endings are not cut.
const TRIM_MARGIN: Duration = Duration::from_millis(20);

/// One sentence's place in the narration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// When the sentence starts.
    pub start: Duration,
    /// When it ends.
    pub end: Duration,
    /// What is said.
    pub text: String,
}

/// A spoken text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narration {
    /// The mono 16-bit PCM WAV ([`NARRATION_FILE`] in the work directory).
    pub audio_path: PathBuf,
    /// How long it plays.
    pub duration: Duration,
    /// One cue per sentence, in order, not overlapping; the last ends with the audio.
    pub cues: Vec<Cue>,
}

/// Speaks `text` with `engine` into `work_dir` (created if missing; per-sentence files are
/// written there and removed once joined).
#[tracing::instrument(name = "narrate", skip_all, fields(engine = engine.name()))]
pub async fn narrate(
    engine: &dyn SpeechEngine,
    text: &str,
    settings: &VoiceSettings,
    work_dir: &Path,
) -> Result<Narration, TtsError> {
    let chars = text.chars().count();
    if chars > MAX_NARRATION_CHARS {
        return Err(TtsError::TextTooLong {
            chars,
            limit: MAX_NARRATION_CHARS,
        });
    }
    settings.validate()?;
    let sentences = split_sentences(text);
    if sentences.is_empty() {
        return Err(TtsError::NothingToSay);
    }
    tokio::fs::create_dir_all(work_dir)
        .await
        .map_err(TtsError::io(work_dir))?;

    let mut joined: Option<Pcm> = None;
    let mut spans = Vec::with_capacity(sentences.len());
    for (index, sentence) in sentences.iter().enumerate() {
        let piece_path = work_dir.join(format!("narration-piece-{index:03}.wav"));
        engine.synthesize(sentence, settings, &piece_path).await?;
        let piece = Pcm::read(&piece_path, engine.name()).await?;
        tokio::fs::remove_file(&piece_path)
            .await
            .map_err(TtsError::io(&piece_path))?;
        let output = joined.get_or_insert_with(|| Pcm::new(piece.sample_rate, Vec::new()));
        if piece.sample_rate != output.sample_rate {
            return Err(TtsError::SampleRateMismatch {
                piece: index,
                expected: output.sample_rate,
                found: piece.sample_rate,
            });
        }
        let margin = duration_to_samples(TRIM_MARGIN, piece.sample_rate);
        let audible = piece
            .audible_range(SILENCE_THRESHOLD, margin)
            .unwrap_or(0..piece.samples.len());
        if index > 0 {
            let pause = duration_to_samples(SENTENCE_PAUSE, output.sample_rate);
            output.samples.resize(output.samples.len() + pause, 0);
        }
        let start = output.samples.len();
        output.samples.extend_from_slice(&piece.samples[audible]);
        spans.push((start, output.samples.len()));
    }
    let Some(audio) = joined else {
        return Err(TtsError::NothingToSay);
    };
    let audio_path = work_dir.join(NARRATION_FILE);
    audio.write(&audio_path).await?;
    let at = |sample| samples_to_duration(sample, audio.sample_rate);
    let cues: Vec<Cue> = spans
        .into_iter()
        .zip(sentences)
        .map(|((start, end), text)| Cue {
            start: at(start),
            end: at(end),
            text,
        })
        .collect();
    tracing::debug!(sentences = cues.len(), duration = ?audio.duration(), "narrated");
    Ok(Narration {
        audio_path,
        duration: audio.duration(),
        cues,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::tts::engine::SpeechFuture;

    /// Writes, per call, 100 ms of silence, 10 ms of tone per character, 300 ms of silence,
    /// at the next of `rates` (the last one repeats).
    #[derive(Debug)]
    struct Scripted {
        rates: Mutex<Vec<u32>>,
    }

    impl Scripted {
        fn new(rates: &[u32]) -> Self {
            Self {
                rates: Mutex::new(rates.to_vec()),
            }
        }
    }

    impl SpeechEngine for Scripted {
        fn name(&self) -> &'static str {
            "scripted"
        }

        fn synthesize<'a>(
            &'a self,
            text: &'a str,
            _settings: &'a VoiceSettings,
            out: &'a Path,
        ) -> SpeechFuture<'a, Duration> {
            Box::pin(async move {
                let rate = {
                    let mut rates = self.rates.lock().unwrap();
                    if rates.len() > 1 {
                        rates.remove(0)
                    } else {
                        rates[0]
                    }
                };
                let per_ms = rate as usize / 1000;
                let mut samples = vec![0i16; 100 * per_ms];
                samples.extend(
                    (0..text.chars().count() * 10 * per_ms)
                        .map(|i| if i % 20 < 10 { 8000 } else { -8000 }),
                );
                samples.extend(vec![0i16; 300 * per_ms]);
                let pcm = Pcm::new(rate, samples);
                pcm.write(out).await?;
                Ok(pcm.duration())
            })
        }
    }

    #[tokio::test]
    async fn sentences_are_trimmed_joined_with_pauses_and_cued() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Scripted::new(&[16_000]);
        let text = "One two. Three four five!\nSix?";
        let narration = narrate(&engine, text, &VoiceSettings::default(), dir.path())
            .await
            .unwrap();
        let texts: Vec<&str> = narration.cues.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["One two.", "Three four five!", "Six?"]);
        // Each cue is its tone plus the 20 ms margins: 8 chars → 80 ms + 40 ms.
        let ms = |d: Duration| d.as_millis();
        assert_eq!(ms(narration.cues[0].start), 0);
        assert_eq!(ms(narration.cues[0].end), 120);
        assert_eq!(ms(narration.cues[1].start), 120 + 250);
        assert_eq!(
            ms(narration.cues[1].end - narration.cues[1].start),
            160 + 40
        );
        assert_eq!(narration.cues[2].end, narration.duration);
        let audio = Pcm::read(&narration.audio_path, "test").await.unwrap();
        assert_eq!(audio.duration(), narration.duration);
        assert_eq!(audio.sample_rate, 16_000);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the narration remains");
    }

    #[tokio::test]
    async fn pieces_at_different_sample_rates_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Scripted::new(&[16_000, 22_000]);
        let error = narrate(&engine, "One. Two.", &VoiceSettings::default(), dir.path())
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                TtsError::SampleRateMismatch {
                    piece: 1,
                    expected: 16_000,
                    found: 22_000
                }
            ),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn too_long_and_empty_texts_are_refused_before_speaking() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Scripted::new(&[16_000]);
        let long = "a".repeat(MAX_NARRATION_CHARS + 1);
        let error = narrate(&engine, &long, &VoiceSettings::default(), dir.path())
            .await
            .unwrap_err();
        assert!(error.to_string().contains("at most 3000"), "{error}");
        let error = narrate(
            &engine,
            " ... \n 🎉 ",
            &VoiceSettings::default(),
            dir.path(),
        )
        .await
        .unwrap_err();
        assert!(matches!(error, TtsError::NothingToSay));
    }
}
