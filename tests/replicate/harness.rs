//! Shared set-up: a fake Replicate on `127.0.0.1:0` with fast timings, the real client for it,
//! and a tiny webhook receiver that verifies every delivery with the account's secret and
//! records what it accepted and refused.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::json;
use serenade::provider::replicate::fake::{FakeReplicate, FakeReplicateConfig};
use serenade::provider::replicate::{
    CreatePrediction, Prediction, PredictionTarget, ReplicateClient, ReplicateWebhook,
    WebhookEvent, verify_webhook,
};
use serenade::webhooks::WebhookSecret;

/// A config with a 30 ms boot and a 150 ms generation.
pub fn fast() -> FakeReplicateConfig {
    FakeReplicateConfig {
        starting_millis: 30,
        generation_millis: 150,
        ..FakeReplicateConfig::default()
    }
}

/// A running fake and a client holding its token.
pub struct Harness {
    pub fake: FakeReplicate,
    pub client: ReplicateClient,
}

impl Harness {
    pub async fn start(config: FakeReplicateConfig) -> Self {
        let fake = FakeReplicate::start(config).await.unwrap();
        let client = client_for(&fake.api_url(), fake.api_token(), Duration::from_secs(10));
        Self { fake, client }
    }

    /// Polls until the prediction is terminal; returns it.
    pub async fn wait_terminal(&self, id: &str) -> Prediction {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let prediction = self.client.prediction(id).await.unwrap();
            if prediction.is_terminal() {
                return prediction;
            }
            assert!(
                Instant::now() < deadline,
                "{id} stuck in {:?}",
                prediction.status
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub fn client_for(api_url: &str, token: &str, timeout: Duration) -> ReplicateClient {
    ReplicateClient::new(api_url, token.to_owned().into(), timeout).unwrap()
}

/// A call to an official image model.
pub fn image_call(prompt: &str, num_outputs: u32) -> CreatePrediction {
    CreatePrediction::new(
        PredictionTarget::model("black-forest-labs", "flux-schnell"),
        json!({ "prompt": prompt, "num_outputs": num_outputs }),
    )
}

/// The same call with a webhook and an events filter.
pub fn with_webhook(
    mut call: CreatePrediction,
    url: &str,
    events: Option<Vec<WebhookEvent>>,
) -> CreatePrediction {
    call.webhook = Some(url.to_owned());
    call.webhook_events_filter = events;
    call
}

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The verified webhook, or why it was refused.
    pub verified: Result<ReplicateWebhook, String>,
}

#[derive(Clone)]
struct ReceiverState {
    secret: Arc<WebhookSecret>,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
}

/// A webhook endpoint on `127.0.0.1:0`: 204 for a verified delivery, 401 otherwise.
pub struct Receiver {
    pub url: String,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    pub async fn start(secret: WebhookSecret) -> Self {
        let state = ReceiverState {
            secret: Arc::new(secret),
            deliveries: Arc::default(),
        };
        let deliveries = state.deliveries.clone();
        let app = Router::new()
            .route("/hooks/replicate", post(receive))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/replicate", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, deliveries }
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries.lock().unwrap().clone()
    }

    /// The verified webhooks so far, in arrival order.
    pub fn verified(&self) -> Vec<ReplicateWebhook> {
        self.deliveries()
            .into_iter()
            .filter_map(|delivery| delivery.verified.ok())
            .collect()
    }

    /// Waits until a verified webhook reports a terminal prediction, then a little longer to
    /// catch any extra one; returns every verified webhook.
    pub async fn wait_for_completion(&self) -> Vec<ReplicateWebhook> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self
            .verified()
            .iter()
            .any(|hook| hook.prediction.is_terminal())
        {
            assert!(
                Instant::now() < deadline,
                "no completed webhook: {:?}",
                self.deliveries()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.verified()
    }

    /// Waits until `count` verified webhooks arrived; returns them.
    pub async fn wait_for_verified(&self, count: usize) -> Vec<ReplicateWebhook> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.verified().len() < count {
            assert!(Instant::now() < deadline, "only {:?}", self.deliveries());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.verified()
    }
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let verified = verify_webhook(&state.secret, &headers, &body, SystemTime::now())
        .map_err(|error| error.to_string());
    let status = if verified.is_ok() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::UNAUTHORIZED
    };
    state.deliveries.lock().unwrap().push(Delivery {
        headers,
        body,
        verified,
    });
    status
}
