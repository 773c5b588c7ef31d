//! A fake Sonauto/Treblo API, faithful to docs/provider.md: a real HTTP server started in
//! process by tests ([`start`]) or as `serenade fake-sonauto`, with a status timeline,
//! webhooks, credits, a CDN serving real audio, and run-time fault injection ([`FakeControl`]).

mod admin;
mod api;
mod audio;
mod cdn;
mod config;
mod control;
mod generation;
mod ids;
mod lyrics;
mod scenario;
mod state;
mod sung;
mod timeline;
mod validate;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, ensure};
use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::provider::fake_server::{public_base_url, webhook_client};

pub use audio::AudioError;
pub use config::{AudioFormat, DEFAULT_ALLOWED_TAGS, FakeSonautoConfig, WebhookBody, WebhookMode};
pub use control::{Balance, FakeControl, FakeStats};
pub use scenario::{Fault, FaultBurst, ForcedFailures, Scenario};
pub use timeline::SONG_COST;

/// How long `stop` waits for open connections before dropping them.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// A running fake; stopped by [`FakeSonauto::stop`] (or, without waiting, when dropped).
#[derive(Debug)]
pub struct FakeSonauto {
    addr: SocketAddr,
    shared: Arc<state::Shared>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// Serves a fake Sonauto on `listener` until stopped.
pub async fn start(
    config: FakeSonautoConfig,
    listener: TcpListener,
) -> anyhow::Result<FakeSonauto> {
    check(&config)?;
    let addr = listener
        .local_addr()
        .context("reading the fake's bound address")?;
    let public_base_url = public_base_url(config.public_base_url.as_deref(), addr);
    let webhooks = webhook_client("fake-sonauto").context("building the webhook client")?;
    let shared = Arc::new(state::Shared {
        control: Arc::new(FakeControl::new(&config)),
        api_key: config.api_key.clone(),
        public_base_url,
        allowed_tags: config.allowed_tags.clone(),
        default_format: config.audio_format,
        song_seconds: config.song_seconds,
        ffmpeg: config.ffmpeg.clone(),
        sing_with: config.sing_lyrics.then(|| config.espeak.clone()),
        webhooks,
        shutdown: CancellationToken::new(),
    });
    let app = router(shared.clone());
    let stopping = shared.shutdown.clone().cancelled_owned();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(stopping)
            .await
    });
    // Encode the default song in the background so the first download is quick and a missing
    // ffmpeg shows up in the log at once.
    let warm = shared.clone();
    tokio::spawn(async move {
        if let Err(error) = audio::song(&warm.ffmpeg, warm.default_format, warm.song_seconds).await
        {
            tracing::warn!("fake Sonauto: {error}");
        }
    });
    Ok(FakeSonauto {
        addr,
        shared,
        server: Some(server),
    })
}

fn check(config: &FakeSonautoConfig) -> anyhow::Result<()> {
    ensure!(
        (0.0..=1.0).contains(&config.fail_ratio),
        "--fail-ratio must be between 0 and 1"
    );
    ensure!(
        (0.0..=1.0).contains(&config.drop_webhooks),
        "--drop-webhooks must be between 0 and 1"
    );
    ensure!(
        (1..=600).contains(&config.song_seconds),
        "--song-seconds must be between 1 and 600"
    );
    ensure!(
        config
            .generation_seconds
            .is_none_or(|s| s.is_finite() && s >= 0.0),
        "--generation-seconds must be a non-negative number"
    );
    ensure!(!config.api_key.is_empty(), "--api-key must not be empty");
    Ok(())
}

fn router(shared: Arc<state::Shared>) -> Router {
    Router::new()
        .route("/v1/generations/v3", post(api::create_generation))
        .route("/v1/generations/status/{id}", get(api::generation_status))
        .route("/v1/generations/{id}", get(api::generation))
        .route("/v1/credits/balance", get(api::credits_balance))
        .route("/cdn/pubapi/generations2/{file}", get(cdn::song_file))
        .route("/_fake/stats", get(admin::stats))
        .route("/_fake/scenario", post(admin::set_scenario))
        .route("/_fake/reset-stats", post(admin::reset_stats))
        .fallback(|| async { api::not_found() })
        .with_state(shared)
}

impl FakeSonauto {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        public_base_url(None, self.addr)
    }

    /// `http://127.0.0.1:PORT/v1`: what a client takes as its API base (`EXTERNAL_API_URL`).
    pub fn api_url(&self) -> String {
        format!("{}/v1", self.base_url())
    }

    /// The Bearer key the fake accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// Run-time behaviour and counters.
    pub fn control(&self) -> Arc<FakeControl> {
        self.shared.control.clone()
    }

    /// Stops timelines and webhooks, releases hung requests, and waits briefly for open
    /// connections to close.
    pub async fn stop(mut self) {
        self.shared.shutdown.cancel();
        if let Some(mut server) = self.server.take() {
            match tokio::time::timeout(STOP_GRACE, &mut server).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(error))) => tracing::warn!(%error, "fake Sonauto server failed"),
                Ok(Err(error)) => tracing::warn!(%error, "fake Sonauto server task failed"),
                Err(_) => server.abort(),
            }
        }
    }
}

impl Drop for FakeSonauto {
    fn drop(&mut self) {
        self.shared.shutdown.cancel();
    }
}
