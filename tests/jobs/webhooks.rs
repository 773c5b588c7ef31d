//! Outbound webhooks against a real receiver on 127.0.0.1 (allow-listed through
//! `JOBS_WEBHOOK_ALLOWED_HOSTS`): a delivery verifies with the key's secret and a tampered or
//! forged one does not; failures are retried with the same `webhook-id` and every attempt is
//! recorded; the `jobs.webhook` kind requeues a failure on its schedule and ends on 2xx or 410
//! Gone; a private address is refused when the job is created and again when sending.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use serenade::clock::now_ms;
use serenade::engine::{Job, NewJob, Outcome};
use serenade::webhooks::{
    WebhookHeaders, WebhookSecret, WebhookVerifyError, unix_seconds, verify_with_secret,
};
use serenade::workflows::jobs::keys::caller::{Caller, JobsCaller};
use serenade::workflows::jobs::keys::generate_key;
use serenade::workflows::jobs::keys::store::NewApiKey;
use serenade::workflows::jobs::webhooks::{
    Delivery, KIND, QUEUE, SendWebhook, WebhookEventPayload, check_webhook_url, deliver, event_job,
    secret,
};

use crate::common::{Backend, TestApp, on_postgres};

/// One request a receiver got: its headers and raw body.
type Received = (HeaderMap, Vec<u8>);

/// A webhook endpoint answering from a script (then 200), keeping what it receives.
#[derive(Clone, Default)]
struct Receiver {
    answers: Arc<Mutex<VecDeque<u16>>>,
    seen: Arc<Mutex<Vec<Received>>>,
    addr: Option<SocketAddr>,
}

impl Receiver {
    async fn start(answers: &[u16]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut receiver = Self {
            answers: Arc::new(Mutex::new(answers.iter().copied().collect())),
            ..Self::default()
        };
        receiver.addr = Some(listener.local_addr().unwrap());
        let router = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        receiver
    }

    fn addr(&self) -> SocketAddr {
        self.addr.unwrap()
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr())
    }

    fn seen(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    receiver.seen.lock().unwrap().push((headers, body.to_vec()));
    let answer = receiver.answers.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(answer).unwrap()
}

/// An app whose webhook allow-list is `allowed`.
async fn app(backend: Backend, allowed: Vec<String>) -> TestApp {
    TestApp::builder()
        .backend(backend)
        .configure(move |config| config.jobs.jobs_webhook_allowed_hosts = allowed)
        .spawn()
        .await
}

/// A stored key: `(id, token)`.
async fn key(app: &TestApp) -> (String, String) {
    let generated = generate_key();
    let id = format!("key_{}", cuid2::create_id());
    app.db()
        .insert_api_key(&NewApiKey {
            id: id.clone(),
            name: "webhook client".into(),
            secret_hash: generated.secret_hash,
            admin: false,
            requests_per_minute: 10_000,
            jobs_per_day: None,
            created_at: now_ms(),
        })
        .await
        .unwrap();
    (id, generated.token)
}

/// A job made through the API (it stays queued: no workers run), with `webhook_url`.
async fn job(app: &TestApp, token: &str, webhook_url: Option<&str>) -> String {
    let mut body = json!({"prompt": "a heron at dawn"});
    if let Some(url) = webhook_url {
        body["webhook_url"] = json!(url);
    }
    let response = app
        .client
        .post(app.url("/api/v1/jobs"))
        .header("x-api-key", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let created: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

fn event(job_id: &str, key_id: &str, url: &str) -> WebhookEventPayload {
    WebhookEventPayload {
        event_id: format!("msg_{}", cuid2::create_id()),
        event_type: "job.succeeded".into(),
        job_id: job_id.to_owned(),
        key_id: key_id.to_owned(),
        url: url.to_owned(),
    }
}

async fn key_secret(app: &TestApp, key_id: &str) -> String {
    let secret = app.db().api_key_webhook_secret(key_id).await.unwrap();
    secret.unwrap().expose_secret().to_owned()
}

fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookVerifyError> {
    let headers = WebhookHeaders::from_header_map(headers)?;
    verify_with_secret(secret, &headers, body, SystemTime::now())
}

async fn a_delivery_verifies_with_the_keys_secret(backend: Backend) {
    let receiver = Receiver::start(&[]).await;
    let app = app(backend, vec![receiver.addr().to_string()]).await;
    let (key_id, token) = key(&app).await;
    let job_id = job(&app, &token, Some(&receiver.url())).await;
    let payload = event(&job_id, &key_id, &receiver.url());

    let delivery = deliver(&app.app, &payload, 1).await.unwrap();
    assert!(
        matches!(delivery, Delivery::Delivered { status: 200 }),
        "{delivery:?}"
    );
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    let (headers, body) = &seen[0];
    assert_eq!(headers["webhook-id"], payload.event_id.as_str());
    assert_eq!(headers["content-type"], "application/json");
    let sent_at: i64 = headers["webhook-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((unix_seconds(SystemTime::now()) - sent_at).abs() <= 5);

    let whsec = key_secret(&app, &key_id).await;
    assert!(whsec.starts_with("whsec_"));
    verify(&whsec, headers, body).unwrap();
    let event: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(event["type"], "job.succeeded");
    assert_eq!(event["data"]["id"], job_id.as_str());
    assert_eq!(event["data"]["object"], "job");
    assert!(
        event["timestamp"].as_str().unwrap().ends_with('Z'),
        "{event}"
    );

    // A changed body, or one signed with another secret, does not verify.
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let refused = verify(&whsec, headers, &tampered).unwrap_err();
    assert_eq!(refused, WebhookVerifyError::NoMatchingSignature);
    let forged = WebhookSecret::generate().signed_headers(&payload.event_id, sent_at, body);
    let mut forged_headers = headers.clone();
    forged_headers.insert("webhook-signature", forged.signature.parse().unwrap());
    let refused = verify(&whsec, &forged_headers, body).unwrap_err();
    assert_eq!(refused, WebhookVerifyError::NoMatchingSignature);

    let records = app.db().webhook_deliveries(&job_id).await.unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(
        (record.attempt, record.status_code, record.delivered),
        (1, Some(200), true)
    );
    assert_eq!(record.event_id, payload.event_id);
    assert_eq!(record.url, receiver.url());
    assert_eq!(record.error, None);
    assert!(record.at.ends_with('Z'));
    let shown = serde_json::to_value(record).unwrap();
    assert_eq!(shown["delivered"], true);

    // The secret stays the key's, and the key's holder can read it (keyless callers cannot).
    assert_eq!(key_secret(&app, &key_id).await, whsec);
    let record = app.db().api_key(&key_id).await.unwrap().unwrap();
    let Json(answer) = secret(JobsCaller(Caller { key: record }), State(app.app.clone()))
        .await
        .unwrap();
    assert_eq!(answer, json!({"key": whsec}));
    let anonymous = app.db().api_key("anonymous").await.unwrap().unwrap();
    let keyless = secret(
        JobsCaller(Caller { key: anonymous }),
        State(app.app.clone()),
    )
    .await;
    assert!(keyless.is_err());
}

#[tokio::test]
async fn a_delivery_verifies_with_the_keys_secret_on_sqlite() {
    a_delivery_verifies_with_the_keys_secret(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_delivery_verifies_with_the_keys_secret_on_postgres() {
    on_postgres(a_delivery_verifies_with_the_keys_secret).await;
}

async fn failures_are_retried_with_the_same_webhook_id(backend: Backend) {
    let receiver = Receiver::start(&[500, 500]).await;
    let app = app(backend, vec![receiver.addr().to_string()]).await;
    let (key_id, token) = key(&app).await;
    let job_id = job(&app, &token, Some(&receiver.url())).await;
    let payload = event(&job_id, &key_id, &receiver.url());

    for attempt in 1..=3 {
        let delivery = deliver(&app.app, &payload, attempt).await.unwrap();
        match (attempt, &delivery) {
            (1 | 2, Delivery::Failed { error, .. }) => assert!(error.contains("500"), "{error}"),
            (3, Delivery::Delivered { status: 200 }) => {}
            _ => panic!("attempt {attempt}: {delivery:?}"),
        }
    }
    let secret = key_secret(&app, &key_id).await;
    let seen = receiver.seen();
    assert_eq!(seen.len(), 3);
    for (headers, body) in &seen {
        assert_eq!(headers["webhook-id"], payload.event_id.as_str());
        verify(&secret, headers, body).unwrap();
    }
    let records = app.db().webhook_deliveries(&job_id).await.unwrap();
    let summary: Vec<_> = records
        .iter()
        .map(|record| (record.attempt, record.status_code, record.delivered))
        .collect();
    assert_eq!(
        summary,
        [
            (1, Some(500), false),
            (2, Some(500), false),
            (3, Some(200), true)
        ]
    );
    assert!(
        records
            .iter()
            .all(|record| record.event_id == payload.event_id)
    );
    assert!(records[0].error.as_deref().unwrap().contains("500"));
}

#[tokio::test]
async fn failures_are_retried_with_the_same_webhook_id_on_sqlite() {
    failures_are_retried_with_the_same_webhook_id(Backend::Sqlite).await;
}

#[tokio::test]
async fn failures_are_retried_with_the_same_webhook_id_on_postgres() {
    on_postgres(failures_are_retried_with_the_same_webhook_id).await;
}

/// The engine row of job `id`: its state and how far off its next run is (ms).
async fn engine_job(app: &TestApp, id: &str) -> (String, i64) {
    let sql = "select state, run_at from jobs where id = $1";
    let (state, run_at): (String, i64) = match app.db() {
        serenade::db::Db::Sqlite(pool) => sqlx::query_as(sql).bind(id).fetch_one(pool).await,
        serenade::db::Db::Postgres(pool) => sqlx::query_as(sql).bind(id).fetch_one(pool).await,
    }
    .unwrap();
    (state, run_at - now_ms())
}

/// Makes job `id` due now.
async fn make_due(app: &TestApp, id: &str) {
    let sql = "update jobs set run_at = 0 where id = $1";
    match app.db() {
        serenade::db::Db::Sqlite(pool) => sqlx::query(sql).bind(id).execute(pool).await.map(drop),
        serenade::db::Db::Postgres(pool) => sqlx::query(sql).bind(id).execute(pool).await.map(drop),
    }
    .unwrap();
}

/// Claims and runs the next `jobs.webhook` job.
async fn run_next(app: &TestApp) -> (String, Outcome) {
    let claimed = app
        .db()
        .claim_job(QUEUE, None, "webhook-test", 30_000)
        .await
        .unwrap()
        .expect("a due webhook job");
    let payload: WebhookEventPayload = serde_json::from_str(&claimed.payload).unwrap();
    let outcome = SendWebhook.run(&app.app, &claimed, payload).await.unwrap();
    (claimed.id, outcome)
}

async fn the_kind_retries_on_its_schedule_and_ends_on_gone(backend: Backend) {
    let receiver = Receiver::start(&[503, 410]).await;
    let app = app(backend, vec![receiver.addr().to_string()]).await;
    let (_, token) = key(&app).await;
    let job_id = job(&app, &token, Some(&receiver.url())).await;
    let row = app.db().api_job(&job_id).await.unwrap().unwrap();
    let queued = event_job(&row, "job.succeeded").unwrap();
    assert!(app.db().enqueue(&queued).await.unwrap());

    let (id, outcome) = run_next(&app).await;
    assert!(matches!(outcome, Outcome::Done), "{outcome:?}");
    let (state, due_in) = engine_job(&app, &id).await;
    assert_eq!(state, "available");
    assert!((3_500..=6_000).contains(&due_in), "{due_in} ms");

    make_due(&app, &id).await;
    let (again, outcome) = run_next(&app).await;
    assert_eq!(again, id);
    assert!(matches!(outcome, Outcome::Done), "{outcome:?}");
    assert_eq!(engine_job(&app, &id).await.0, "completed");

    let records = app.db().webhook_deliveries(&job_id).await.unwrap();
    let summary: Vec<_> = records
        .iter()
        .map(|record| (record.attempt, record.status_code, record.delivered))
        .collect();
    assert_eq!(summary, [(1, Some(503), false), (2, Some(410), false)]);
    assert_eq!(records[0].event_id, records[1].event_id);
    assert!(records[1].error.as_deref().unwrap().contains("410"));
    assert_eq!(receiver.seen().len(), 2);
}

#[tokio::test]
async fn the_kind_retries_on_its_schedule_and_ends_on_gone_on_sqlite() {
    the_kind_retries_on_its_schedule_and_ends_on_gone(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_kind_retries_on_its_schedule_and_ends_on_gone_on_postgres() {
    on_postgres(the_kind_retries_on_its_schedule_and_ends_on_gone).await;
}

async fn private_addresses_are_refused(backend: Backend) {
    let receiver = Receiver::start(&[]).await;
    let private = receiver.url();
    for url in ["http://10.0.0.1/hook", private.as_str()] {
        let refused = check_webhook_url(url, &[]).unwrap_err();
        assert_eq!(refused.code(), "webhook_url_private", "{url}");
    }
    // Listing another port of the same host opens nothing here.
    let other_port = format!("127.0.0.1:{}", receiver.addr().port().wrapping_add(1));
    let app = app(backend, vec![other_port.clone()]).await;
    let refused = check_webhook_url(&private, &[other_port]).unwrap_err();
    assert_eq!(refused.code(), "webhook_url_private");

    // An event whose URL is no longer allowed when it is sent: refused, recorded, not sent.
    let (key_id, token) = key(&app).await;
    let job_id = job(&app, &token, None).await;
    let payload = event(&job_id, &key_id, &private);
    let delivery = deliver(&app.app, &payload, 1).await.unwrap();
    let Delivery::Refused(error) = delivery else {
        panic!("{delivery:?}");
    };
    assert_eq!(error.code(), "webhook_url_private");
    assert!(receiver.seen().is_empty());
    let records = app.db().webhook_deliveries(&job_id).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].status_code, records[0].delivered),
        (None, false)
    );
    assert!(
        records[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("webhook_url_private")
    );

    // Through the kind, a refusal ends the event.
    let row = app.db().api_job(&job_id).await.unwrap().unwrap();
    assert!(
        event_job(&row, "job.succeeded").is_none(),
        "no webhook was asked for"
    );
    let forced = NewJob::new(KIND, QUEUE, serde_json::to_string(&payload).unwrap()).attempts(3);
    assert!(app.db().enqueue(&forced).await.unwrap());
    let (_, outcome) = run_next(&app).await;
    assert!(matches!(outcome, Outcome::Fail { .. }), "{outcome:?}");
}

#[tokio::test]
async fn private_addresses_are_refused_on_sqlite() {
    private_addresses_are_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn private_addresses_are_refused_on_postgres() {
    on_postgres(private_addresses_are_refused).await;
}

/// Waits until the receiver holds `count` requests (at most 30 s).
async fn received(receiver: &Receiver, count: usize) -> Vec<Received> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let seen = receiver.seen();
        if seen.len() >= count {
            return seen;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} webhooks arrived",
            seen.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn a_real_job_sends_signed_events_and_shows_them(backend: Backend) {
    let receiver = Receiver::start(&[]).await;
    let allowed = vec![receiver.addr().to_string()];
    let app = TestApp::builder()
        .backend(backend)
        .with_workers()
        .configure(move |config| {
            config.jobs.jobs_webhook_allowed_hosts = allowed;
            config.jobs.demo_replicate_generation_millis = 200;
        })
        .spawn()
        .await;
    let (_, token) = key(&app).await;
    let secret: Value = app
        .client
        .get(app.url("/api/v1/webhooks/secret"))
        .header("x-api-key", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = secret["key"].as_str().unwrap().to_owned();
    let id = job(&app, &token, Some(&receiver.url())).await;
    let seen = received(&receiver, 2).await;
    let mut types = Vec::new();
    for (headers, body) in &seen {
        verify(&secret, headers, body).unwrap();
        let event: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(event["data"]["id"], id.as_str());
        types.push(event["type"].as_str().unwrap().to_owned());
    }
    assert_eq!(types, ["job.started", "job.succeeded"]);
    let succeeded: Value = serde_json::from_slice(&seen[1].1).unwrap();
    assert_eq!(succeeded["data"]["status"], "succeeded");
    assert_eq!(succeeded["data"]["outputs"][0]["status"], "stored");

    let view: Value = app
        .client
        .get(app.url(&format!("/api/v1/jobs/{id}")))
        .header("x-api-key", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deliveries = view["webhook"]["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2, "{view}");
    assert!(
        deliveries
            .iter()
            .all(|delivery| delivery["delivered"] == true && delivery["status_code"] == 200)
    );

    // A cancel's event is not dropped with the job's other waiting work.
    let mut body = json!({"prompt": "cancel me", "webhook_url": receiver.url(), "webhook_events": ["job.canceled"]});
    body["priority"] = json!("low");
    app.app.jobs.demo.as_ref().unwrap().control().set_scenario(
        serenade::provider::replicate::fake::Scenario {
            generation_millis: Some(20_000),
            ..Default::default()
        },
    );
    let created: Value = app
        .client
        .post(app.url("/api/v1/jobs"))
        .header("x-api-key", &token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cancel_id = created["id"].as_str().unwrap();
    let canceled = app
        .client
        .post(app.url(&format!("/api/v1/jobs/{cancel_id}/cancel")))
        .header("x-api-key", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(canceled.status(), 200);
    let seen = received(&receiver, 3).await;
    let last: Value = serde_json::from_slice(&seen[2].1).unwrap();
    assert_eq!(
        (last["type"].as_str(), last["data"]["id"].as_str()),
        (Some("job.canceled"), Some(cancel_id))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_real_job_sends_signed_events_and_shows_them_on_sqlite() {
    a_real_job_sends_signed_events_and_shows_them(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_real_job_sends_signed_events_and_shows_them_on_postgres() {
    on_postgres(a_real_job_sends_signed_events_and_shows_them).await;
}
