//! `serenade config --print`: every setting as `ENV_NAME=value`, secrets redacted.

use super::Config;

impl Config {
    /// The settings as `(ENV_NAME, value)` pairs, secrets redacted.
    pub fn redacted_entries(&self) -> Vec<(&'static str, String)> {
        let shown = |value: Option<&String>| value.cloned().unwrap_or_else(|| "(unset)".into());
        let path = |value: &std::path::Path| value.display().to_string();
        let mut entries = vec![
            ("SERENADE_BIND", self.http.bind.to_string()),
            ("PUBLIC_BASE_URL", self.http.public_base_url()),
            ("TRUSTED_PROXIES", self.http.trusted_proxies.to_string()),
            (
                "HEADER_READ_TIMEOUT_SECONDS",
                self.http.header_read_timeout_seconds.to_string(),
            ),
            (
                "REQUEST_TIMEOUT_SECONDS",
                self.http.request_timeout_seconds.to_string(),
            ),
            (
                "SHUTDOWN_GRACE_SECONDS",
                self.http.shutdown_grace_seconds.to_string(),
            ),
            ("DATABASE_URL", self.database.redacted_url()),
            (
                "DATABASE_MAX_CONNECTIONS",
                self.database.database_max_connections.to_string(),
            ),
            ("STORAGE_DIR", path(&self.storage.storage_dir)),
            ("IMG_STORAGE", path(&self.storage.img_dir())),
            ("AUDIO_STORAGE", path(&self.storage.audio_dir())),
            ("VIDEO_STORAGE", path(&self.storage.video_dir())),
            (
                "FORM_SUBMIT_RETRY",
                self.limits.form_submit_retry.to_string(),
            ),
            (
                "SUBMISSIONS_PER_IP_PER_HOUR",
                self.limits.submissions_per_ip_per_hour.to_string(),
            ),
            (
                "RESULTS_PER_IP_PER_HOUR",
                self.limits.results_per_ip_per_hour.to_string(),
            ),
            (
                "MAX_CONCURRENT_SUBMISSIONS",
                self.limits.max_concurrent_submissions.to_string(),
            ),
            (
                "SONAUTO_API_KEY",
                self.provider
                    .sonauto_api_key
                    .as_ref()
                    .map_or("(unset: demo provider)", |_| "[redacted]")
                    .into(),
            ),
            ("EXTERNAL_API_URL", self.provider.external_api_url.clone()),
            ("WEBHOOK_BASE_URL", self.webhook_base_url()),
            (
                "MAX_CONCURRENT_REQUESTS",
                self.provider.max_concurrent_requests.to_string(),
            ),
            ("MAX_RETRIES", self.provider.max_retries.to_string()),
            (
                "WEBHOOK_TIMEOUT_MINUTES",
                self.provider.webhook_timeout_minutes.to_string(),
            ),
            (
                "GENERATION_DEADLINE_MINUTES",
                self.provider.generation_deadline_minutes.to_string(),
            ),
            (
                "RECONCILE_POLL_SECONDS",
                self.provider.reconcile_poll_seconds.to_string(),
            ),
            (
                "ADOPTION_WINDOW_SECONDS",
                self.provider.adoption_window_seconds.to_string(),
            ),
            (
                "API_REQUEST_TIMEOUT_SECONDS",
                self.provider.api_request_timeout_seconds.to_string(),
            ),
            (
                "MIN_AVAILABLE_CREDITS",
                self.provider.min_available_credits.to_string(),
            ),
            (
                "SONG_CREDIT_COST",
                self.provider.song_credit_cost.to_string(),
            ),
            (
                "CREDITS_REFRESH_MINUTES",
                self.provider.credits_refresh_minutes.to_string(),
            ),
            ("SONAUTO_OUTPUT_FORMAT", self.provider.output_format.clone()),
            (
                "MEDIA_ALLOWED_HOSTS",
                self.media.media_allowed_hosts.to_string(),
            ),
            ("MEDIA_MAX_BYTES", self.media.media_max_bytes.to_string()),
            (
                "MEDIA_DOWNLOAD_TIMEOUT_SECONDS",
                self.media.media_download_timeout_seconds.to_string(),
            ),
            (
                "PROVIDER_WORKERS",
                self.pipeline.provider_workers.to_string(),
            ),
            (
                "JOB_LEASE_SECONDS",
                self.pipeline.job_lease_seconds.to_string(),
            ),
            (
                "RETRY_BACKOFF_SECONDS",
                self.pipeline
                    .retry_backoff_seconds
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            (
                "FILE_RETENTION_DAYS",
                self.pipeline.file_retention_days.to_string(),
            ),
            ("ADMIN_USER", shown(self.admin.admin_user.as_ref())),
            (
                "ADMIN_PASSWORD",
                self.admin
                    .admin_password
                    .as_ref()
                    .map_or("(unset)", |_| "[redacted]")
                    .into(),
            ),
            ("TERMS_URL", self.site.terms_url.clone()),
            ("PRIVACY_URL", self.site.privacy_url.clone()),
        ];
        let after_storage = entries
            .iter()
            .position(|(name, _)| *name == "VIDEO_STORAGE")
            .map_or(entries.len(), |index| index + 1);
        entries.splice(
            after_storage..after_storage,
            self.storage.objects.redacted_entries(),
        );
        entries.extend(self.jobs.redacted_entries());
        entries.extend(self.tts.redacted_entries());
        entries.extend(self.slideshow.redacted_entries());
        entries
    }
}
