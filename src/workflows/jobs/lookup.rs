//! Finding a job for a caller: by id (or, for seed 003's integer ids, by number), visible
//! only to the key that made it and to admin keys — anyone else is told it does not exist.

use super::store::rows::JobRow;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::workflows::jobs::keys::caller::Caller;

/// Whether `caller` may see `row`.
pub fn visible_to(caller: &Caller, row: &JobRow) -> bool {
    caller.is_admin() || row.key_id == caller.key.id
}

/// The job `raw` names, if `caller` may see it.
pub async fn find_job(app: &AppState, caller: &Caller, raw: &str) -> ApiResult<JobRow> {
    let found =
        if !raw.is_empty() && raw.len() <= 18 && raw.bytes().all(|byte| byte.is_ascii_digit()) {
            match raw.parse::<i64>() {
                Ok(number) => app.db.api_job_by_number(number).await?,
                Err(_) => None,
            }
        } else if raw.len() <= 64 {
            app.db.api_job(raw).await?
        } else {
            None
        };
    found
        .filter(|row| visible_to(caller, row))
        .ok_or(ApiError::NotFound { what: "Job" })
}
