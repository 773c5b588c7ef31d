//! The fake's "speech": a voiced-sounding tone sequence whose length follows the text. Every
//! character gets one slot of `1 / (chars_per_second × speed)` seconds; letters and digits
//! sound (a fundamental with two harmonics, vowels brighter, a pitch that falls across the
//! sentence, a short fade at each end so nothing clicks), spaces and punctuation are silent.
//! The voice name picks the pitch, so different voices sound different.

use std::f64::consts::TAU;

/// Peak level of a sounding slot, as a fraction of full scale.
const LEVEL: f64 = 0.35;
/// Fade in and out of each sounding slot, in seconds.
const FADE_SECONDS: f64 = 0.006;

/// Samples of `text` spoken at `speed` by `voice`.
pub fn speak(
    text: &str,
    voice: &str,
    speed: f64,
    sample_rate: u32,
    chars_per_second: f64,
) -> Vec<i16> {
    let chars: Vec<char> = text.chars().collect();
    let rate = f64::from(sample_rate);
    let slot = rate / (chars_per_second * speed).max(0.1);
    let total = (chars.len() as f64 * slot).round() as usize;
    let base_pitch = pitch_of(voice);
    let fade = (FADE_SECONDS * rate).max(1.0);
    let mut samples = Vec::with_capacity(total);
    let mut phase = 0.0f64;
    for (index, &c) in chars.iter().enumerate() {
        let end = (((index + 1) as f64) * slot).round() as usize;
        let length = end.saturating_sub(samples.len());
        if !c.is_alphanumeric() {
            samples.resize(samples.len() + length, 0);
            continue;
        }
        // Intonation: 10% above the base at the start, 10% below at the end.
        let progress = index as f64 / chars.len().max(1) as f64;
        let pitch =
            base_pitch * (1.1 - 0.2 * progress) * (1.0 + f64::from(u32::from(c) % 7) / 60.0);
        let bright = if "aeiouyAEIOUY".contains(c) {
            0.6
        } else {
            0.25
        };
        for at in 0..length {
            let position = at as f64;
            let envelope = (position / fade)
                .min((length as f64 - position) / fade)
                .min(1.0);
            let value =
                phase.sin() + bright * (2.0 * phase).sin() + bright * 0.5 * (3.0 * phase).sin();
            let scaled = value / (1.0 + 1.5 * bright) * envelope * LEVEL * f64::from(i16::MAX);
            samples.push(scaled.round() as i16);
            phase = (phase + TAU * pitch / rate) % TAU;
        }
    }
    samples
}

/// A speaking pitch between 100 and 240 Hz chosen by the voice name.
fn pitch_of(voice: &str) -> f64 {
    let hash = voice.bytes().fold(2_166_136_261u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(16_777_619)
    });
    100.0 + f64::from(hash % 141)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_length_follows_the_text_and_the_speed() {
        let text = "Hello there, this is fourteen."; // 30 characters
        let normal = speak(text, "alloy", 1.0, 24_000, 14.0);
        assert_eq!(normal.len(), (30.0 * 24_000.0 / 14.0_f64).round() as usize);
        let fast = speak(text, "alloy", 2.0, 24_000, 14.0);
        assert_eq!(fast.len(), normal.len() / 2);
        assert!(speak("", "alloy", 1.0, 24_000, 14.0).is_empty());
    }

    #[test]
    fn letters_sound_and_spaces_are_silent() {
        let samples = speak("ab cd", "nova", 1.0, 14_000, 14.0); // 1000 samples a slot
        let peak = |range: std::ops::Range<usize>| {
            samples[range]
                .iter()
                .map(|s| s.unsigned_abs())
                .max()
                .unwrap_or(0)
        };
        assert!(peak(0..2000) > 5000);
        assert_eq!(peak(2000..3000), 0);
        assert!(peak(3000..5000) > 5000);
        assert_eq!(samples[0], 0); // faded in
    }
}
