//! Refusals and injected faults: 401 on every route, each 422 validation case, 402, 429 with
//! Retry-After, 5xx, and requests that hang (with and without the generation being accepted).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use serenade::provider::fake::{FakeSonautoConfig, Fault, FaultBurst, Scenario};

use crate::harness::{Harness, eventually, fast, song_request};

#[tokio::test]
async fn every_v1_route_refuses_a_missing_or_wrong_key() {
    let harness = Harness::start(fast()).await;
    let id = harness.generate(&song_request(None)).await;
    let routes = [
        (reqwest::Method::POST, "/generations/v3".to_owned()),
        (reqwest::Method::GET, format!("/generations/status/{id}")),
        (reqwest::Method::GET, format!("/generations/{id}")),
        (reqwest::Method::GET, "/credits/balance".to_owned()),
    ];
    for (method, path) in &routes {
        for key in [None, Some("wrong-key")] {
            let mut request = harness
                .client
                .request(method.clone(), harness.url(path))
                .json(&song_request(None));
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body, json!({"detail": "Invalid API key"}));
        }
    }
    let stats = harness.fake.control().stats();
    assert_eq!((stats.unauthorized, stats.accepted), (8, 1));
}

#[tokio::test]
async fn each_validation_rule_answers_a_fastapi_422() {
    let harness = Harness::start(fast()).await;
    let cases = [
        (json!({"instrumental": false}), "prompt", "at least one"),
        (
            json!({"prompt": "x", "tags": ["pop"], "lyrics": "la"}),
            "prompt",
            "all three",
        ),
        (
            json!({"prompt": "", "lyrics": "la", "instrumental": true}),
            "lyrics",
            "instrumental",
        ),
        (
            json!({"prompt": "x", "output_format": "aac"}),
            "output_format",
            "output_format",
        ),
        (
            json!({"prompt": "x", "output_bit_rate": 160}),
            "output_bit_rate",
            "128",
        ),
        (
            json!({"prompt": "x", "length_range": [40, 60]}),
            "length_range",
            "multiples of 30",
        ),
        (
            json!({"prompt": "x", "length_range": [0, 330]}),
            "length_range",
            "max <= 300",
        ),
        (
            json!({"prompt": "x", "length_range": [90, 60]}),
            "length_range",
            "max > min",
        ),
        (
            json!({"prompt": "x", "tags": ["love song", "pop"]}),
            "tags",
            "Invalid tags: love song",
        ),
        (
            json!({"prompt": "x", "negative_tags": ["valentine"]}),
            "negative_tags",
            "Invalid tags",
        ),
    ];
    for (body, field, message) in cases {
        let response = harness.post(&body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let answer: Value = response.json().await.unwrap();
        let detail = &answer["detail"][0];
        assert_eq!(detail["type"], "value_error", "{body}");
        assert_eq!(detail["loc"], json!(["body", field]), "{body}");
        let msg = detail["msg"].as_str().unwrap();
        assert!(
            msg.starts_with("Value error, ") && msg.contains(message),
            "{msg}"
        );
    }
    let stats = harness.fake.control().stats();
    assert_eq!((stats.posts, stats.accepted), (10, 0));
}

#[tokio::test]
async fn the_allow_list_of_tags_is_configurable() {
    let harness = Harness::start(FakeSonautoConfig {
        allowed_tags: vec!["love song".to_owned()],
        ..fast()
    })
    .await;
    let accepted = harness
        .post(&json!({"prompt": "x", "tags": ["Love Song"]}))
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let refused = harness.post(&json!({"prompt": "x", "tags": ["pop"]})).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn forced_post_faults_answer_in_order_then_stop() {
    let harness = Harness::start(fast()).await;
    let control = harness.fake.control();
    control.set_scenario(Scenario::post_faults(2, Fault::rate_limited(7)));

    for _ in 0..2 {
        let limited = harness.post(&song_request(None)).await;
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.headers()["retry-after"], "7");
    }
    assert_eq!(
        harness.post(&song_request(None)).await.status(),
        StatusCode::OK
    );

    for (status, detail) in [(402, "Insufficient credits"), (401, "Invalid API key")] {
        control.set_scenario(Scenario::post_faults(1, Fault::status(status)));
        let response = harness.post(&song_request(None)).await;
        assert_eq!(response.status().as_u16(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"detail": detail}));
    }
    control.set_scenario(Scenario::post_faults(1, Fault::status(500)));
    assert_eq!(
        harness.post(&song_request(None)).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    control.set_scenario(Scenario::post_faults(1, Fault::status(422)));
    let forced: Value = harness
        .post(&song_request(None))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(forced["detail"][0]["type"], "value_error");
    let stats = control.stats();
    assert_eq!((stats.posts, stats.accepted), (7, 1));
}

#[tokio::test]
async fn a_hung_post_never_answers_and_creates_nothing() {
    let harness = Harness::start(fast()).await;
    let control = harness.fake.control();
    control.set_scenario(Scenario::post_faults(1, Fault::Hang));

    let attempt = harness
        .client
        .post(harness.url("/generations/v3"))
        .bearer_auth(harness.fake.api_key())
        .json(&song_request(None))
        .timeout(Duration::from_millis(300))
        .send()
        .await;

    assert!(attempt.unwrap_err().is_timeout());
    let stats = control.stats();
    assert_eq!((stats.posts, stats.accepted), (1, 0));
    harness.fake.stop().await;
}

#[tokio::test]
async fn accept_then_hang_bills_a_song_the_client_never_heard_about() {
    let harness = Harness::start(FakeSonautoConfig {
        initial_credits: 100,
        ..fast()
    })
    .await;
    let control = harness.fake.control();
    control.set_scenario(Scenario::post_faults(1, Fault::AcceptThenHang));

    let attempt = harness
        .client
        .post(harness.url("/generations/v3"))
        .bearer_auth(harness.fake.api_key())
        .json(&song_request(None))
        .timeout(Duration::from_millis(300))
        .send()
        .await;

    assert!(attempt.unwrap_err().is_timeout());
    eventually(|| control.stats().succeeded == 1).await;
    assert_eq!(control.balance().total(), 0);
    let retry = harness.post(&song_request(None)).await;
    assert_eq!(retry.status(), StatusCode::PAYMENT_REQUIRED);
    harness.fake.stop().await;
}

#[tokio::test]
async fn accept_then_status_bills_a_song_behind_a_gateway_error_or_an_empty_answer() {
    let harness = Harness::start(FakeSonautoConfig {
        initial_credits: 1000,
        ..fast()
    })
    .await;
    let control = harness.fake.control();
    control.set_scenario(Scenario::post_faults(
        1,
        Fault::AcceptThenStatus { status: 504 },
    ));
    let gateway = harness.post(&song_request(None)).await;
    assert_eq!(gateway.status(), StatusCode::GATEWAY_TIMEOUT);
    let body: serde_json::Value = gateway.json().await.unwrap();
    assert!(body.get("task_id").is_none(), "{body}");

    control.set_scenario(Scenario::post_faults(
        1,
        Fault::AcceptThenStatus { status: 200 },
    ));
    let empty = harness.post(&song_request(None)).await;
    assert_eq!(empty.status(), StatusCode::OK);
    assert_eq!(
        empty.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({})
    );

    let stats = control.stats();
    assert_eq!((stats.posts, stats.accepted), (2, 2), "both were created");
    eventually(|| control.stats().succeeded == 2).await;
    assert_eq!(control.balance().total(), 1000 - 2 * 100);
    harness.fake.stop().await;
}

#[tokio::test]
async fn get_faults_hit_the_status_endpoint_too() {
    let harness = Harness::start(fast()).await;
    let id = harness.generate(&song_request(None)).await;
    harness.fake.control().set_scenario(Scenario {
        get_faults: Some(FaultBurst {
            count: 1,
            fault: Fault::status(503),
        }),
        ..Scenario::default()
    });

    let failed = harness.get(&format!("/generations/status/{id}")).await;
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
    let next = harness.get(&format!("/generations/status/{id}")).await;
    assert_eq!(next.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_read_outage_lasts_by_the_clock() {
    let harness = Harness::start(fast()).await;
    let id = harness.generate(&song_request(None)).await;
    harness.fake.control().set_scenario(Scenario {
        read_outage_seconds: Some(0.5),
        ..Scenario::default()
    });
    for _ in 0..3 {
        let refused = harness.get(&format!("/generations/{id}")).await;
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    let back = harness.get(&format!("/generations/{id}")).await;
    assert_eq!(back.status(), StatusCode::OK);
}
