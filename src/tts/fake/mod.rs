//! A fake OpenAI-compatible speech API: a real HTTP server started in process by tests
//! ([`FakeTts::start`]) or by a `serenade fake-tts` command ([`serve`]), checking the Bearer
//! key and the body as OpenAI does, answering a WAV whose length follows the text, with
//! run-time fault injection and counters ([`FakeTtsControl`]).

mod admin;
mod api;
mod config;
mod control;
mod server;
mod state;
mod voice;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, ensure};
use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::provider::fake_server::public_base_url;

pub use api::{MAX_INPUT_CHARS, VOICES};
pub use config::{DEFAULT_MODELS, FakeTtsConfig};
pub use control::{FakeTtsControl, FakeTtsStats, Fault, FaultBurst};

/// How long `stop` waits for the server before aborting it.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// A running fake; stopped by [`FakeTts::stop`] (or, without waiting, when dropped).
#[derive(Debug)]
pub struct FakeTts {
    addr: SocketAddr,
    shared: Arc<state::Shared>,
    server: Option<JoinHandle<()>>,
}

/// Runs a fake on `listener` until `until` completes, then stops it (the CLI's entry point).
pub async fn serve(
    config: FakeTtsConfig,
    listener: TcpListener,
    until: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let fake = FakeTts::start_on(config, listener)?;
    tracing::info!(api = %fake.api_url(), "fake TTS listening");
    until.await;
    fake.stop().await;
    Ok(())
}

impl FakeTts {
    /// A fake on `127.0.0.1` and a free port.
    pub async fn start(config: FakeTtsConfig) -> anyhow::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .context("binding the fake TTS to 127.0.0.1")?;
        Self::start_on(config, listener)
    }

    /// A fake serving on `listener`.
    pub fn start_on(config: FakeTtsConfig, listener: TcpListener) -> anyhow::Result<Self> {
        ensure!(
            !config.api_key.is_empty(),
            "--fake-tts-api-key must not be empty"
        );
        ensure!(
            (8_000..=48_000).contains(&config.sample_rate),
            "--fake-tts-sample-rate must be between 8000 and 48000"
        );
        ensure!(
            config.chars_per_second.is_finite() && (1.0..=100.0).contains(&config.chars_per_second),
            "--fake-tts-chars-per-second must be between 1 and 100"
        );
        ensure!(
            config.models.iter().any(|model| !model.trim().is_empty()),
            "--fake-tts-models must name at least one model"
        );
        let addr = listener
            .local_addr()
            .context("reading the fake's bound address")?;
        let shared = Arc::new(state::Shared {
            control: Arc::new(FakeTtsControl::default()),
            api_key: config.api_key,
            models: config.models,
            sample_rate: config.sample_rate,
            chars_per_second: config.chars_per_second,
            stop: CancellationToken::new(),
        });
        let server = tokio::spawn(server::run(
            listener,
            router(shared.clone()),
            shared.stop.clone(),
        ));
        Ok(Self {
            addr,
            shared,
            server: Some(server),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: what `TTS_API_URL` takes (the client adds `/v1/audio/speech`).
    pub fn api_url(&self) -> String {
        public_base_url(None, self.addr)
    }

    /// The Bearer key the fake accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// Fault injection and counters.
    pub fn control(&self) -> Arc<FakeTtsControl> {
        self.shared.control.clone()
    }

    /// Stops accepting, releases delayed requests and waits for the server.
    pub async fn stop(mut self) {
        self.shared.stop.cancel();
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(STOP_WAIT, &mut server).await.is_err()
        {
            server.abort();
        }
    }
}

impl Drop for FakeTts {
    fn drop(&mut self) {
        self.shared.stop.cancel();
    }
}

fn router(shared: Arc<state::Shared>) -> Router {
    Router::new()
        .route("/v1/audio/speech", post(api::speech))
        .route("/_fake/stats", get(admin::stats))
        .route("/_fake/faults", post(admin::set_faults))
        .route("/_fake/reset-stats", post(admin::reset_stats))
        .with_state(shared)
}
