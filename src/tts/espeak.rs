//! The always-available engine: espeak-ng (Debian package `espeak-ng`) run as a child
//! process per piece of text, the text on stdin, the WAV written by `-w`. Edge-style voice
//! names (`en-US-JennyNeural`) map to an espeak voice for the locale with a female variant
//! for the known female names; plain espeak names (`en-us`, `de+m3`) pass through.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::engine::{SpeechEngine, SpeechFuture};
use super::error::TtsError;
use super::settings::VoiceSettings;
use super::tool::{SpeechTool, run_speech_tool};
use super::wav::Pcm;

/// espeak-ng's normal speed in words per minute.
pub const DEFAULT_WPM: i32 = 175;
/// espeak-ng's speed limits in words per minute.
const WPM_RANGE: std::ops::RangeInclusive<i32> = 80..=450;
/// The variant given to voices whose Edge name is a known female one.
const FEMALE_VARIANT: &str = "+f3";
/// Where espeak-ng comes from, named when it is missing.
pub const INSTALL_HINT: &str = "the Debian package espeak-ng (apt-get install espeak-ng)";

/// First names of Edge neural voices that are female (compared case-insensitively).
const FEMALE_NAMES: &[&str] = &[
    "abbie",
    "abril",
    "amala",
    "amber",
    "ana",
    "annette",
    "aoi",
    "aria",
    "ashley",
    "asilia",
    "ava",
    "bella",
    "brenda",
    "brigitte",
    "carly",
    "celeste",
    "christel",
    "clara",
    "colette",
    "coralie",
    "cora",
    "dalia",
    "dariya",
    "denise",
    "elena",
    "elizabeth",
    "elke",
    "eloise",
    "elsa",
    "elsie",
    "elvira",
    "emily",
    "emma",
    "estrella",
    "fenna",
    "fernanda",
    "fiamma",
    "francesca",
    "francisca",
    "freya",
    "gisela",
    "giovanna",
    "hiugaai",
    "hiumaan",
    "hsiaochen",
    "hsiaoyu",
    "hollie",
    "imani",
    "irene",
    "isabella",
    "iselin",
    "jacqueline",
    "jane",
    "jenny",
    "joanne",
    "josephine",
    "katja",
    "kim",
    "klarissa",
    "laia",
    "leah",
    "leila",
    "leticia",
    "libby",
    "louisa",
    "lia",
    "luna",
    "maisie",
    "maja",
    "manuela",
    "mayu",
    "mia",
    "michelle",
    "molly",
    "monica",
    "nancy",
    "nanami",
    "natasha",
    "neerja",
    "noora",
    "palmira",
    "pernille",
    "pierina",
    "polina",
    "raquel",
    "rosa",
    "sara",
    "selma",
    "seraphina",
    "shiori",
    "sofie",
    "sonia",
    "sunhi",
    "svetlana",
    "swara",
    "sylvie",
    "tanja",
    "thalita",
    "tina",
    "triana",
    "vivienne",
    "xiaochen",
    "xiaohan",
    "xiaomo",
    "xiaoxiao",
    "xiaoxuan",
    "xiaoyi",
    "ximena",
    "yan",
    "yara",
    "yvette",
    "zofia",
];

/// espeak-ng as an engine.
#[derive(Debug, Clone)]
pub struct EspeakEngine {
    program: PathBuf,
    timeout: Duration,
}

impl EspeakEngine {
    /// `program` is `espeak-ng` (looked up on PATH) or a path; each piece may take `timeout`.
    pub fn new(program: impl Into<PathBuf>, timeout: Duration) -> Self {
        Self {
            program: program.into(),
            timeout,
        }
    }

    /// The command-line arguments for one synthesis into `out` (the text goes to stdin).
    pub fn arguments(settings: &VoiceSettings, out: &Path) -> Vec<std::ffi::OsString> {
        let wpm = (DEFAULT_WPM * (100 + settings.rate_percent) / 100)
            .clamp(*WPM_RANGE.start(), *WPM_RANGE.end());
        let amplitude = (100 + settings.volume_percent).clamp(0, 200);
        vec![
            "-v".into(),
            espeak_voice(&settings.voice).into(),
            "-s".into(),
            wpm.to_string().into(),
            "-a".into(),
            amplitude.to_string().into(),
            "-b".into(),
            "1".into(),  // UTF-8 input
            "-z".into(), // no pause after the last sentence: narration adds its own
            "-w".into(),
            out.as_os_str().to_owned(),
            "--stdin".into(),
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
        let run = SpeechTool {
            tool: "espeak-ng",
            install: INSTALL_HINT,
            program: &self.program,
            args: Self::arguments(settings, out),
            stdin: text.as_bytes().to_vec(),
            timeout: self.timeout,
        };
        match run_speech_tool(run).await {
            Ok(_) => {}
            Err(TtsError::ToolFailed { stderr_tail, .. })
                if stderr_tail.contains("voice does not exist") =>
            {
                return Err(TtsError::UnknownVoice {
                    engine: "espeak-ng",
                    voice: espeak_voice(&settings.voice),
                });
            }
            Err(error) => return Err(error),
        }
        Ok(Pcm::read(out, "espeak-ng").await?.duration())
    }
}

impl SpeechEngine for EspeakEngine {
    fn name(&self) -> &'static str {
        "espeak-ng"
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

/// An Edge voice name split into `(locale, first name)`: `en-US-JennyNeural` →
/// `("en-US", "Jenny")`, `en-US-AvaMultilingualNeural` → `("en-US", "Ava")`. `None` for
/// anything else.
pub fn parse_edge_voice(voice: &str) -> Option<(&str, &str)> {
    let (locale, name) = voice.rsplit_once('-')?;
    let name = name.strip_suffix("Neural")?;
    let name = name.strip_suffix("Multilingual").unwrap_or(name);
    let language = locale.split('-').next()?;
    let plausible = !name.is_empty()
        && locale.contains('-')
        && (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase());
    plausible.then_some((locale, name))
}

/// The espeak-ng voice for `voice`: an Edge name maps to its locale's espeak voice (with
/// [`FEMALE_VARIANT`] for a known female name); anything else is taken as an espeak name.
pub fn espeak_voice(voice: &str) -> String {
    let Some((locale, name)) = parse_edge_voice(voice) else {
        return voice.to_owned();
    };
    let base = espeak_language(locale);
    let female = FEMALE_NAMES
        .iter()
        .any(|known| known.eq_ignore_ascii_case(name));
    if female {
        format!("{base}{FEMALE_VARIANT}")
    } else {
        base.to_owned()
    }
}

/// The espeak-ng language voice closest to a BCP 47 locale (`en-AU` → `en-gb`).
fn espeak_language(locale: &str) -> String {
    let lower = locale.to_ascii_lowercase();
    let language = lower.split('-').next().unwrap_or(&lower);
    let region = lower.rsplit('-').next().unwrap_or_default();
    let mapped = match (language, region) {
        ("en", "us" | "ca" | "ph") => "en-us",
        ("en", _) => "en-gb",
        ("es", "es") => "es",
        ("es", _) => "es-419",
        ("fr", "be") => "fr-be",
        ("fr", "ch") => "fr-ch",
        ("fr", _) => "fr-fr",
        ("pt", "br") => "pt-br",
        ("pt", _) => "pt",
        ("zh", "hk") => "yue",
        ("zh", _) => "cmn",
        ("nn" | "no", _) => "nb",
        (language, _) => language,
    };
    mapped.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_voices_map_to_espeak_voices_with_their_gender() {
        assert_eq!(espeak_voice("en-US-JennyNeural"), "en-us+f3");
        assert_eq!(espeak_voice("en-US-GuyNeural"), "en-us");
        assert_eq!(espeak_voice("en-GB-SoniaNeural"), "en-gb+f3");
        assert_eq!(espeak_voice("en-AU-NatashaNeural"), "en-gb+f3");
        assert_eq!(espeak_voice("en-US-AvaMultilingualNeural"), "en-us+f3");
        assert_eq!(espeak_voice("de-DE-KatjaNeural"), "de+f3");
        assert_eq!(espeak_voice("de-DE-ConradNeural"), "de");
        assert_eq!(espeak_voice("es-MX-DaliaNeural"), "es-419+f3");
        assert_eq!(espeak_voice("pt-BR-FranciscaNeural"), "pt-br+f3");
        assert_eq!(espeak_voice("zh-CN-XiaoxiaoNeural"), "cmn+f3");
        assert_eq!(espeak_voice("sr-Latn-RS-NicholasNeural"), "sr");
    }

    #[test]
    fn plain_espeak_names_pass_through() {
        for name in ["en-us", "en-us+f3", "de", "fr-fr+m2", "Neural", "en-Neural"] {
            assert_eq!(espeak_voice(name), name);
        }
        assert_eq!(
            parse_edge_voice("en-US-JennyNeural"),
            Some(("en-US", "Jenny"))
        );
        assert_eq!(parse_edge_voice("JennyNeural"), None);
    }

    #[test]
    fn rate_and_volume_become_words_per_minute_and_amplitude() {
        let args = |rate, volume| {
            let settings = VoiceSettings {
                voice: "en-US-GuyNeural".into(),
                rate_percent: rate,
                volume_percent: volume,
            };
            EspeakEngine::arguments(&settings, Path::new("/tmp/out.wav"))
                .into_iter()
                .map(|arg| arg.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        let normal = args(0, 0);
        assert_eq!(normal[..6], ["-v", "en-us", "-s", "175", "-a", "100"]);
        assert!(normal.ends_with(&["-w".into(), "/tmp/out.wav".into(), "--stdin".into()]));
        assert_eq!(args(20, -50)[3..6], ["210", "-a", "50"]);
        assert_eq!(args(-50, 100)[3..6], ["87", "-a", "200"]);
        assert_eq!(args(100, 0)[3], "350");
    }
}
