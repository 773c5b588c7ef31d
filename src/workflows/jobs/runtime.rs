//! What the jobs workflow runs against: the Replicate client (the real API with a token, the
//! built-in demo Replicate on a loopback port without one) and the guarded downloader its
//! outputs are fetched through (Replicate's file host, or the demo's address).

use std::time::Duration;

use anyhow::Context;
use secrecy::SecretString;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::provider::download::{AllowedHost, AllowedHosts, DownloadPolicy, MediaDownloader};
use crate::provider::replicate::ReplicateClient;
use crate::provider::replicate::fake::{FakeReplicate, FakeReplicateConfig};

/// The provider name recorded on jobs and in provider health.
pub const REPLICATE: &str = "replicate";
/// Timeout of each Replicate API request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest output file fetched.
const MAX_OUTPUT_BYTES: u64 = 50 * 1024 * 1024;
/// Time allowed for fetching one output.
const OUTPUT_TIMEOUT: Duration = Duration::from_secs(120);
/// Side in pixels of the demo Replicate's pictures.
const DEMO_IMAGE_SIDE: u32 = 512;

/// The provider side of the jobs API.
#[derive(Debug)]
pub struct JobsRuntime {
    pub client: ReplicateClient,
    pub downloader: MediaDownloader,
    /// The built-in demo Replicate, when no `REPLICATE_API_TOKEN` is set.
    pub demo: Option<FakeReplicate>,
}

impl JobsRuntime {
    /// Connects to Replicate, or starts the demo Replicate when there is no token.
    pub async fn start(config: &Config) -> anyhow::Result<Self> {
        let jobs = &config.jobs;
        let mut hosts: Vec<AllowedHost> = jobs
            .jobs_output_allowed_hosts
            .parse::<AllowedHosts>()
            .context("JOBS_OUTPUT_ALLOWED_HOSTS")?
            .into();
        let (client, demo) = match &jobs.replicate_api_token {
            Some(token) => (
                ReplicateClient::new(&jobs.replicate_api_url, token.clone(), REQUEST_TIMEOUT)
                    .context("building the Replicate client")?,
                None,
            ),
            None => {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .context("binding the demo Replicate")?;
                let demo = FakeReplicate::start_on(
                    FakeReplicateConfig {
                        starting_millis: 0,
                        generation_millis: jobs.demo_replicate_generation_millis,
                        image_size: DEMO_IMAGE_SIDE,
                        ..FakeReplicateConfig::default()
                    },
                    listener,
                )
                .await
                .context("starting the demo Replicate")?;
                tracing::warn!(url = %demo.api_url(), "no REPLICATE_API_TOKEN: jobs run on the built-in demo Replicate");
                hosts.push(
                    demo.addr()
                        .to_string()
                        .parse()
                        .context("the demo Replicate's address")?,
                );
                let client = ReplicateClient::new(
                    &demo.api_url(),
                    SecretString::from(demo.api_token().to_owned()),
                    REQUEST_TIMEOUT,
                )
                .context("building the demo Replicate client")?;
                (client, Some(demo))
            }
        };
        let downloader = MediaDownloader::new(DownloadPolicy {
            allowed_hosts: hosts,
            max_bytes: MAX_OUTPUT_BYTES,
            timeout: OUTPUT_TIMEOUT,
        });
        Ok(Self {
            client,
            downloader,
            demo,
        })
    }
}
