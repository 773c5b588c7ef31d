//! A fake Replicate API, faithful to PROVIDERS.md §2: a real HTTP server started in process by
//! tests ([`FakeReplicate::start`]) or as `serenade fake-replicate` ([`serve`]), with the
//! prediction timeline, signed webhooks, expiring PNG outputs, and run-time fault injection
//! ([`FakeReplicateControl`]).

mod admin;
mod api;
mod config;
mod control;
mod files;
mod ids;
mod images;
mod prediction;
mod refusals;
mod scenario;
mod server;
mod state;
mod timeline;
mod validate;
mod webhook;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, ensure};
use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::provider::fake_server::{public_base_url, webhook_client};

pub use config::FakeReplicateConfig;
pub use control::{FakeReplicateControl, FakeReplicateStats};
pub use scenario::{Fault, FaultBurst, ForcedFailures, Scenario};
pub use validate::MAX_OUTPUTS;

use crate::webhooks::WebhookSecret;

/// How long `stop` waits for the server to wind down before aborting it.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// A running fake; stopped by [`FakeReplicate::stop`] (or, without waiting, when dropped).
#[derive(Debug)]
pub struct FakeReplicate {
    addr: SocketAddr,
    shared: Arc<state::Shared>,
    server: Option<JoinHandle<()>>,
}

/// Runs a fake on `listener` until `until` completes, then stops it (the CLI's entry point).
pub async fn serve(
    config: FakeReplicateConfig,
    listener: TcpListener,
    until: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let fake = FakeReplicate::start_on(config, listener).await?;
    tracing::info!(api = %fake.api_url(), "fake Replicate listening on {}", fake.base_url());
    until.await;
    fake.stop().await;
    Ok(())
}

impl FakeReplicate {
    /// A fake on `127.0.0.1` and a free port.
    pub async fn start(config: FakeReplicateConfig) -> anyhow::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .context("binding the fake Replicate to 127.0.0.1")?;
        Self::start_on(config, listener).await
    }

    /// A fake serving on `listener`.
    pub async fn start_on(
        config: FakeReplicateConfig,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        ensure!(
            !config.api_token.is_empty(),
            "--fake-api-token must not be empty"
        );
        ensure!(
            (1..=1024).contains(&config.image_size),
            "--image-size must be between 1 and 1024"
        );
        let secret = match &config.webhook_secret {
            Some(text) => WebhookSecret::parse(text).context("--fake-webhook-secret")?,
            None => WebhookSecret::generate(),
        };
        let addr = listener
            .local_addr()
            .context("reading the fake's bound address")?;
        let public_base_url = public_base_url(config.public_base_url.as_deref(), addr);
        let webhooks = webhook_client("fake-replicate").context("building the webhook client")?;
        let shared = Arc::new(state::Shared {
            control: Arc::new(FakeReplicateControl::new(&config)),
            api_token: config.api_token.clone(),
            secret,
            public_base_url,
            image_size: config.image_size,
            webhooks,
            changes: watch::Sender::new(0),
            shutdown: CancellationToken::new(),
        });
        let server = tokio::spawn(server::run(
            listener,
            router(shared.clone()),
            shared.shutdown.clone(),
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

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        public_base_url(None, self.addr)
    }

    /// `http://127.0.0.1:PORT/v1`: what a client takes as its API base.
    pub fn api_url(&self) -> String {
        format!("{}/v1", self.base_url())
    }

    /// The Bearer token the fake accepts.
    pub fn api_token(&self) -> &str {
        &self.shared.api_token
    }

    /// The secret the fake signs webhooks with.
    pub fn webhook_secret(&self) -> &WebhookSecret {
        &self.shared.secret
    }

    /// Run-time behaviour and counters.
    pub fn control(&self) -> Arc<FakeReplicateControl> {
        self.shared.control.clone()
    }

    /// Stops timelines and webhooks, releases held requests and waits for the server.
    pub async fn stop(mut self) {
        self.shared.shutdown.cancel();
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(STOP_WAIT, &mut server).await.is_err()
        {
            server.abort();
        }
    }
}

impl Drop for FakeReplicate {
    fn drop(&mut self) {
        self.shared.shutdown.cancel();
    }
}

fn router(shared: Arc<state::Shared>) -> Router {
    Router::new()
        .route("/v1/predictions", post(api::create_with_version))
        .route(
            "/v1/models/{owner}/{name}/predictions",
            post(api::create_for_model),
        )
        .route(
            "/v1/deployments/{owner}/{name}/predictions",
            post(api::create_for_model),
        )
        .route("/v1/predictions/{id}", get(api::get_prediction))
        .route("/v1/predictions/{id}/cancel", post(api::cancel_prediction))
        .route("/v1/webhooks/default/secret", get(api::webhook_secret))
        .route("/files/{id}/{file}", get(files::output_file))
        .route("/_fake/stats", get(admin::stats))
        .route("/_fake/scenario", post(admin::set_scenario))
        .route("/_fake/reset-stats", post(admin::reset_stats))
        .fallback(|| async { refusals::not_found() })
        .with_state(shared)
}
