//! Start-up settings of the fake Replicate: flags of `serenade fake-replicate`, each also a
//! `FAKE_REPLICATE_*` environment variable, with the same defaults for in-process tests.

use clap::Args;

/// How the fake behaves when it starts; [`super::FakeReplicateControl`] changes the timing,
/// lifetimes and faults at run time.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct FakeReplicateConfig {
    /// Bearer token every `/v1` route requires.
    #[arg(
        id = "fake_replicate_api_token",
        long = "fake-api-token",
        env = "FAKE_REPLICATE_API_TOKEN",
        default_value = "fake-replicate-token"
    )]
    pub api_token: String,
    /// The `whsec_…` secret webhooks are signed with (and `GET /v1/webhooks/default/secret`
    /// returns); a random one when unset.
    #[arg(long = "fake-webhook-secret", env = "FAKE_REPLICATE_WEBHOOK_SECRET")]
    pub webhook_secret: Option<String>,
    /// Base of the absolute URLs the fake hands out (`urls`, outputs); defaults to
    /// http://{bound address}.
    #[arg(
        id = "fake_replicate_public_base_url",
        long = "fake-public-base-url",
        env = "FAKE_REPLICATE_PUBLIC_BASE_URL"
    )]
    pub public_base_url: Option<String>,
    /// Milliseconds a prediction stays `starting` (booting a worker).
    #[arg(long, env = "FAKE_REPLICATE_STARTING_MILLIS", default_value_t = 500)]
    pub starting_millis: u64,
    /// Milliseconds of `processing` before the outputs are ready (the generation time).
    #[arg(long, env = "FAKE_REPLICATE_GENERATION_MILLIS", default_value_t = 2000)]
    pub generation_millis: u64,
    /// Seconds a finished prediction keeps its outputs, input and logs (Replicate: an hour).
    #[arg(
        long,
        env = "FAKE_REPLICATE_OUTPUT_TTL_SECONDS",
        default_value_t = 3600
    )]
    pub output_ttl_seconds: u64,
    /// Width and height in pixels of the PNG outputs.
    #[arg(long, env = "FAKE_REPLICATE_IMAGE_SIZE", default_value_t = 64)]
    pub image_size: u32,
}

impl Default for FakeReplicateConfig {
    fn default() -> Self {
        Self {
            api_token: "fake-replicate-token".to_owned(),
            webhook_secret: None,
            public_base_url: None,
            starting_millis: 500,
            generation_millis: 2000,
            output_ttl_seconds: 3600,
            image_size: 64,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        fake: FakeReplicateConfig,
    }

    #[test]
    fn command_line_defaults_match_the_default_impl() {
        assert_eq!(
            Wrapper::parse_from(["fake"]).fake,
            FakeReplicateConfig::default()
        );
        let tuned = Wrapper::parse_from(["fake", "--generation-millis", "10"]).fake;
        assert_eq!(tuned.generation_millis, 10);
    }
}
