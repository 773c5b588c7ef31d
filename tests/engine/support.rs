//! The suite's harness: a migrated database per test (SQLite always, PostgreSQL when
//! `TEST_DATABASE_URL` is set), an engine over the suite's kinds, and the few raw SQL probes
//! and nudges the tests need (read a job row, expire a lease, make a job due now).

use std::future::Future;
use std::time::Duration;

use secrecy::SecretString;
use serenade::config::DatabaseConfig;
use serenade::db::Db;
use serenade::engine::drain::DrainReport;
use serenade::engine::{ClaimedJob, Engine, Registry, Settings};

use crate::context::TestCtx;
use crate::kinds::suite_registry;
use crate::postgres::{TestDatabase, postgres_url};

pub async fn connect(url: String) -> Db {
    let config = DatabaseConfig {
        database_url: SecretString::from(url),
        database_max_connections: 8,
    };
    let db = Db::connect(&config).await.unwrap();
    db.migrate().await.unwrap();
    db
}

/// Runs `test` on a fresh SQLite database, then on a fresh PostgreSQL one if configured.
pub async fn run_on_both<F, Fut>(test: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("engine.db").display());
    test(connect(sqlite).await).await;
    if postgres_url().is_some() {
        let database = TestDatabase::create().await;
        test(connect(database.url.clone()).await).await;
    }
}

/// Settings for tests: a long lease, 10 ms retries, quick polling.
pub fn settings() -> Settings {
    Settings {
        lease_ms: 30_000,
        retry_schedule: vec![Duration::from_millis(10)],
        shutdown_grace: Duration::from_secs(2),
        idle_poll: Duration::from_millis(100),
    }
}

/// An engine over the suite's registry.
pub fn engine(db: &Db) -> Engine<TestCtx> {
    engine_with(db, suite_registry(), settings())
}

pub fn engine_with(db: &Db, registry: Registry<TestCtx>, settings: Settings) -> Engine<TestCtx> {
    registry.check().unwrap();
    Engine::new(TestCtx::new(db.clone()), registry, settings)
}

/// Drains with a 2 s horizon, failing the test if the queues are not idle within 20 s.
pub async fn drain(engine: &Engine<TestCtx>) -> DrainReport {
    engine
        .drain(Duration::from_secs(2), Duration::from_secs(20))
        .await
        .unwrap()
}

/// Claims the next job of `queue` with no gate condition and a 30 s lease.
pub async fn claim(db: &Db, queue: &str, worker: &str) -> Option<ClaimedJob> {
    db.claim_job(queue, None, worker, 30_000).await.unwrap()
}

/// A job row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub payload: String,
    pub owner: Option<String>,
    pub attempt: i32,
    pub run_at: i64,
    pub updated_at: i64,
    pub created_at: i64,
    pub finalized_at: Option<i64>,
    pub claim_token: Option<String>,
    pub lease_owner: Option<String>,
    pub errors: String,
}

impl JobRow {
    /// How far in the future the job was put back (both times from one statement).
    pub fn delay_ms(&self) -> i64 {
        self.run_at - self.updated_at
    }

    /// The messages of its error history.
    pub fn error_messages(&self) -> Vec<String> {
        let entries: Vec<serde_json::Value> = serde_json::from_str(&self.errors).unwrap();
        entries
            .iter()
            .map(|entry| entry["message"].as_str().unwrap().to_owned())
            .collect()
    }
}

const ROW: &str = "select id, kind, state, payload, owner, attempt, run_at, updated_at, \
    created_at, finalized_at, claim_token, lease_owner, errors from jobs";

/// Every job, oldest first.
pub async fn all_rows(db: &Db) -> Vec<JobRow> {
    let sql = format!("{ROW} order by created_at, id");
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap(),
    }
}

/// The jobs of `kind`, oldest first.
pub async fn rows_of(db: &Db, kind: &str) -> Vec<JobRow> {
    all_rows(db)
        .await
        .into_iter()
        .filter(|row| row.kind == kind)
        .collect()
}

/// The only job of `kind`.
pub async fn only_row(db: &Db, kind: &str) -> JobRow {
    let rows = rows_of(db, kind).await;
    assert_eq!(rows.len(), 1, "one {kind} job expected: {rows:#?}");
    rows.into_iter().next().unwrap()
}

pub async fn row(db: &Db, id: &str) -> JobRow {
    let sql = format!("{ROW} where id = $1");
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

async fn execute(db: &Db, sql: &'static str, id: &str) {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query(sql).bind(id).execute(pool).await.unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(sql).bind(id).execute(pool).await.unwrap();
        }
    }
}

/// Makes the job's lease look expired, as if its worker had died.
pub async fn expire_lease(db: &Db, id: &str) {
    execute(db, "update jobs set lease_expires_at = 0 where id = $1", id).await;
}

/// Makes a waiting job due now.
pub async fn make_due(db: &Db, id: &str) {
    execute(db, "update jobs set run_at = 0 where id = $1", id).await;
}
