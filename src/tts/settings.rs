//! How a voice should sound: [`VoiceSettings`] (voice name, rate and volume as percent changes
//! from the engine's normal), and the Edge-style percent strings seed 004 configures them with
//! (`EDGE_TTS_RATE=+10%`, `EDGE_TTS_VOLUME=-20%`).

use super::error::TtsError;

/// Slowest and fastest rate change accepted, in percent (−50% is half speed).
pub const RATE_RANGE: std::ops::RangeInclusive<i32> = -50..=100;
/// Quietest and loudest volume change accepted, in percent (−100% is silent).
pub const VOLUME_RANGE: std::ops::RangeInclusive<i32> = -100..=100;

/// The voice and delivery of one synthesis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceSettings {
    /// An Edge-style name (`en-US-JennyNeural`) or one the engine knows itself (`en-us+f3`
    /// for espeak-ng, `alloy` for an OpenAI-compatible API).
    pub voice: String,
    /// Speaking rate change in percent: `0` is normal, `20` is 20% faster.
    pub rate_percent: i32,
    /// Volume change in percent: `0` is normal, `-50` is half as loud.
    pub volume_percent: i32,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        Self {
            voice: "en-US-JennyNeural".to_owned(),
            rate_percent: 0,
            volume_percent: 0,
        }
    }
}

impl VoiceSettings {
    /// Settings from seed 004's strings: `voice` as given, `rate` and `volume` in the
    /// `+10%` / `-5%` / `0%` form.
    pub fn parse(voice: &str, rate: &str, volume: &str) -> Result<Self, TtsError> {
        let settings = Self {
            voice: voice.trim().to_owned(),
            rate_percent: parse_percent("EDGE_TTS_RATE", rate)?,
            volume_percent: parse_percent("EDGE_TTS_VOLUME", volume)?,
        };
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the voice name's shape and that rate and volume are in range.
    pub fn validate(&self) -> Result<(), TtsError> {
        let voice = &self.voice;
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.');
        if voice.is_empty()
            || voice.len() > 64
            || voice.starts_with('-')
            || !voice.chars().all(allowed)
        {
            return Err(TtsError::InvalidSetting {
                name: "EDGE_TTS_VOICE",
                problem: format!(
                    "\"{voice}\" is not a voice name (letters, digits, '-', '_', '+', '.'; at most 64)"
                ),
            });
        }
        for (name, value, range) in [
            ("EDGE_TTS_RATE", self.rate_percent, RATE_RANGE),
            ("EDGE_TTS_VOLUME", self.volume_percent, VOLUME_RANGE),
        ] {
            if !range.contains(&value) {
                return Err(TtsError::InvalidSetting {
                    name,
                    problem: format!(
                        "{value:+}% is outside {:+}%..{:+}%",
                        range.start(),
                        range.end()
                    ),
                });
            }
        }
        Ok(())
    }

    /// The rate as a speed factor (`+50%` → 1.5).
    pub fn speed(&self) -> f64 {
        f64::from(100 + self.rate_percent) / 100.0
    }

    /// The volume as a gain factor (`-50%` → 0.5).
    pub fn gain(&self) -> f64 {
        f64::from(100 + self.volume_percent) / 100.0
    }
}

/// An Edge-style percent change: an optional sign, whole digits, `%` (`+0%`, `-10%`, `25%`).
/// `name` is the setting named in the error.
pub fn parse_percent(name: &'static str, text: &str) -> Result<i32, TtsError> {
    let invalid = || TtsError::InvalidSetting {
        name,
        problem: format!("\"{text}\" is not a percent change such as +0%, +10% or -20%"),
    };
    let digits = text.trim().strip_suffix('%').ok_or_else(invalid)?;
    let (negative, digits) = match digits.as_bytes().first() {
        Some(b'+') => (false, &digits[1..]),
        Some(b'-') => (true, &digits[1..]),
        _ => (false, digits),
    };
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let value: i32 = digits.parse().map_err(|_| invalid())?;
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_changes_parse_with_or_without_a_sign() {
        assert_eq!(parse_percent("R", "+0%").unwrap(), 0);
        assert_eq!(parse_percent("R", "-0%").unwrap(), 0);
        assert_eq!(parse_percent("R", "+10%").unwrap(), 10);
        assert_eq!(parse_percent("R", "-25%").unwrap(), -25);
        assert_eq!(parse_percent("R", " 40% ").unwrap(), 40);
    }

    #[test]
    fn malformed_percentages_are_refused_naming_the_setting() {
        for bad in [
            "", "%", "+%", "10", "ten%", "+1.5%", "++1%", "1 0%", "+99999%", "-%",
        ] {
            let error = parse_percent("EDGE_TTS_RATE", bad).unwrap_err();
            assert!(
                error.to_string().contains("EDGE_TTS_RATE"),
                "{bad:?}: {error}"
            );
        }
    }

    #[test]
    fn settings_parse_and_check_their_ranges() {
        let settings = VoiceSettings::parse("en-US-JennyNeural", "+20%", "-50%").unwrap();
        assert_eq!(settings.rate_percent, 20);
        assert!((settings.speed() - 1.2).abs() < 1e-9);
        assert!((settings.gain() - 0.5).abs() < 1e-9);
        assert!(VoiceSettings::parse("en-us+f3", "-50%", "+100%").is_ok());
        assert!(VoiceSettings::parse("en-us", "-60%", "+0%").is_err());
        assert!(VoiceSettings::parse("en-us", "+0%", "+101%").is_err());
        assert!(VoiceSettings::parse("", "+0%", "+0%").is_err());
        assert!(VoiceSettings::parse("-w /etc/passwd", "+0%", "+0%").is_err());
        assert!(VoiceSettings::parse("en us", "+0%", "+0%").is_err());
    }
}
