//! The HTTP engine against the fake speech API, both real, over HTTP: speech that follows
//! the text, and each failure classified — a refused key, throttling with its wait, a dropped
//! connection (may have been accepted), a timeout, a non-WAV answer, a refused body.

use std::time::Duration;

use secrecy::SecretString;
use serenade::tts::fake::{FakeTts, FakeTtsConfig, Fault};
use serenade::tts::{HttpTtsEngine, SpeechEngine, TtsError, VoiceSettings, narrate};

use crate::harness::{jenny, read};

fn client(fake: &FakeTts, key: &str, timeout: Duration) -> HttpTtsEngine {
    HttpTtsEngine::new(
        &fake.api_url(),
        SecretString::from(key.to_owned()),
        "tts-1",
        timeout,
    )
    .unwrap()
}

fn good(fake: &FakeTts) -> HttpTtsEngine {
    client(fake, fake.api_key(), Duration::from_secs(10))
}

async fn speak(engine: &HttpTtsEngine, text: &str) -> Result<Duration, TtsError> {
    let dir = tempfile::tempdir().unwrap();
    engine
        .synthesize(text, &jenny(), &dir.path().join("out.wav"))
        .await
}

#[tokio::test]
async fn speech_is_a_wav_whose_length_follows_the_text() {
    let fake = FakeTts::start(FakeTtsConfig::default()).await.unwrap();
    let engine = good(&fake);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hello.wav");
    let text = "Hello from the fake speech API."; // 31 characters at 14 a second
    let duration = engine.synthesize(text, &jenny(), &out).await.unwrap();
    assert_eq!(duration.as_millis(), 2214);
    let audio = read(&out).await;
    assert_eq!(audio.sample_rate, 24_000);
    assert_eq!(audio.duration(), duration);
    assert!(audio.rms() > 0.05);

    let fast = VoiceSettings::parse("alloy", "+100%", "-50%").unwrap();
    let quick = dir.path().join("quick.wav");
    let half = engine.synthesize(text, &fast, &quick).await.unwrap();
    assert_eq!(half.as_millis(), 1107);
    assert!(read(&quick).await.rms() < audio.rms() * 0.6);

    let stats = fake.control().stats();
    assert_eq!((stats.requests, stats.succeeded), (2, 2));
    assert_eq!(stats.characters, 62);
    fake.stop().await;
}

#[tokio::test]
async fn a_narration_through_the_fake_has_cues_that_follow_the_text() {
    let fake = FakeTts::start(FakeTtsConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let narration = narrate(
        &good(&fake),
        "Short one. This second sentence is clearly longer than the first.",
        &jenny(),
        dir.path(),
    )
    .await
    .unwrap();
    assert_eq!(narration.cues.len(), 2);
    let length = |i: usize| narration.cues[i].end - narration.cues[i].start;
    assert!(length(1) > length(0) * 4, "{:?}", narration.cues);
    assert_eq!(narration.cues[1].end, narration.duration);
    fake.stop().await;
}

#[tokio::test]
async fn a_wrong_key_is_an_account_refusal_not_retried() {
    let fake = FakeTts::start(FakeTtsConfig::default()).await.unwrap();
    let error = speak(
        &client(&fake, "sk-wrong", Duration::from_secs(10)),
        "Hello.",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, TtsError::Unauthorized { status: 401 }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert!(error.is_account_refusal());
    assert_eq!(fake.control().stats().unauthorized, 1);
    fake.stop().await;
}

#[tokio::test]
async fn throttling_is_retryable_with_the_wait_asked_for() {
    let fake = FakeTts::start(FakeTtsConfig::default()).await.unwrap();
    fake.control().fail_next(1, Fault::rate_limited(7));
    let engine = good(&fake);
    let error = speak(&engine, "Hello.").await.unwrap_err();
    assert!(matches!(error, TtsError::RateLimited { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert!(!error.may_have_been_accepted());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    // The burst is spent: the next request speaks.
    speak(&engine, "Hello.").await.unwrap();

    fake.control().fail_next(1, Fault::status(503));
    let error = speak(&engine, "Hello.").await.unwrap_err();
    assert!(
        matches!(error, TtsError::Server { status: 503, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable() && error.may_have_been_accepted());
    fake.stop().await;
}

#[tokio::test]
async fn a_dropped_connection_may_have_been_accepted_and_is_retryable() {
    let fake = FakeTts::start(FakeTtsConfig::default()).await.unwrap();
    fake.control().fail_next(1, Fault::DropConnection);
    let error = speak(&good(&fake), "Hello.").await.unwrap_err();
    assert!(matches!(error, TtsError::NoResponse(_)), "{error:?}");
    assert!(error.is_retryable());
    assert!(error.may_have_been_accepted());
    assert_eq!(fake.control().stats().faulted, 1);
    fake.stop().await;
}

#[tokio::test]
async fn a_slow_answer_times_out_as_no_response() {
    let fake = FakeTts::start(FakeTtsConfig::default()).await.unwrap();
    fake.control().fail_next(1, Fault::Delay { millis: 5_000 });
    let engine = client(&fake, fake.api_key(), Duration::from_millis(300));
    let error = speak(&engine, "Hello.").await.unwrap_err();
    assert!(matches!(error, TtsError::NoResponse(_)), "{error:?}");
    assert!(error.may_have_been_accepted());
    fake.stop().await;
}

#[tokio::test]
async fn an_answer_that_is_not_a_wav_is_refused() {
    let fake = FakeTts::start(FakeTtsConfig::default()).await.unwrap();
    fake.control().fail_next(1, Fault::NotWav);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wav");
    let error = good(&fake)
        .synthesize("Hello.", &jenny(), &out)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TtsError::NotWav { content_type } if content_type == "audio/mpeg"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert!(!out.exists(), "nothing is written for a refused answer");
    fake.stop().await;
}

#[tokio::test]
async fn a_body_the_api_refuses_is_rejected_with_its_message() {
    let fake = FakeTts::start(FakeTtsConfig::default()).await.unwrap();
    let unknown_voice = VoiceSettings {
        voice: "robot".into(),
        ..jenny()
    };
    let dir = tempfile::tempdir().unwrap();
    let error = good(&fake)
        .synthesize("Hello.", &unknown_voice, &dir.path().join("o.wav"))
        .await
        .unwrap_err();
    match &error {
        TtsError::Rejected {
            status: 400,
            code,
            message,
        } => {
            assert_eq!(code.as_deref(), Some("invalid_value"));
            assert!(message.contains("robot"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.is_input_rejection() && !error.is_retryable());
    let unknown_model = HttpTtsEngine::new(
        &format!("{}/v1/", fake.api_url()),
        SecretString::from(fake.api_key().to_owned()),
        "tts-9",
        Duration::from_secs(10),
    )
    .unwrap();
    let error = speak(&unknown_model, "Hello.").await.unwrap_err();
    assert!(
        matches!(error, TtsError::Rejected { status: 404, .. }),
        "{error:?}"
    );
    assert_eq!(fake.control().stats().rejected, 2);
    fake.stop().await;
}

#[tokio::test]
async fn an_unreachable_api_was_never_sent() {
    let fake = FakeTts::start(FakeTtsConfig::default()).await.unwrap();
    let engine = good(&fake);
    fake.stop().await;
    let error = speak(&engine, "Hello.").await.unwrap_err();
    assert!(matches!(error, TtsError::NotSent(_)), "{error:?}");
    assert!(error.is_retryable() && !error.may_have_been_accepted());
}

#[tokio::test]
async fn serve_answers_until_its_future_completes() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serenade::tts::fake::serve(
        FakeTtsConfig::default(),
        listener,
        async {
            let _ = stopped.await;
        },
    ));
    let engine = HttpTtsEngine::new(
        &url,
        SecretString::from(FakeTtsConfig::default().api_key),
        "tts-1",
        Duration::from_secs(10),
    )
    .unwrap();
    speak(&engine, "Served.").await.unwrap();
    let stats: serde_json::Value = reqwest::get(format!("{url}/_fake/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["succeeded"], 1);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(matches!(
        speak(&engine, "Gone.").await.unwrap_err(),
        TtsError::NotSent(_)
    ));
}
