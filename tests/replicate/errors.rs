//! How the client classifies what goes wrong, against the fake's faults: throttling with
//! `Retry-After`, server errors, refused tokens, invalid input, an answer lost after the
//! create was accepted, a hung answer, an unreachable host and an unknown prediction.

use std::time::Duration;

use serde_json::json;
use serenade::provider::replicate::fake::{Fault, Scenario};
use serenade::provider::replicate::{
    CreatePrediction, PredictionStatus, PredictionTarget, ReplicateError,
};

use crate::harness::{Harness, client_for, fast, image_call};

#[tokio::test]
async fn throttling_is_retryable_after_the_wait_replicate_asks_for() {
    let harness = Harness::start(fast()).await;
    let control = harness.fake.control();
    control.fail_next_creates(1, Fault::rate_limited(30));
    let error = harness
        .client
        .create_prediction(&image_call("a kite", 1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ReplicateError::RateLimited { .. }),
        "{error:?}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert!(error.is_retryable() && !error.may_have_been_accepted());
    assert_eq!(control.stats().accepted, 0);
    let retried = harness
        .client
        .create_prediction(&image_call("a kite", 1))
        .await;
    assert_eq!(retried.unwrap().status, PredictionStatus::Starting);
}

#[tokio::test]
async fn a_server_error_on_create_may_have_been_accepted() {
    let harness = Harness::start(fast()).await;
    harness
        .fake
        .control()
        .fail_next_creates(1, Fault::status(500));
    let error = harness
        .client
        .create_prediction(&image_call("a kite", 1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ReplicateError::Server { status: 500, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable() && error.may_have_been_accepted());
    assert_eq!(error.code(), "replicate_server_error");
}

#[tokio::test]
async fn a_refused_token_is_an_account_refusal() {
    let harness = Harness::start(fast()).await;
    let wrong = client_for(&harness.fake.api_url(), "r8_wrong", Duration::from_secs(5));
    for error in [
        wrong
            .create_prediction(&image_call("x", 1))
            .await
            .unwrap_err(),
        wrong.prediction("abc").await.unwrap_err(),
        wrong.default_webhook_secret().await.unwrap_err(),
    ] {
        assert!(
            matches!(error, ReplicateError::Unauthorized { status: 401 }),
            "{error:?}"
        );
        assert!(error.is_account_refusal() && !error.is_retryable());
    }
    harness
        .fake
        .control()
        .fail_next_creates(1, Fault::status(401));
    let forced = harness.client.create_prediction(&image_call("x", 1)).await;
    assert!(forced.unwrap_err().is_account_refusal());
    assert_eq!(harness.fake.control().stats().unauthorized, 3);
}

#[tokio::test]
async fn invalid_input_is_rejected_for_good_with_replicates_detail() {
    let harness = Harness::start(fast()).await;
    let no_prompt = CreatePrediction::new(
        PredictionTarget::model("black-forest-labs", "flux-schnell"),
        json!({"num_outputs": 1}),
    );
    let too_many = image_call("a kite", 9);
    for (call, field) in [(no_prompt, "prompt"), (too_many, "num_outputs")] {
        let error = harness.client.create_prediction(&call).await.unwrap_err();
        let ReplicateError::Rejected { status, detail } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(*status, 422);
        assert!(detail.contains(field), "{detail}");
        assert!(!error.is_retryable() && !error.may_have_been_accepted());
    }
    let stats = harness.fake.control().stats();
    assert_eq!((stats.rejected, stats.accepted), (2, 0));
}

#[tokio::test]
async fn an_answer_lost_after_accepting_is_maybe_accepted_and_the_prediction_runs() {
    let harness = Harness::start(fast()).await;
    let control = harness.fake.control();
    control.fail_next_creates(1, Fault::AcceptThenDrop);
    let error = harness
        .client
        .create_prediction(&image_call("a lost answer", 1))
        .await
        .unwrap_err();
    assert!(matches!(error, ReplicateError::NoResponse(_)), "{error:?}");
    assert!(error.may_have_been_accepted() && error.is_retryable());
    let ids = control.prediction_ids();
    assert_eq!(
        ids.len(),
        1,
        "the create was accepted although no answer came"
    );
    let finished = harness.wait_terminal(&ids[0]).await;
    assert_eq!(finished.status, PredictionStatus::Succeeded);
    assert_eq!(finished.input["prompt"], "a lost answer");
}

#[tokio::test]
async fn a_hung_answer_times_out_as_maybe_accepted() {
    let harness = Harness::start(fast()).await;
    harness
        .fake
        .control()
        .fail_next_creates(1, Fault::AcceptThenHang);
    let impatient = client_for(
        &harness.fake.api_url(),
        harness.fake.api_token(),
        Duration::from_millis(500),
    );
    let error = impatient
        .create_prediction(&image_call("x", 1))
        .await
        .unwrap_err();
    assert!(matches!(error, ReplicateError::NoResponse(_)), "{error:?}");
    assert!(error.may_have_been_accepted());
    assert_eq!(harness.fake.control().stats().accepted, 1);
}

#[tokio::test]
async fn an_unreachable_host_was_never_sent() {
    let closed_port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let client = client_for(
        &format!("http://127.0.0.1:{closed_port}/v1"),
        "r8_token",
        Duration::from_secs(5),
    );
    let error = client
        .create_prediction(&image_call("x", 1))
        .await
        .unwrap_err();
    assert!(matches!(error, ReplicateError::NotSent(_)), "{error:?}");
    assert!(error.is_retryable() && !error.may_have_been_accepted());
}

#[tokio::test]
async fn unknown_predictions_and_read_faults_are_classified() {
    let harness = Harness::start(fast()).await;
    let missing = harness
        .client
        .prediction("nosuchprediction")
        .await
        .unwrap_err();
    assert!(matches!(missing, ReplicateError::NotFound), "{missing:?}");
    let created = harness
        .client
        .create_prediction(&image_call("x", 1))
        .await
        .unwrap();
    harness
        .fake
        .control()
        .set_scenario(Scenario::get_faults(1, Fault::status(503)));
    let outage = harness.client.prediction(&created.id).await.unwrap_err();
    assert!(matches!(outage, ReplicateError::Server { status: 503, .. }));
    assert_eq!(
        harness.client.prediction(&created.id).await.unwrap().id,
        created.id
    );
}
