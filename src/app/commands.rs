//! What each subcommand does, once the command line is parsed and logging is up.

use anyhow::Context;
use tokio::net::TcpListener;

use super::{Roles, build, shutdown_signal, start};
use crate::cli::Command;
use crate::config::Config;
use crate::db::Db;

/// Runs one subcommand to completion.
pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve { config, no_workers } => {
            let roles = Roles {
                http: true,
                workers: !no_workers,
            };
            run_roles(config, roles).await
        }
        Command::Worker { config } => {
            run_roles(
                config,
                Roles {
                    http: false,
                    workers: true,
                },
            )
            .await
        }
        Command::Migrate { config } => {
            config.validate().context("invalid configuration")?;
            let db = Db::connect(&config.database)
                .await
                .with_context(|| format!("connecting to {}", config.database.redacted_url()))?;
            db.migrate().await?;
            println!("migrations applied ({})", db.backend_name());
            Ok(())
        }
        Command::ShowConfig {
            config,
            print,
            check,
        } => {
            if print {
                for (name, value) in config.redacted_entries() {
                    println!("{name}={value}");
                }
            }
            if check {
                config.validate().context("invalid configuration")?;
                println!("configuration OK");
            }
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::openapi::api_document().to_pretty_json()?);
            Ok(())
        }
        Command::ApiKey { database, action } => {
            let db = crate::db::Db::connect(&database)
                .await
                .with_context(|| format!("connecting to {}", database.redacted_url()))?;
            db.migrate().await.context("applying migrations")?;
            crate::workflows::jobs::keys::command::run(&db, action).await
        }
        Command::FakeSonauto { fake, bind } => run_fake_sonauto(fake, bind).await,
        Command::FakeReplicate { fake, bind } => {
            let stopped = shutdown_signal()?;
            let listener = TcpListener::bind(bind)
                .await
                .with_context(|| format!("binding {bind}"))?;
            crate::provider::replicate::fake::serve(fake, listener, stopped).await
        }
        Command::FakeTts { fake, bind } => {
            let stopped = shutdown_signal()?;
            let listener = TcpListener::bind(bind)
                .await
                .with_context(|| format!("binding {bind}"))?;
            crate::tts::fake::serve(fake, listener, stopped).await
        }
        Command::Slideshow {
            tts,
            ffmpeg,
            text,
            images,
            style,
            burn_captions,
            out,
            narrate_only,
            narration,
            min_segment_seconds,
        } => {
            crate::workflows::slideshow::command::run(
                crate::workflows::slideshow::command::SlideshowCommand {
                    tts,
                    ffmpeg,
                    text,
                    images,
                    style,
                    burn_captions,
                    out,
                    narrate_only,
                    narration,
                    min_segment_seconds,
                },
            )
            .await
        }
        Command::Render {
            render,
            photo,
            audio,
            out,
            artwork,
            baseline_loop_filter,
        } => {
            crate::render::command::run(crate::render::command::RenderCommand {
                config: render,
                photo,
                audio,
                out,
                artwork,
                baseline_loop_filter,
            })
            .await
        }
    }
}

async fn run_fake_sonauto(
    config: crate::provider::fake::FakeSonautoConfig,
    bind: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let stopped = shutdown_signal()?;
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let fake = crate::provider::fake::start(config, listener).await?;
    tracing::info!(api = %fake.api_url(), "fake Sonauto listening on {}", fake.base_url());
    stopped.await;
    tracing::info!("shutting down");
    fake.stop().await;
    Ok(())
}

async fn run_roles(mut config: Config, roles: Roles) -> anyhow::Result<()> {
    let stopped = shutdown_signal()?;
    let bind = config.http.bind;
    let listener = if roles.http {
        let listener = TcpListener::bind(bind)
            .await
            .with_context(|| format!("binding {bind}"))?;
        // Links and webhook URLs derived from the bind address need the real port.
        config.http.bind = listener.local_addr()?;
        Some(listener)
    } else {
        None
    };
    let app = build(config).await?;
    let running = start(app.clone(), roles, listener).await?;
    if let Some(addr) = running.http_addr {
        tracing::info!(
            %addr,
            database = app.db.backend_name(),
            workers = roles.workers,
            "serenade listening on http://{addr}"
        );
    } else {
        tracing::info!(database = app.db.backend_name(), "serenade worker running");
    }
    stopped.await;
    tracing::info!("shutting down");
    running.stop().await;
    Ok(())
}
