//! `serenade api-key create | list | revoke`: managing keys from the command line. `create`
//! prints the key alone on standard output (its only appearance; scripts can capture it) and
//! what it is on standard error.

use anyhow::{Context, bail};
use clap::Subcommand;

use super::store::NewApiKey;
use super::{DEFAULT_REQUESTS_PER_MINUTE, generate_key};
use crate::clock::now_ms;
use crate::db::Db;

/// What to do with API keys.
#[derive(Debug, Clone, Subcommand)]
pub enum ApiKeyAction {
    /// Create a key and print it (it is shown only this once).
    Create {
        /// Who or what the key is for.
        #[arg(long)]
        name: String,
        /// An admin key sees and manages every key's jobs.
        #[arg(long)]
        admin: bool,
        /// Requests per minute the key may make.
        #[arg(long, default_value_t = DEFAULT_REQUESTS_PER_MINUTE)]
        requests_per_minute: u32,
        /// Jobs the key may create per day (unset: no quota).
        #[arg(long)]
        jobs_per_day: Option<u32>,
    },
    /// List every key (never its secret).
    List,
    /// Revoke a key by its id; requests with it are refused at once.
    Revoke { id: String },
}

/// Carries out `action` against `db`.
pub async fn run(db: &Db, action: ApiKeyAction) -> anyhow::Result<()> {
    match action {
        ApiKeyAction::Create {
            name,
            admin,
            requests_per_minute,
            jobs_per_day,
        } => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
                bail!("--name must be 1–100 printable characters");
            }
            if requests_per_minute == 0 {
                bail!("--requests-per-minute must be at least 1");
            }
            let generated = generate_key();
            let key = NewApiKey {
                id: format!("key_{}", cuid2::create_id()),
                name,
                secret_hash: generated.secret_hash,
                admin,
                requests_per_minute,
                jobs_per_day,
                created_at: now_ms(),
            };
            db.insert_api_key(&key).await.context("storing the key")?;
            let quota = jobs_per_day.map_or("no daily job quota".to_owned(), |quota| {
                format!("{quota} jobs a day")
            });
            let role = if admin { "admin key" } else { "key" };
            eprintln!(
                "created {role} {} ({}): {requests_per_minute} requests a minute, {quota}; \
                 it is shown only now",
                key.id, key.name
            );
            println!("{}", generated.token);
        }
        ApiKeyAction::List => {
            for key in db.list_api_keys().await? {
                let state = match key.revoked_at {
                    Some(_) => "revoked",
                    None => "active",
                };
                let role = if key.admin() { "admin" } else { "key" };
                println!(
                    "{}\t{state}\t{role}\t{}/min\t{}\t{}",
                    key.id,
                    key.requests_per_minute,
                    key.jobs_per_day
                        .map_or("no quota".to_owned(), |quota| format!("{quota}/day")),
                    key.name
                );
            }
        }
        ApiKeyAction::Revoke { id } => {
            if !db.revoke_api_key(&id, now_ms()).await? {
                bail!("no active key with id {id}");
            }
            eprintln!("revoked {id}");
        }
    }
    Ok(())
}
