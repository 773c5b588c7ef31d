//! The previous release's database: only migrations up to [`PREVIOUS_SCHEMA`] applied, the
//! provider slots the app creates at start, and rows written exactly as that release wrote
//! them — submissions through its insert and transitions, and jobs in its shape (a `lane`
//! and a `submission_id` foreign key; no payload, owner or priority).

use std::borrow::Cow;

use secrecy::SecretString;
use serenade::config::DatabaseConfig;
use serenade::db::Db;
use sqlx::migrate::Migrator;

/// The last migration the previous release shipped.
pub const PREVIOUS_SCHEMA: i64 = 3;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Runs `$body` with `$pool` bound to whichever pool `$db` holds.
macro_rules! on_both {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_both;

/// Connects to `url` and brings it to the previous release's schema, with `slots` provider
/// slots.
pub async fn create(url: &str, slots: u32) -> Db {
    let db = Db::connect(&DatabaseConfig {
        database_url: SecretString::from(url.to_owned()),
        database_max_connections: 4,
    })
    .await
    .unwrap();
    match &db {
        Db::Sqlite(pool) => previous(&SQLITE_MIGRATIONS).run(pool).await.unwrap(),
        Db::Postgres(pool) => previous(&POSTGRES_MIGRATIONS).run(pool).await.unwrap(),
    }
    db.ensure_provider_slots(slots).await.unwrap();
    db
}

/// `all` without the migrations that came after the previous release.
fn previous(all: &Migrator) -> Migrator {
    let migrations: Vec<_> = all
        .iter()
        .filter(|migration| migration.version <= PREVIOUS_SCHEMA)
        .cloned()
        .collect();
    assert_eq!(migrations.len(), 3, "the previous release had 0001–0003");
    assert!(
        all.iter().count() > migrations.len(),
        "no migration after the previous release: nothing to test"
    );
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// Stores a submission as the previous release's intake did (quota charge and row; its
/// `send` job is inserted separately so each case can shape it).
pub async fn insert_submission(db: &Db, session_id: &str, cookie_id: &str, at: i64) {
    on_both!(db, |pool| {
        sqlx::query(
            "insert into cookie_quotas (cookie_id, used, created_at, updated_at) \
             values ($1, 1, $2, $2) on conflict (cookie_id) do update \
             set used = cookie_quotas.used + 1, updated_at = excluded.updated_at",
        )
        .bind(cookie_id)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "insert into submissions (session_id, created_at, updated_at, cookie_id, \
             owner_name, pet_name, pet_type, music_vibe, photo_path, entry_status, \
             webhook_token) values ($1, $2, $2, $3, $4, $5, $6, $7, $8, 'pending', $9)",
        )
        .bind(session_id)
        .bind(at)
        .bind(cookie_id)
        .bind("Matt")
        .bind("Toby")
        .bind("Dog")
        .bind("Romantic")
        .bind(format!("/storage/uploads/{session_id}.jpg"))
        .bind(format!("token-{session_id}"))
        .execute(pool)
        .await
        .unwrap();
    });
}

/// What the previous release's `send` left behind: its first POST stamped, and a slot held
/// until `slot_until`.
pub async fn mark_send_started(db: &Db, session_id: &str, slot_no: i32, at: i64, slot_until: i64) {
    on_both!(db, |pool| {
        sqlx::query(
            "update submissions set send_started_at = $2, updated_at = $2 where session_id = $1",
        )
        .bind(session_id)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "update provider_slots set holder_submission_id = $2, lease_expires_at = $3, \
             updated_at = $4 where slot_no = $1",
        )
        .bind(slot_no)
        .bind(session_id)
        .bind(slot_until)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    });
}

/// The provider accepted the generation (`MARK_SENT` of the previous release).
pub async fn mark_sent(db: &Db, session_id: &str, task_id: &str, at: i64) {
    on_both!(db, |pool| {
        sqlx::query(
            "update submissions set llm_task_id = $2, sent_to_llm = $3, \
             entry_status = 'processing', provider_status = coalesce(provider_status, 'RECEIVED'), \
             retry_count = 0, error = null, updated_at = $3 where session_id = $1",
        )
        .bind(session_id)
        .bind(task_id)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    });
}

/// The provider finished the generation (`MARK_RECEIVED`, slot released).
pub async fn mark_received(db: &Db, session_id: &str, full_response: &str, at: i64) {
    on_both!(db, |pool| {
        sqlx::query(
            "update submissions set received_from_llm = $3, llm_full_response = $2, \
             llm_status = 'success', provider_status = 'SUCCESS', updated_at = $3 \
             where session_id = $1",
        )
        .bind(session_id)
        .bind(full_response)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "update provider_slots set holder_submission_id = null, lease_expires_at = null, \
             updated_at = $2 where holder_submission_id = $1",
        )
        .bind(session_id)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    });
}

/// A job row in the previous release's shape.
#[derive(Debug, Clone)]
pub struct OldJob {
    pub id: String,
    pub kind: &'static str,
    pub lane: &'static str,
    pub submission_id: Option<String>,
    pub state: &'static str,
    pub run_at: i64,
    pub attempt: i32,
    pub max_attempts: i32,
    pub claim_token: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<i64>,
    pub errors: String,
    pub unique_key: Option<String>,
    pub periodic_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finalized_at: Option<i64>,
}

impl OldJob {
    /// A submission's step as the previous release enqueued it: due at `at`, unique per
    /// (kind, submission) while live, three attempts.
    pub fn step(kind: &'static str, lane: &'static str, session_id: &str, at: i64) -> Self {
        Self {
            id: cuid2::create_id(),
            kind,
            lane,
            submission_id: Some(session_id.to_owned()),
            state: "available",
            run_at: at,
            attempt: 0,
            max_attempts: 3,
            claim_token: None,
            lease_owner: None,
            lease_expires_at: None,
            errors: "[]".into(),
            unique_key: Some(format!("{kind}:{session_id}")),
            periodic_key: None,
            created_at: at,
            updated_at: at,
            finalized_at: None,
        }
    }

    /// Held by a worker of the previous release on its first attempt, leased until
    /// `lease_until`.
    pub fn claimed(self, lease_until: i64) -> Self {
        Self {
            state: "running",
            attempt: 1,
            claim_token: Some(cuid2::create_id()),
            lease_owner: Some("worker:previous-release".into()),
            lease_expires_at: Some(lease_until),
            ..self
        }
    }

    /// Finished on its first attempt at `at` (`FINISH` keeps the token, drops the lease).
    pub fn completed(self, at: i64, note: &str) -> Self {
        Self {
            state: "completed",
            attempt: 1,
            claim_token: Some(cuid2::create_id()),
            lease_owner: Some("worker:previous-release".into()),
            errors: error_entries(1, at, note),
            updated_at: at,
            finalized_at: Some(at),
            ..self
        }
    }

    pub async fn insert(&self, db: &Db) {
        on_both!(db, |pool| {
            sqlx::query(
                "insert into jobs (id, kind, lane, submission_id, state, run_at, attempt, \
                 max_attempts, claim_token, lease_owner, lease_expires_at, errors, unique_key, \
                 periodic_key, created_at, updated_at, finalized_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            )
            .bind(&self.id)
            .bind(self.kind)
            .bind(self.lane)
            .bind(self.submission_id.as_deref())
            .bind(self.state)
            .bind(self.run_at)
            .bind(self.attempt)
            .bind(self.max_attempts)
            .bind(self.claim_token.as_deref())
            .bind(self.lease_owner.as_deref())
            .bind(self.lease_expires_at)
            .bind(&self.errors)
            .bind(self.unique_key.as_deref())
            .bind(self.periodic_key.as_deref())
            .bind(self.created_at)
            .bind(self.updated_at)
            .bind(self.finalized_at)
            .execute(pool)
            .await
            .unwrap();
        });
    }
}

/// A job's error history with one entry, as the previous release stored it.
pub fn error_entries(attempt: i32, at: i64, message: &str) -> String {
    serde_json::json!([{ "attempt": attempt, "at": at, "message": message }]).to_string()
}
