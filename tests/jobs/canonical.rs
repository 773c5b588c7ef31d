//! The canonical `/api/v1/jobs` API end to end on the embedded demo Replicate: a job made,
//! followed by polling and by its event stream, two real images stored with their size,
//! type and checksum behind signed URLs that work (and fail when tampered), `Prefer: wait`,
//! idempotency, per-key isolation, the daily quota, cancel during generation, and every
//! bad request refused with its code and nothing stored.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, on_postgres};
use crate::support::{api_key, job_rows, json_of, poll_until, sha256_hex, with_key};

async fn app(backend: Backend, generation_millis: u64) -> TestApp {
    TestApp::builder()
        .backend(backend)
        .with_workers()
        .configure(move |config| config.jobs.demo_replicate_generation_millis = generation_millis)
        .spawn()
        .await
}

fn ended(body: &Value) -> bool {
    matches!(
        body["status"].as_str(),
        Some("succeeded" | "failed" | "canceled")
    )
}

async fn a_job_makes_real_stored_outputs(backend: Backend) {
    let app = app(backend, 300).await;
    let (_, token) = api_key(&app, false, None).await;
    let (status, created) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
            .json(&json!({"kind": "image", "prompt": "a red fox in the snow", "num_outputs": 2, "seed": 7,
                          "priority": "high", "metadata": {"campaign": "test"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["links"]["self"], format!("/api/v1/jobs/{id}"));
    assert_eq!(created["priority"], "high");
    let job = poll_until(&app, &format!("/api/v1/jobs/{id}"), Some(&token), ended).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(
        job["progress"],
        json!({"percent": 100, "stage": "completed"})
    );
    assert_eq!(job["provider"], "replicate");
    assert_eq!(job["attempts"], 1);
    assert!(job["timings"]["run_ms"].as_i64().unwrap() >= 0);
    let outputs = job["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 2);
    let mut seen = Vec::new();
    for output in outputs {
        assert_eq!(output["status"], "stored");
        assert_eq!(output["content_type"], "image/png");
        let url = output["url"].as_str().unwrap();
        assert!(output["url_expires_at"].is_string());
        let response = app.client.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\x89PNG"));
        assert_eq!(output["size_bytes"].as_u64().unwrap(), bytes.len() as u64);
        assert_eq!(output["sha256"].as_str().unwrap(), sha256_hex(&bytes));
        seen.push(sha256_hex(&bytes));
        let tampered = url.replace("signature=", "signature=0");
        assert_eq!(
            app.client.get(&tampered).send().await.unwrap().status(),
            403
        );
    }
    assert_ne!(seen[0], seen[1], "two outputs, two pictures");
    app.stop().await;
}

#[tokio::test]
async fn a_job_makes_real_stored_outputs_on_sqlite() {
    a_job_makes_real_stored_outputs(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_job_makes_real_stored_outputs_on_postgres() {
    on_postgres(a_job_makes_real_stored_outputs).await;
}

/// Reads a whole SSE stream; the `(event, data)` pairs.
async fn read_events(app: &TestApp, path: &str, token: &str) -> Vec<(String, Value)> {
    let text = with_key(app, Method::GET, path, Some(token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut events = Vec::new();
    for block in text.split("\n\n") {
        let mut name = String::new();
        let mut data = String::new();
        for line in block.lines() {
            if let Some(rest) = line.strip_prefix("event:") {
                name = rest.trim().to_owned();
            } else if let Some(rest) = line.strip_prefix("data:") {
                data.push_str(rest.trim_start());
            }
        }
        if !name.is_empty() {
            events.push((name, serde_json::from_str(&data).unwrap_or(Value::Null)));
        }
    }
    events
}

#[tokio::test]
async fn the_event_stream_follows_a_job_to_its_end_in_order() {
    let app = app(Backend::Sqlite, 800).await;
    let (_, token) = api_key(&app, false, None).await;
    let (_, created) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
            .json(&json!({"prompt": "a lighthouse at dusk"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let events = read_events(&app, &format!("/api/v1/jobs/{id}/events"), &token).await;
    let statuses: Vec<&str> = events
        .iter()
        .filter(|(name, _)| name == "status")
        .map(|(_, job)| job["status"].as_str().unwrap())
        .collect();
    assert_eq!(events.last().unwrap().0, "done", "{events:?}");
    assert_eq!(*statuses.last().unwrap(), "succeeded");
    assert!(statuses.contains(&"processing"), "{statuses:?}");
    let percents: Vec<i64> = events
        .iter()
        .filter(|(name, _)| name == "status")
        .map(|(_, job)| job["progress"]["percent"].as_i64().unwrap())
        .collect();
    assert!(
        percents.windows(2).all(|pair| pair[0] <= pair[1]),
        "{percents:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn prefer_wait_answers_with_the_finished_job() {
    let app = app(Backend::Sqlite, 200).await;
    let (_, token) = api_key(&app, false, None).await;
    let (status, job) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
            .header("prefer", "wait=30")
            .json(&json!({"prompt": "a quick sketch"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["outputs"].as_array().unwrap().len(), 1);
    app.stop().await;
}

async fn idempotency_and_isolation(backend: Backend) {
    let app = app(backend, 200).await;
    let (_, alice) = api_key(&app, false, None).await;
    let (_, bob) = api_key(&app, false, None).await;
    let (_, admin) = api_key(&app, true, None).await;
    let create = |token: &str, body: Value, key: &str| {
        with_key(&app, Method::POST, "/api/v1/jobs", Some(token))
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let body = json!({"prompt": "a cat in a hat"});
    let (first_status, first) =
        json_of(create(&alice, body.clone(), "order-1").await.unwrap()).await;
    assert_eq!(first_status, 201);
    let again = create(&alice, body.clone(), "order-1").await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let (_, again) = json_of(again).await;
    assert_eq!(again["id"], first["id"]);
    let (status, conflict) = json_of(
        create(&alice, json!({"prompt": "a dog"}), "order-1")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, conflict["error"].as_str()),
        (409, Some("idempotency_key_reused"))
    );
    // The same key string from another API key is another request.
    let (status, bobs) = json_of(create(&bob, body.clone(), "order-1").await.unwrap()).await;
    assert_eq!(status, 201);
    assert_ne!(bobs["id"], first["id"]);
    assert_eq!(job_rows(&app).await, 2);

    let path = format!("/api/v1/jobs/{}", first["id"].as_str().unwrap());
    let (status, hidden) = json_of(
        with_key(&app, Method::GET, &path, Some(&bob))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, hidden["error"].as_str()), (404, Some("not_found")));
    let (status, _) = json_of(
        with_key(&app, Method::GET, &path, None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404, "the keyless caller is another client");
    let (status, _) = json_of(
        with_key(&app, Method::GET, &path, Some(&admin))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "an admin key sees every job");
    let (status, cancel) = json_of(
        with_key(&app, Method::POST, &format!("{path}/cancel"), Some(&bob))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, cancel["error"].as_str()), (404, Some("not_found")));

    let (_, listed) = json_of(
        with_key(&app, Method::GET, "/api/v1/jobs", Some(&alice))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| job["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![first["id"].as_str().unwrap()]);
    let (_, everyone) = json_of(
        with_key(&app, Method::GET, "/api/v1/jobs", Some(&admin))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(everyone["data"].as_array().unwrap().len(), 2);
    let (status, keyless) = json_of(
        with_key(&app, Method::GET, "/api/v1/jobs", None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, keyless["error"].as_str()),
        (401, Some("invalid_api_key"))
    );
    app.stop().await;
}

#[tokio::test]
async fn idempotency_and_isolation_on_sqlite() {
    idempotency_and_isolation(Backend::Sqlite).await;
}

#[tokio::test]
async fn idempotency_and_isolation_on_postgres() {
    on_postgres(idempotency_and_isolation).await;
}

#[tokio::test]
async fn the_list_pages_with_a_cursor_and_filters() {
    let app = app(Backend::Sqlite, 100).await;
    let (_, token) = api_key(&app, false, None).await;
    for n in 0..5 {
        let user = if n % 2 == 0 { "even" } else { "odd" };
        let response = with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
            .json(&json!({"prompt": format!("picture {n}"), "user_id": user}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let (_, first) = json_of(
        with_key(&app, Method::GET, "/api/v1/jobs?limit=2", Some(&token))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = json_of(
        with_key(
            &app,
            Method::GET,
            &format!("/api/v1/jobs?limit=2&cursor={cursor}"),
            Some(&token),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    let (_, third) = json_of(
        with_key(
            &app,
            Method::GET,
            &format!(
                "/api/v1/jobs?limit=2&cursor={}",
                second["next_cursor"].as_str().unwrap()
            ),
            Some(&token),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(third["data"].as_array().unwrap().len(), 1);
    assert_eq!(third["has_more"], false);
    let prompts: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|page| {
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|job| job["prompt"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        prompts,
        [
            "picture 4",
            "picture 3",
            "picture 2",
            "picture 1",
            "picture 0"
        ]
    );
    let (_, odd) = json_of(
        with_key(&app, Method::GET, "/api/v1/jobs?user_id=odd", Some(&token))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(odd["data"].as_array().unwrap().len(), 2);
    let (status, bad) = json_of(
        with_key(
            &app,
            Method::GET,
            "/api/v1/jobs?status=exploded",
            Some(&token),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, bad["error"].as_str()),
        (422, Some("invalid_status"))
    );
    let (status, bad) = json_of(
        with_key(&app, Method::GET, "/api/v1/jobs?limit=1000", Some(&token))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, bad["error"].as_str()),
        (422, Some("invalid_page_size"))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_key_over_its_daily_quota_gets_a_clear_429() {
    let app = app(Backend::Sqlite, 100).await;
    let (_, token) = api_key(&app, false, Some(2)).await;
    for _ in 0..2 {
        let response = with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
            .json(&json!({"prompt": "one more"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let response = with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
        .json(&json!({"prompt": "one too many"}))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("retry-after"));
    let (status, body) = json_of(response).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("quota_exceeded")),
        "{body}"
    );
    assert_eq!(job_rows(&app).await, 2);
    app.stop().await;
}

async fn cancel_during_generation(backend: Backend) {
    let app = app(backend, 20_000).await;
    let (_, token) = api_key(&app, false, None).await;
    let (_, created) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
            .json(&json!({"prompt": "a slow masterpiece"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let path = format!("/api/v1/jobs/{}", created["id"].as_str().unwrap());
    let generating = poll_until(&app, &path, Some(&token), |job| {
        job["progress"]["stage"] == "generating"
    })
    .await;
    let prediction = generating["prediction_id"].as_str().unwrap().to_owned();
    let (status, canceled) = json_of(
        with_key(&app, Method::POST, &format!("{path}/cancel"), Some(&token))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{canceled}");
    assert_eq!(canceled["status"], "canceled");
    let demo = app.app.jobs.demo.as_ref().unwrap();
    let at_provider = reqwest::Client::new()
        .get(format!("{}/predictions/{prediction}", demo.api_url()))
        .bearer_auth(demo.api_token())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(at_provider["status"], "canceled", "{at_provider}");
    let (status, again) = json_of(
        with_key(&app, Method::POST, &format!("{path}/cancel"), Some(&token))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, again["error"].as_str()),
        (409, Some("job_finished"))
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (_, after) = json_of(
        with_key(&app, Method::GET, &path, Some(&token))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(after["status"], "canceled");
    assert!(after["outputs"].as_array().unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn cancel_during_generation_on_sqlite() {
    cancel_during_generation(Backend::Sqlite).await;
}

#[tokio::test]
async fn cancel_during_generation_on_postgres() {
    on_postgres(cancel_during_generation).await;
}

#[tokio::test]
async fn bad_requests_get_their_codes_and_store_nothing() {
    let app = app(Backend::Sqlite, 100).await;
    let (_, token) = api_key(&app, false, None).await;
    let cases = [
        (
            json!({"prompt": "x", "kind": "hologram"}),
            422,
            "unknown_kind",
        ),
        (
            json!({"prompt": "x", "model": "someone/unheard-of"}),
            422,
            "unknown_model",
        ),
        (
            json!({"prompt": "x", "num_outputs": 500}),
            422,
            "invalid_num_outputs",
        ),
        (json!({"prompt": "x".repeat(4_001)}), 422, "prompt_too_long"),
        (
            json!({"prompt": "x", "parameters": {"blob": "y".repeat(20_000)}}),
            422,
            "parameters_too_large",
        ),
        (
            json!({"prompt": "x", "webhook_url": "http://10.0.0.7/hook"}),
            422,
            "webhook_url_private",
        ),
        (
            json!({"prompt": "x", "webhook_url": "not a url"}),
            422,
            "webhook_url_invalid",
        ),
        (json!(["not", "an", "object"]), 400, "invalid_json"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = json_of(
            with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(code)),
            "{answer}"
        );
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|message| !message.is_empty())
        );
    }
    let (status, answer) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", None)
            .json(&json!({"prompt": "x", "webhook_url": "https://example.com/hook"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (422, Some("webhook_requires_key"))
    );
    let huge = json!({"prompt": "x", "metadata": {"blob": "y".repeat(100_000)}});
    let (status, answer) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
            .json(&huge)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (413, Some("payload_too_large"))
    );
    assert_eq!(job_rows(&app).await, 0, "nothing half-created");

    let (_, done) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", Some(&token))
            .header("prefer", "wait=30")
            .json(&json!({"prompt": "quick"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(done["status"], "succeeded");
    let (status, answer) = json_of(
        with_key(
            &app,
            Method::DELETE,
            &format!("/api/v1/jobs/{}", done["id"].as_str().unwrap()),
            Some(&token),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (409, Some("job_finished"))
    );
    app.stop().await;
}
