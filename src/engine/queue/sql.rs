//! The queue's statements, each written once for both dialects (`NOW` is the database clock),
//! and the two macros a workflow's transition uses inside its own transaction: `insert_job!`
//! (the next step) and `finish_job!` (the fence: 0 rows when the claim was lost). The claim
//! is composed per queue from the engine's statement and the queue's gate condition, which
//! may refer to the candidate row as `jobs`.

use crate::db::{DualSql, dual_sql};

/// The longest a job is ever put back for: keeps `now + delay` far from overflow (SQLite
/// would silently store an overflowed sum as REAL and never run the job again).
pub const MAX_REQUEUE_DELAY_MS: i64 = 24 * 3600 * 1000;

pub const INSERT_JOB: DualSql = dual_sql!(
    "insert into jobs (id, kind, queue, payload, owner, priority, state, run_at, attempt, \
     max_attempts, unique_key, periodic_key, created_at, updated_at) \
     values ($1, $2, $3, $4, $5, $6, 'available', ",
    NOW,
    " + $7, 0, $8, $9, $10, ",
    NOW,
    ", ",
    NOW,
    ") on conflict do nothing"
);

/// Inserts `$job` (a `NewJob`) through executor `$executor` in `$dialect`; evaluates to
/// the rows inserted (0 when a unique or periodic key already holds).
macro_rules! insert_job {
    ($executor:expr, $dialect:expr, $job:expr) => {{
        let job: &$crate::engine::queue::rows::NewJob = $job;
        sqlx::query($crate::engine::queue::sql::INSERT_JOB.pick($dialect))
            .bind(cuid2::create_id())
            .bind(job.kind)
            .bind(job.queue)
            .bind(&job.payload)
            .bind(job.owner.as_deref())
            .bind(job.priority)
            .bind(
                job.delay_ms
                    .clamp(0, $crate::engine::queue::sql::MAX_REQUEUE_DELAY_MS),
            )
            .bind(job.max_attempts)
            .bind(job.unique_key.as_deref())
            .bind(job.periodic_key.as_deref())
            .execute($executor)
            .await
            .map(|done| done.rows_affected())
    }};
}
pub(crate) use insert_job;

pub const FINISH: DualSql = dual_sql!(
    "update jobs set state = $3, errors = $4, finalized_at = ",
    NOW,
    ", lease_expires_at = null, updated_at = ",
    NOW,
    " where id = $1 and claim_token = $2 and state = 'running'"
);

/// Marks a claimed job finished (`completed` or `discarded`) through `$executor`; evaluates
/// to the rows affected (0 when the lease was lost, and the caller must then roll back).
macro_rules! finish_job {
    ($executor:expr, $dialect:expr, $job:expr, $state:expr, $errors:expr) => {{
        let job: &$crate::engine::queue::rows::ClaimedJob = $job;
        sqlx::query($crate::engine::queue::sql::FINISH.pick($dialect))
            .bind(&job.id)
            .bind(&job.claim_token)
            .bind($state)
            .bind($errors)
            .execute($executor)
            .await
            .map(|done| done.rows_affected())
    }};
}
pub(crate) use finish_job;

const RETURNING: &str =
    "returning id, kind, queue, payload, owner, attempt, max_attempts, claim_token, errors";

/// The claim of the next runnable job of queue `$4`, leased to `$2` for `$3` ms under token
/// `$1`; `gate` (if any) is an extra condition on the candidate row `jobs`.
pub fn claim(postgres: bool, gate: Option<&str>) -> String {
    let (now, skip_locked) = if postgres {
        (dual_sql!(NOW).postgres, " for update skip locked")
    } else {
        (dual_sql!(NOW).sqlite, "")
    };
    let gate = gate
        .map(|condition| format!(" and ({condition})"))
        .unwrap_or_default();
    format!(
        "update jobs set state = 'running', attempt = attempt + 1, claim_token = $1, \
         lease_owner = $2, lease_expires_at = {now} + $3, updated_at = {now} \
         where id = (select id from jobs where queue = $4 and state = 'available' \
         and run_at <= {now}{gate} order by priority desc, run_at, id limit 1{skip_locked}) \
         {RETURNING}"
    )
}

/// Touches a claimed job only if this worker still holds it: the first statement of a
/// transaction that must not commit after the claim was lost.
pub const FENCE: DualSql = dual_sql!(
    "update jobs set updated_at = ",
    NOW,
    " where id = $1 and claim_token = $2 and state = 'running'"
);

pub const HEARTBEAT: DualSql = dual_sql!(
    "update jobs set lease_expires_at = ",
    NOW,
    " + $3, updated_at = ",
    NOW,
    " where id = $1 and claim_token = $2 and state = 'running'"
);

pub const REQUEUE: DualSql = dual_sql!(
    "update jobs set state = 'available', run_at = ",
    NOW,
    " + $3, errors = $4, attempt = attempt - $5, claim_token = null, lease_owner = null, \
     lease_expires_at = null, updated_at = ",
    NOW,
    " where id = $1 and claim_token = $2 and state = 'running'"
);

pub const EXPIRED: DualSql = dual_sql!(
    "select id, kind, queue, payload, owner, attempt, max_attempts, claim_token, errors \
     from jobs where state = 'running' and lease_expires_at < ",
    NOW,
    " order by lease_expires_at limit 100"
);

pub const RESCUE: DualSql = dual_sql!(
    "update jobs set state = 'available', run_at = ",
    NOW,
    " + $3, errors = $4, claim_token = null, lease_owner = null, lease_expires_at = null, \
     updated_at = ",
    NOW,
    " where id = $1 and claim_token = $2 and state = 'running' and lease_expires_at < ",
    NOW
);

pub const WAKE_UNIQUE: DualSql = dual_sql!(
    "update jobs set run_at = ",
    NOW,
    ", updated_at = ",
    NOW,
    " where unique_key = $1 and state = 'available'"
);

pub const CANCEL_OWNED: DualSql = dual_sql!(
    "update jobs set state = 'cancelled', finalized_at = ",
    NOW,
    ", updated_at = ",
    NOW,
    " where owner = $1 and state = 'available'"
);

pub const IDLE: DualSql = dual_sql!(
    "select count(*) from jobs where state = 'running' \
     or (state = 'available' and run_at <= ",
    NOW,
    " + $1)"
);
