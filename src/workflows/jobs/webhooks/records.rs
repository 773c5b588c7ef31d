//! The `webhook_deliveries` table: one row per delivery attempt of a job's events — sent or
//! refused, answered or not — written as each attempt ends and shown on the job, oldest first.

use sqlx::FromRow;

use crate::db::{Db, DbError, on_pool};
use crate::domain::timestamp::rfc3339_from_ms;

/// Longest error text kept per attempt.
const MAX_ERROR_CHARS: usize = 500;

/// One attempt as the job's client sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryRecord {
    pub id: String,
    /// The `webhook-id` (the same on every attempt of one event).
    pub event_id: String,
    pub event_type: String,
    pub attempt: i32,
    pub url: String,
    /// The endpoint's answer, if it gave one.
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub delivered: bool,
    /// When the attempt ended (RFC 3339).
    pub at: String,
}

/// An attempt to record.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    pub event_id: &'a str,
    pub job_id: &'a str,
    pub event_type: &'a str,
    pub attempt: i32,
    pub url: &'a str,
    pub status_code: Option<u16>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
    pub delivered: bool,
    pub at: i64,
}

#[derive(Debug, FromRow)]
struct DeliveryRow {
    id: String,
    event_id: String,
    event_type: String,
    attempt: i32,
    url: String,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
    delivered: i32,
    at: i64,
}

impl From<DeliveryRow> for DeliveryRecord {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            attempt: row.attempt,
            url: row.url,
            status_code: row.status_code,
            error: row.error,
            duration_ms: row.duration_ms,
            delivered: row.delivered != 0,
            at: rfc3339_from_ms(row.at),
        }
    }
}

impl Db {
    /// Records one delivery attempt.
    pub async fn record_webhook_delivery(&self, delivery: &NewDelivery<'_>) -> Result<(), DbError> {
        let id = format!("whd_{}", cuid2::create_id());
        let error = delivery
            .error
            .map(|error| error.chars().take(MAX_ERROR_CHARS).collect::<String>());
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into webhook_deliveries (id, event_id, job_id, event_type, attempt, url, \
                 status_code, error, duration_ms, delivered, at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&id)
            .bind(delivery.event_id)
            .bind(delivery.job_id)
            .bind(delivery.event_type)
            .bind(delivery.attempt)
            .bind(delivery.url)
            .bind(delivery.status_code.map(i32::from))
            .bind(error.as_deref())
            .bind(delivery.duration_ms)
            .bind(i32::from(delivery.delivered))
            .bind(delivery.at)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Every delivery attempt of `job_id`'s events, oldest first.
    pub async fn webhook_deliveries(&self, job_id: &str) -> Result<Vec<DeliveryRecord>, DbError> {
        let rows: Vec<DeliveryRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "select id, event_id, event_type, attempt, url, status_code, error, duration_ms, \
                 delivered, at from webhook_deliveries where job_id = $1 \
                 order by at, event_id, attempt, id",
            )
            .bind(job_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(DeliveryRecord::from).collect())
    }
}
