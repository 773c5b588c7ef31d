//! Captions for a narration as WebVTT: the `WEBVTT` header, then one numbered cue per
//! sentence with `HH:MM:SS.mmm --> HH:MM:SS.mmm` timings and its text escaped (`&`, `<`, `>`)
//! on one line.

use std::fmt::Write as _;
use std::time::Duration;

use super::narrate::Cue;

/// The cues as a WebVTT file.
pub fn webvtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for (index, cue) in cues.iter().enumerate() {
        let start = millis(cue.start);
        // A cue must end after it starts; a sub-millisecond one still gets a millisecond.
        let end = millis(cue.end).max(start + 1);
        let _ = write!(
            out,
            "\n{}\n{} --> {}\n{}\n",
            index + 1,
            timestamp(start),
            timestamp(end),
            escape(&cue.text)
        );
    }
    out
}

/// `HH:MM:SS.mmm` (hours grow past two digits when they must).
fn timestamp(millis: u128) -> String {
    let (seconds, millis) = (millis / 1000, millis % 1000);
    let (minutes, seconds) = (seconds / 60, seconds % 60);
    let (hours, minutes) = (minutes / 60, minutes % 60);
    format!("{hours:02}:{minutes:02}:{seconds:02}.{millis:03}")
}

/// Rounded to the nearest millisecond.
fn millis(duration: Duration) -> u128 {
    (duration.as_micros() + 500) / 1000
}

/// Cue text: markup characters escaped, on a single line (a blank line would end the cue).
fn escape(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(start_ms: u64, end_ms: u64, text: &str) -> Cue {
        Cue {
            start: Duration::from_millis(start_ms),
            end: Duration::from_millis(end_ms),
            text: text.to_owned(),
        }
    }

    #[test]
    fn cues_are_numbered_timed_and_escaped() {
        let vtt = webvtt(&[
            cue(0, 1234, "Hello there."),
            cue(
                1484,
                3_725_006,
                "Fish & chips <b>now</b> --> later\nsecond line",
            ),
        ]);
        assert_eq!(
            vtt,
            "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.234\nHello there.\n\n2\n\
             00:00:01.484 --> 01:02:05.006\n\
             Fish &amp; chips &lt;b&gt;now&lt;/b&gt; --&gt; later second line\n"
        );
    }

    #[test]
    fn no_cues_is_just_the_header_and_timings_round_to_the_millisecond() {
        assert_eq!(webvtt(&[]), "WEBVTT\n");
        let vtt = webvtt(&[Cue {
            start: Duration::from_micros(999_600),
            end: Duration::from_micros(999_900),
            text: "x".into(),
        }]);
        assert!(vtt.contains("00:00:01.000 --> 00:00:01.001"), "{vtt}");
    }
}
