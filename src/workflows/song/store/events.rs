//! The webhook inbox: every provider callback is recorded once per (submission, status) —
//! early, repeated and late ones included — and only wakes `reconcile`, which trusts the
//! provider's authenticated API, never the callback body.

use crate::db::{Db, DbError, DualSql, dual_sql, on_pool};
use crate::workflows::song::kinds::step_key;

/// What a webhook may point at.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookTarget {
    pub session_id: String,
    pub webhook_token: String,
    pub llm_task_id: Option<String>,
    pub entry_status: String,
    pub provider_status: Option<String>,
}

const SET_PROVIDER_STATUS: DualSql = dual_sql!(
    "update submissions set provider_status = $2, updated_at = ",
    NOW,
    " where session_id = $1 and entry_status in ('pending', 'processing') \
     and coalesce(provider_status, '') not in ('SUCCESS', 'FAILURE')"
);

impl Db {
    /// The submission a webhook URL names, by session id.
    pub async fn webhook_target(&self, session_id: &str) -> Result<Option<WebhookTarget>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, WebhookTarget>(
                "select session_id, webhook_token, llm_task_id, entry_status, provider_status \
                 from submissions where session_id = $1",
            )
            .bind(session_id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// The submission a provider task id belongs to (the spec's `POST /api/webhook`).
    pub async fn webhook_target_by_task(
        &self,
        task_id: &str,
    ) -> Result<Option<WebhookTarget>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, WebhookTarget>(
                "select session_id, webhook_token, llm_task_id, entry_status, provider_status \
                 from submissions where llm_task_id = $1",
            )
            .bind(task_id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Records a callback; `false` when the same status was already recorded.
    pub async fn record_provider_event(
        &self,
        session_id: &str,
        task_id: Option<&str>,
        status: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let inserted = on_pool!(self, |pool| {
            sqlx::query(
                "insert into provider_events (id, submission_id, provider_task_id, status, body, \
                 created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6) on conflict do nothing",
            )
            .bind(cuid2::create_id())
            .bind(session_id)
            .bind(task_id)
            .bind(status)
            .bind(body)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(inserted == 1)
    }

    /// Task ids that callbacks for this submission carried (to adopt a generation whose POST
    /// response was lost).
    pub async fn event_task_ids(&self, session_id: &str) -> Result<Vec<String>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select distinct provider_task_id from provider_events \
                 where submission_id = $1 and provider_task_id is not null",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Whether any callback arrived for this submission.
    pub async fn has_provider_events(&self, session_id: &str) -> Result<bool, DbError> {
        let count: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar("select count(*) from provider_events where submission_id = $1")
                .bind(session_id)
                .fetch_one(pool)
                .await
        })?;
        Ok(count > 0)
    }

    /// Shows an in-progress provider status on the waiting page (never for finished ones).
    pub async fn set_provider_status(&self, session_id: &str, status: &str) -> Result<(), DbError> {
        on_pool!(self, |pool, dialect| {
            sqlx::query(SET_PROVIDER_STATUS.pick(dialect))
                .bind(session_id)
                .bind(status)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Makes the submission's waiting job of `kind` (e.g. `reconcile`) runnable now.
    pub async fn wake_job(&self, kind: &str, session_id: &str) -> Result<bool, DbError> {
        self.wake_unique(&step_key(kind, session_id)).await
    }
}
