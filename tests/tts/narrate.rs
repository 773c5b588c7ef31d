//! Narration with espeak-ng: one WAV, one cue per sentence in order, not overlapping, the
//! last ending with the audio, and WebVTT captions for them.

use std::time::Duration;

use serenade::tts::{SENTENCE_PAUSE, narrate, webvtt};

use crate::harness::{espeak, jenny, read};

#[tokio::test]
async fn three_sentences_give_three_ordered_cues_ending_with_the_audio() {
    let engine = espeak();
    let dir = tempfile::tempdir().unwrap();
    let text = "Meet Biscuit, our office dog. Dr. Lee says he sleeps 3.5 hours a day!\n\
                Want to meet him?";
    let narration = narrate(&engine, text, &jenny(), dir.path()).await.unwrap();

    let texts: Vec<&str> = narration.cues.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Meet Biscuit, our office dog.",
            "Dr. Lee says he sleeps 3.5 hours a day!",
            "Want to meet him?"
        ]
    );
    assert_eq!(narration.cues[0].start, Duration::ZERO);
    for pair in narration.cues.windows(2) {
        assert!(pair[0].start < pair[0].end);
        let gap = pair[1].start - pair[0].end;
        assert!(
            gap.abs_diff(SENTENCE_PAUSE) < Duration::from_millis(1),
            "gap {gap:?}"
        );
    }
    let audio = read(&narration.audio_path).await;
    assert_eq!(audio.duration(), narration.duration);
    let last_end = narration.cues[2].end;
    assert!(
        last_end.abs_diff(audio.duration()) <= Duration::from_millis(50),
        "last cue ends at {last_end:?}, audio lasts {:?}",
        audio.duration()
    );
    assert!(audio.rms() > 0.01);
    // The longest sentence takes the longest.
    let length = |i: usize| narration.cues[i].end - narration.cues[i].start;
    assert!(length(1) > length(2), "{:?}", narration.cues);

    let vtt = webvtt(&narration.cues);
    assert!(
        vtt.starts_with("WEBVTT\n\n1\n00:00:00.000 --> 00:00:0"),
        "{vtt}"
    );
    assert_eq!(vtt.matches(" --> ").count(), 3);
    assert!(vtt.contains("\nWant to meet him?\n"));
}
