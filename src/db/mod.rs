//! The database facade: one `Db` picked by URL scheme (SQLite embedded, PostgreSQL scale-out),
//! connection settings, migrations, and the error type every query returns. Queries live in the
//! sibling modules, one per table family, written once for both backends where SQL agrees.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::config::DatabaseConfig;

pub mod rate_limits;
pub mod workers;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a query waits for a pooled connection before the request is answered 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long SQLite waits on a locked database before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection pool on one of the two supported databases.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A failed database operation.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed")]
    Query(#[from] sqlx::Error),
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("could not create the database directory {path}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl DbError {
    /// True when the database is unreachable or saturated rather than the query being wrong.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Query(sqlx::Error::Database(error)) => error.code().is_some_and(|code| {
                // PostgreSQL's five-character SQLSTATEs: connection exceptions (08…),
                // operator intervention such as a restart (57…), too many connections
                // (53300). SQLite's numeric (extended) codes: busy (5) or locked (6).
                if code.len() == 5 {
                    code.starts_with("08") || code.starts_with("57") || code == "53300"
                } else {
                    code.parse::<i32>()
                        .is_ok_and(|code| matches!(code & 0xff, 5 | 6))
                }
            }),
            Self::Query(error) => matches!(
                error,
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Io(_)
                    | sqlx::Error::WorkerCrashed
            ),
            Self::Migrate(_) | Self::CreateDir { .. } => false,
        }
    }
}

/// Which SQL dialect a statement runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One statement in both dialects, written once with `NOW` standing for the database clock
/// in unix milliseconds (every lease and schedule comparison uses database time).
#[derive(Debug, Clone, Copy)]
pub struct DualSql {
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

impl DualSql {
    pub fn pick(self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
        }
    }
}

/// Builds a [`DualSql`] from string literals and `NOW` tokens.
macro_rules! dual_sql {
    (@sqlite NOW) => { "cast(unixepoch('subsec') * 1000 as integer)" };
    (@sqlite $text:literal) => { $text };
    (@postgres NOW) => { "(extract(epoch from clock_timestamp()) * 1000)::bigint" };
    (@postgres $text:literal) => { $text };
    ($($part:tt),+ $(,)?) => {
        $crate::db::DualSql {
            sqlite: concat!($($crate::db::dual_sql!(@sqlite $part)),+),
            postgres: concat!($($crate::db::dual_sql!(@postgres $part)),+),
        }
    };
}

/// Runs `$body` with `$pool` bound to whichever pool `$db` holds (and, in the second form,
/// `$dialect` to its [`Dialect`]); the SQL must suit both or be picked per dialect.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
    ($db:expr, |$pool:ident, $dialect:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => {
                let $dialect = $crate::db::Dialect::Sqlite;
                $body
            }
            $crate::db::Db::Postgres($pool) => {
                let $dialect = $crate::db::Dialect::Postgres;
                $body
            }
        }
    };
}

/// Runs `$body` inside a write transaction bound to `$tx` and commits it when `$body`
/// evaluates; an early `return` or `?` inside `$body` rolls back. SQLite transactions start
/// with `BEGIN IMMEDIATE` so concurrent writers queue on the lock instead of failing.
macro_rules! in_write_tx {
    ($db:expr, |$tx:ident, $dialect:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pool) => {
                let $dialect = $crate::db::Dialect::Sqlite;
                #[allow(unused_mut)]
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let value = $body;
                $tx.commit().await?;
                value
            }
            $crate::db::Db::Postgres(pool) => {
                let $dialect = $crate::db::Dialect::Postgres;
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                let value = $body;
                $tx.commit().await?;
                value
            }
        }
    };
    ($db:expr, |$tx:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let value = $body;
                $tx.commit().await?;
                value
            }
            $crate::db::Db::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                let value = $body;
                $tx.commit().await?;
                value
            }
        }
    };
}

pub(crate) use {dual_sql, in_write_tx, on_pool};

impl Db {
    /// Connects by URL scheme; a SQLite file and its directory are created on first use.
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, DbError> {
        let url = config.database_url.expose_secret();
        let max_connections = config.database_max_connections;
        if url.starts_with("sqlite:") {
            if let Some(dir) =
                sqlite_file_path(url).and_then(|file| file.parent().map(Path::to_path_buf))
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(&dir).map_err(|source| DbError::CreateDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?;
            Ok(Self::Sqlite(pool))
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect(url)
                .await?;
            Ok(Self::Postgres(pool))
        }
    }

    /// Applies pending migrations from `migrations/{sqlite,postgres}`.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Self::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// True when every embedded migration has been applied.
    pub async fn migrations_applied(&self) -> Result<bool, DbError> {
        let (migrator, applied): (&Migrator, Option<i64>) = match self {
            Self::Sqlite(pool) => (
                &SQLITE_MIGRATIONS,
                sqlx::query_scalar("select max(version) from _sqlx_migrations where success")
                    .fetch_one(pool)
                    .await?,
            ),
            Self::Postgres(pool) => (
                &POSTGRES_MIGRATIONS,
                sqlx::query_scalar("select max(version) from _sqlx_migrations where success")
                    .fetch_one(pool)
                    .await?,
            ),
        };
        let latest = migrator.iter().map(|migration| migration.version).max();
        Ok(applied >= latest)
    }

    /// A round trip to the database.
    pub async fn ping(&self) -> Result<(), DbError> {
        on_pool!(self, |pool| {
            sqlx::query("select 1")
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// The SQL dialect of this database.
    pub fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::Sqlite,
            Self::Postgres(_) => Dialect::Postgres,
        }
    }

    /// `"sqlite"` or `"postgres"`, for logs and health output.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await);
    }
}

/// The file behind a `sqlite:` URL, if it names one.
fn sqlite_file_path(url: &str) -> Option<&Path> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| Path::new(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file_path("sqlite://./data/a.db"),
            Some(Path::new("./data/a.db"))
        );
        assert_eq!(
            sqlite_file_path("sqlite:/tmp/x.db?mode=rwc"),
            Some(Path::new("/tmp/x.db"))
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
    }
}
