//! The command line: one binary, one subcommand per role or tool. Every setting is also an
//! environment variable (see `serenade serve --help`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{Config, DatabaseConfig};
use crate::provider::fake::FakeSonautoConfig;
use crate::provider::replicate::fake::FakeReplicateConfig;
use crate::render::RenderConfig;
use crate::workflows::jobs::keys::command::ApiKeyAction;

#[derive(Debug, Parser)]
#[command(
    name = "serenade",
    version,
    about = "Personalised AI love songs for pets"
)]
pub struct Cli {
    /// Log output format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site and API, and run the workers in the same process.
    Serve {
        #[command(flatten)]
        config: Config,
        /// Serve HTTP only (scale-out web nodes).
        #[arg(long)]
        no_workers: bool,
    },
    /// Run the background workers only.
    Worker {
        #[command(flatten)]
        config: Config,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        config: Config,
    },
    /// Show or check the configuration.
    #[command(name = "config")]
    ShowConfig {
        #[command(flatten)]
        config: Config,
        /// Print every setting (secrets redacted).
        #[arg(long, conflicts_with = "check", required_unless_present = "check")]
        print: bool,
        /// Validate the settings and exit non-zero if any is wrong.
        #[arg(long)]
        check: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Create, list or revoke API keys of the jobs API.
    ApiKey {
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(subcommand)]
        action: ApiKeyAction,
    },
    /// Run a fake Sonauto/Treblo API (with its CDN) for tests and local development.
    FakeSonauto {
        #[command(flatten)]
        fake: FakeSonautoConfig,
        /// Address the fake listens on.
        #[arg(long, env = "FAKE_SONAUTO_BIND", default_value = "127.0.0.1:9090")]
        bind: SocketAddr,
    },
    /// Run a fake Replicate predictions API (signed webhooks, expiring PNG outputs) for tests
    /// and local development.
    FakeReplicate {
        #[command(flatten)]
        fake: FakeReplicateConfig,
        /// Address the fake listens on.
        #[arg(long, env = "FAKE_REPLICATE_BIND", default_value = "127.0.0.1:9091")]
        bind: SocketAddr,
    },
    /// Run a fake OpenAI-compatible speech API (`POST /v1/audio/speech`, WAV answers) for tests
    /// and local development.
    FakeTts {
        #[command(flatten)]
        fake: crate::tts::fake::FakeTtsConfig,
        /// Address the fake listens on.
        #[arg(long, env = "FAKE_TTS_BIND", default_value = "127.0.0.1:9092")]
        bind: SocketAddr,
    },
    /// Make one narrated slideshow video from text and images, printing each stage's time.
    Slideshow {
        #[command(flatten)]
        tts: crate::tts::TtsConfig,
        /// The ffmpeg program.
        #[arg(long = "slideshow-ffmpeg", default_value = "ffmpeg")]
        ffmpeg: PathBuf,
        /// The text to narrate.
        #[arg(long)]
        text: PathBuf,
        /// Up to three images, in order (none: a title card per sentence).
        #[arg(long = "image")]
        images: Vec<PathBuf>,
        /// professional, casual, bold or minimal.
        #[arg(long, default_value = "professional")]
        style: String,
        /// Draw the captions into the picture too.
        #[arg(long)]
        burn_captions: bool,
        /// The MP4 to write.
        #[arg(long)]
        out: PathBuf,
        /// Only make the narration (`<out stem>.wav`, `.vtt`).
        #[arg(long)]
        narrate_only: bool,
        /// Use this narration WAV (with its `.vtt` beside it) instead of making one.
        #[arg(long)]
        narration: Option<PathBuf>,
        /// Shortest time each image is shown, in seconds.
        #[arg(long, default_value_t = 5.0)]
        min_segment_seconds: f64,
    },
    /// Render one video (and its poster and Open Graph image) from a photo and a song.
    Render {
        #[command(flatten)]
        render: RenderConfig,
        /// The pet photo (JPEG or PNG).
        #[arg(long)]
        photo: PathBuf,
        /// The song (MP3, M4A, …).
        #[arg(long)]
        audio: PathBuf,
        /// The MP4 to write; `<stem>-poster.jpg` and `<stem>-og.jpg` go next to it.
        #[arg(long)]
        out: PathBuf,
        /// Directory of campaign artwork PNGs (overrides --artwork-dir).
        #[arg(long)]
        artwork: Option<PathBuf>,
        /// Benchmark baseline only: encode every frame through ffmpeg's loop filter.
        #[arg(long, hide = true)]
        baseline_loop_filter: bool,
    },
}
