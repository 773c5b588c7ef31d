//! Shared set-up: a fake on `127.0.0.1:0` with fast steps, a client, and a tiny webhook
//! receiver that records what the fake posts to it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use serenade::provider::fake::{FakeSonauto, FakeSonautoConfig, start};

/// Every status of a plain (non-streaming) successful generation, in order.
pub const SUCCESS_TIMELINE: &[&str] = &[
    "RECEIVED",
    "PROMPT",
    "TASK_SENT",
    "GENERATE_TASK_STARTED",
    "BEGINNING_GENERATION",
    "GENERATING",
    "DECOMPRESSING",
    "SAVING",
    "SUCCESS",
];

/// A config with 10 ms steps and 3-second songs.
pub fn fast() -> FakeSonautoConfig {
    FakeSonautoConfig {
        step_millis: 10,
        song_seconds: 3,
        ..FakeSonautoConfig::default()
    }
}

/// A fake and a client for it.
pub struct Harness {
    pub fake: FakeSonauto,
    pub client: reqwest::Client,
}

impl Harness {
    pub async fn start(config: FakeSonautoConfig) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = start(config, listener).await.unwrap();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Self { fake, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.fake.api_url())
    }

    /// `POST /v1/generations/v3` with the right key.
    pub async fn post(&self, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url("/generations/v3"))
            .bearer_auth(self.fake.api_key())
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Starts a generation and returns its task id.
    pub async fn generate(&self, body: &Value) -> String {
        let response = self.post(body).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["task_id"].as_str().unwrap().to_owned()
    }

    /// An authenticated GET on `/v1{path}`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(self.fake.api_key())
            .send()
            .await
            .unwrap()
    }

    /// The full generation object.
    pub async fn generation(&self, id: &str) -> Value {
        let response = self.get(&format!("/generations/{id}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Polls the status endpoint until SUCCESS or FAILURE; returns it.
    pub async fn wait_terminal(&self, id: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status: String = self
                .get(&format!("/generations/status/{id}"))
                .await
                .json()
                .await
                .unwrap();
            if status == "SUCCESS" || status == "FAILURE" {
                return status;
            }
            assert!(Instant::now() < deadline, "{id} stuck in {status}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// The recommended request body, with a webhook when given.
pub fn song_request(webhook_url: Option<&str>) -> Value {
    let mut body = json!({
        "prompt": "Heartfelt, romantic acoustic-pop Valentine's love song celebrating Matt and \
                   his dog Toby. Mention both names in the lyrics.",
        "instrumental": false,
        "output_format": "mp3",
        "output_bit_rate": 192,
    });
    if let Some(url) = webhook_url {
        body["webhook_url"] = json!(url);
    }
    body
}

/// One webhook the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Value,
}

/// A tiny webhook endpoint on `127.0.0.1:0`, answering with a fixed status.
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(answer: StatusCode) -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let sink = received.clone();
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let sink = sink.clone();
                async move {
                    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    sink.lock().unwrap().push(Received { headers, body });
                    answer
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The `status` of each webhook so far, in arrival order.
    pub fn statuses(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|hook| hook.body["status"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Waits until `count` webhooks arrived, then a little longer to catch any extra one.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.received.lock().unwrap().len() < count {
            assert!(
                Instant::now() < deadline,
                "only {:?} arrived",
                self.statuses()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        self.received()
    }
}

/// Waits until `check` holds, polling every 10 ms for up to 20 s.
pub async fn eventually(mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "condition not reached in time");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
