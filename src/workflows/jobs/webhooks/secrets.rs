//! Each API key's webhook signing secret (`api_keys.webhook_secret`, `whsec_…`): made on
//! first use — by whichever process asks first, the others reading back the one it stored —
//! and kept for the key's life.

use secrecy::{ExposeSecret, SecretString};

use crate::db::{Db, DbError, on_pool};
use crate::webhooks::WebhookSecret;

impl Db {
    /// The webhook secret of key `key_id`, made now if it has none; `None` when there is no
    /// such key.
    pub async fn api_key_webhook_secret(
        &self,
        key_id: &str,
    ) -> Result<Option<SecretString>, DbError> {
        match self.stored_webhook_secret(key_id).await? {
            Some(Some(secret)) => return Ok(Some(secret)),
            Some(None) => {}
            None => return Ok(None),
        }
        let fresh = WebhookSecret::generate().to_whsec();
        on_pool!(self, |pool| {
            sqlx::query(
                "update api_keys set webhook_secret = $2 where id = $1 and webhook_secret is null",
            )
            .bind(key_id)
            .bind(fresh.expose_secret())
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        // Whoever stored first won: everyone signs with that one.
        Ok(self.stored_webhook_secret(key_id).await?.flatten())
    }

    /// `None`: no such key; `Some(None)`: a key without a secret yet.
    async fn stored_webhook_secret(
        &self,
        key_id: &str,
    ) -> Result<Option<Option<SecretString>>, DbError> {
        let row: Option<(Option<String>,)> = on_pool!(self, |pool| {
            sqlx::query_as("select webhook_secret from api_keys where id = $1")
                .bind(key_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(|(secret,)| secret.map(SecretString::from)))
    }
}
