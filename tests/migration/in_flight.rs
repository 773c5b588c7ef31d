//! The work in flight when the upgrade happens, written in the previous release's shape: one
//! submission per situation its job can be in (queued, held by a worker whose lease has not
//! run out, backing off, mid-pipeline with a generation the provider knows), and a
//! maintenance job that belongs to no submission. Each submission's photo is on disk.

use std::path::Path;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use serenade::clock::now_ms;
use serenade::db::Db;
use serenade::provider::client::{GenerationRequest, SonautoClient};
use serenade::provider::fake::FakeSonauto;

use crate::common::photos;
use crate::old_release::{self, OldJob, error_entries};

/// How long the previous release's worker still holds its lease after the upgrade.
pub const LEASE_LEFT_MS: i64 = 3_000;
/// How far ahead the backing-off job is due.
pub const BACKOFF_LEFT_MS: i64 = 3_000;
/// The credit refresh period of the test configuration (ten minutes).
const CREDITS_PERIOD_MS: i64 = 600_000;

/// What was written.
pub struct InFlight {
    /// `(situation, session id)` of every submission.
    pub submissions: Vec<(&'static str, String)>,
    /// Every job row, as written.
    pub jobs: Vec<OldJob>,
    /// The `refresh_credits` job's id.
    pub maintenance: String,
}

/// Writes the work in flight into `db` (at the previous schema) and the photos under
/// `storage_dir`; the mid-pipeline generations are created at `fake` first.
pub async fn write(db: &Db, fake: &FakeSonauto, storage_dir: &Path) -> InFlight {
    let generating_task = create_generation(fake).await;
    let (generated_task, generated_response) = finished_generation(fake).await;

    let now = now_ms();
    let slot_until = now + 330_000;
    let mut out = InFlight {
        submissions: Vec::new(),
        jobs: Vec::new(),
        maintenance: String::new(),
    };
    let uploads = storage_dir.join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    let mut submission = |situation: &'static str| {
        let id = cuid2::create_id();
        std::fs::write(uploads.join(format!("{id}.jpg")), photos::jpeg(600, 600)).unwrap();
        out.submissions.push((situation, id.clone()));
        id
    };
    let (queued, mid_post, backing_off, generating, generated) = (
        submission("send queued"),
        submission("send running (lease not expired)"),
        submission("send backing off"),
        submission("reconcile running (generation under way)"),
        submission("fetch_details queued (generation done)"),
    );
    for (_, id) in &out.submissions {
        old_release::insert_submission(db, id, "cookie-before-upgrade", now - 5_000).await;
    }

    let mut jobs = vec![OldJob::step("send", "dispatch", &queued, now - 100)];

    // Its worker stamped the POST and took a slot; whether the POST got out is unknown.
    old_release::mark_send_started(db, &mid_post, 0, now - 500, slot_until).await;
    jobs.push(
        OldJob::step("send", "dispatch", &mid_post, now - 1_000).claimed(now + LEASE_LEFT_MS),
    );

    // A 404 on the POST: the slot was freed and the first attempt spent.
    jobs.push(OldJob {
        attempt: 1,
        run_at: now + BACKOFF_LEFT_MS,
        errors: error_entries(1, now - 1_000, "not_found: the provider answered 404"),
        updated_at: now - 1_000,
        ..OldJob::step("send", "dispatch", &backing_off, now - 2_000)
    });

    old_release::mark_send_started(db, &generating, 1, now - 2_000, slot_until).await;
    old_release::mark_sent(db, &generating, &generating_task, now - 1_500).await;
    jobs.push(
        OldJob::step("send", "dispatch", &generating, now - 2_000).completed(now - 1_500, "sent"),
    );
    jobs.push(
        OldJob::step("reconcile", "provider", &generating, now - 1_500)
            .claimed(now + LEASE_LEFT_MS),
    );

    old_release::mark_send_started(db, &generated, 2, now - 3_000, slot_until).await;
    old_release::mark_sent(db, &generated, &generated_task, now - 2_500).await;
    old_release::mark_received(db, &generated, &generated_response, now - 1_000).await;
    jobs.push(
        OldJob::step("send", "dispatch", &generated, now - 3_000).completed(now - 2_500, "sent"),
    );
    jobs.push(
        OldJob::step("reconcile", "provider", &generated, now - 2_500)
            .completed(now - 1_000, "SUCCESS"),
    );
    jobs.push(OldJob::step(
        "fetch_details",
        "provider",
        &generated,
        now - 1_000,
    ));

    let maintenance = OldJob {
        submission_id: None,
        unique_key: None,
        periodic_key: Some(format!("credits:{}", now / CREDITS_PERIOD_MS)),
        ..OldJob::step("refresh_credits", "maintenance", "", now - 100)
    };
    out.maintenance = maintenance.id.clone();
    jobs.push(maintenance);

    for job in &jobs {
        job.insert(db).await;
    }
    out.jobs = jobs;
    out
}

fn client(fake: &FakeSonauto) -> SonautoClient {
    SonautoClient::new(
        &fake.api_url(),
        SecretString::from(fake.api_key().to_owned()),
        Duration::from_secs(5),
    )
    .unwrap()
}

/// A generation the provider is making (no webhook: the app does not exist yet).
async fn create_generation(fake: &FakeSonauto) -> String {
    let request = GenerationRequest {
        prompt: "A love song from Matt to Toby the dog, romantic".into(),
        tags: None,
        instrumental: false,
        output_format: "mp3",
        output_bit_rate: 192,
        webhook_url: None,
    };
    client(fake).create_generation(&request).await.unwrap()
}

/// A generation the provider has finished: its task id and its answer, verbatim.
async fn finished_generation(fake: &FakeSonauto) -> (String, String) {
    let task_id = create_generation(fake).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let generation = client(fake).generation(&task_id).await.unwrap();
        if generation.status == "SUCCESS" {
            return (task_id, generation.raw);
        }
        assert!(
            Instant::now() < deadline,
            "the fake never finished {task_id}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
