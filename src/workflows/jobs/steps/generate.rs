//! `jobs.generate`: create the job's prediction at Replicate (or the demo Replicate), then
//! follow it until it ends. Success hands each output URL to its own persist job before the
//! provider deletes it (an hour); a provider failure is retried with a fresh prediction up
//! to the job's `max_retries`; a cancel seen here is passed on to the provider.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::engine::{ClaimedJob, Outcome};
use crate::provider::replicate::{
    CreatePrediction, Prediction, PredictionStatus, PredictionTarget, ReplicateError,
};
use crate::state::AppState;
use crate::workflows::jobs::kinds::{persist_job, queues};
use crate::workflows::jobs::model::{JobStatus, Stage};
use crate::workflows::jobs::runtime::REPLICATE;
use crate::workflows::jobs::store::rows::JobRow;
use crate::workflows::jobs::store::transitions::JobEnd;

pub async fn run(app: &AppState, job: &ClaimedJob, job_id: &str) -> anyhow::Result<Outcome> {
    let Some(row) = app.db.api_job(job_id).await? else {
        return Ok(Outcome::fail(format!("job {job_id} does not exist")));
    };
    if row.status().is_terminal() {
        if row.status() == JobStatus::Canceled
            && let Some(prediction) = &row.prediction_id
        {
            cancel_at_provider(app, prediction).await;
        }
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    }
    match &row.prediction_id {
        None => create(app, &row).await,
        Some(prediction_id) => follow(app, job, &row, prediction_id).await,
    }
}

/// Creates the prediction and records it; the job is then followed on the next run.
async fn create(app: &AppState, row: &JobRow) -> anyhow::Result<Outcome> {
    if !app
        .db
        .set_api_job_stage(&row.id, Stage::Starting, Some(REPLICATE), None)
        .await?
    {
        return Ok(Outcome::Snooze(Duration::ZERO));
    }
    app.db.count_api_job_attempt(&row.id).await?;
    let request = CreatePrediction::new(target(&row.model), input(row));
    let began = Instant::now();
    let created = app.jobs.client.create_prediction(&request).await;
    app.db
        .record_provider_call(
            REPLICATE,
            created.as_ref().err(),
            began.elapsed(),
            app.config.jobs.circuit_open_for(),
        )
        .await?;
    match created {
        Ok(prediction) => {
            app.db
                .set_api_job_stage(&row.id, Stage::Generating, None, Some(&prediction.id))
                .await?;
            tracing::info!(job.id = %row.id, prediction.id = %prediction.id, "prediction created");
            Ok(Outcome::Snooze(app.config.jobs.poll_interval()))
        }
        Err(error) => Ok(provider_error(&error, "creating the prediction")),
    }
}

/// Reads the prediction; on its end, moves the job on.
async fn follow(
    app: &AppState,
    job: &ClaimedJob,
    row: &JobRow,
    prediction_id: &str,
) -> anyhow::Result<Outcome> {
    let began = Instant::now();
    let read = app.jobs.client.prediction(prediction_id).await;
    app.db
        .record_provider_call(
            REPLICATE,
            read.as_ref().err(),
            began.elapsed(),
            app.config.jobs.circuit_open_for(),
        )
        .await?;
    let prediction = match read {
        Ok(prediction) => prediction,
        Err(ReplicateError::NotFound) => {
            app.db.reset_api_prediction(&row.id).await?;
            return Ok(Outcome::retry(
                "the provider no longer knows the prediction",
            ));
        }
        Err(error) => return Ok(provider_error(&error, "reading the prediction")),
    };
    match prediction.status {
        PredictionStatus::Starting | PredictionStatus::Processing | PredictionStatus::Unknown => {
            Ok(Outcome::Snooze(app.config.jobs.poll_interval()))
        }
        PredictionStatus::Succeeded => succeeded(app, job, row, &prediction).await,
        PredictionStatus::Canceled | PredictionStatus::Aborted => {
            let end = JobEnd {
                status: JobStatus::Canceled,
                error_code: Some("canceled_at_provider".into()),
                error_message: Some(format!(
                    "The provider {} the prediction.",
                    prediction.status.as_str()
                )),
            };
            Ok(Outcome::committed(
                app.db
                    .end_api_job_from_step(job, &row.id, &end, "completed")
                    .await?,
            ))
        }
        PredictionStatus::Failed => {
            let message = prediction
                .error_message()
                .unwrap_or_else(|| "the prediction failed".into());
            app.db.reset_api_prediction(&row.id).await?;
            Ok(Outcome::retry(format!("provider_failed: {message}")))
        }
    }
}

async fn succeeded(
    app: &AppState,
    job: &ClaimedJob,
    row: &JobRow,
    prediction: &Prediction,
) -> anyhow::Result<Outcome> {
    let outputs = prediction.output_urls();
    let priority = row.priority().engine_priority();
    let persist = (0..outputs.len())
        .map(|index| persist_job(&row.id, i32::try_from(index).unwrap_or(i32::MAX), priority))
        .collect();
    let applied = app
        .db
        .complete_api_generation(job, &row.id, &outputs, persist)
        .await?;
    if applied {
        app.wakers.wake(queues::OUTPUTS);
    }
    Ok(Outcome::committed(applied))
}

/// Best effort: tell the provider to stop (a cancel is also tried where it was asked for).
pub async fn cancel_at_provider(app: &AppState, prediction_id: &str) {
    if let Err(error) = app.jobs.client.cancel_prediction(prediction_id).await {
        tracing::warn!(prediction.id = %prediction_id, error = %error, "cancelling at the provider failed");
    }
}

/// What a failed provider call means for the attempt.
fn provider_error(error: &ReplicateError, doing: &str) -> Outcome {
    let message = format!("{doing}: {}: {error}", error.code());
    if error.is_retryable() || error.is_account_refusal() {
        Outcome::backoff(message, error.retry_after())
    } else {
        Outcome::fail(message)
    }
}

/// `owner/name` → the model endpoint; `owner/name:version` → the version endpoint.
fn target(model: &str) -> PredictionTarget {
    match model.split_once(':') {
        Some(_) => PredictionTarget::Version(model.to_owned()),
        None => {
            let (owner, name) = model.split_once('/').unwrap_or(("", model));
            PredictionTarget::model(owner, name)
        }
    }
}

/// The model input: the job's parameters, with the fields the API names on top.
fn input(row: &JobRow) -> Value {
    let mut input = match row.parameters() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    input.insert("prompt".into(), json!(row.prompt));
    input.insert("num_outputs".into(), json!(row.num_outputs));
    input.insert("output_format".into(), json!(row.output_format));
    if let Some(seed) = row.seed {
        input.insert("seed".into(), json!(seed));
    }
    Value::Object(input)
}
