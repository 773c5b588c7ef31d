//! The sweep of files that interrupted work left behind, run by every process (web and
//! worker) at start and every [`SWEEP_INTERVAL`]:
//!
//! - render scratch directories (`serenade-render-*` under the render temp root) of a render
//!   that was killed with its worker;
//! - temporary files in the storage areas: `.….part` (downloads, render outputs), `.….tmp`
//!   (durable writes) and `.health-probe-*`, and the staging directories (`.staging-*`) of a
//!   step killed before publishing (see `engine::staging`);
//! - orphan uploads: stored files named for a submission that has no row. A photo is written
//!   durably before its row is committed, so a crash between the two leaves one.
//!
//! Nothing younger than [`stale_age`] (by modification time) is touched, so a write still in
//! flight — in this process or another sharing the storage — is safe: no render outlives its
//! timeout, no download its own, and no submission's row commits later than its request's
//! timeout. A file whose submission has a row is never removed here (the daily `cleanup` owns
//! those). Start-up looks at every stored file; the periodic runs only at those modified in
//! the last [`ORPHAN_LOOKBACK`], which every orphan passes through while some process runs.
//! Several processes sweeping at once is harmless: a file already gone is not an error.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::db::Db;
use crate::engine::staging::STAGING_PREFIX;
use crate::render::RENDER_DIR_PREFIX;
use crate::state::AppState;
use crate::storage::{HEALTH_PROBE_PREFIX, TEMP_SUFFIX};
use crate::workflows::song::files::{Area, SongLayout};

/// How often each process sweeps (after the sweep at start).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(5 * 60);
/// The least age of anything swept.
pub const MIN_STALE_AGE: Duration = Duration::from_secs(10 * 60);
/// Periodic sweeps look for orphans only among files modified this recently.
pub const ORPHAN_LOOKBACK: Duration = Duration::from_secs(24 * 60 * 60);
/// Session ids checked against the database per query.
const BATCH: usize = 500;

/// Where to sweep and what counts as stale.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// The song's storage directories.
    pub layout: SongLayout,
    /// The directory the renderer makes its scratch directories in.
    pub render_temp_root: PathBuf,
    /// Anything modified more recently than this is left alone.
    pub stale_age: Duration,
    /// Orphans are looked for only among files modified this recently (`None`: all).
    pub orphan_lookback: Option<Duration>,
}

/// What one sweep removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    pub scratch_dirs: Vec<PathBuf>,
    pub temp_files: Vec<PathBuf>,
    pub orphans: Vec<PathBuf>,
}

/// The age below which nothing is swept: the longest a render or a download may legitimately
/// keep a file in progress, plus a minute, and never under [`MIN_STALE_AGE`].
pub fn stale_age(app: &AppState) -> Duration {
    let margin = Duration::from_secs(60);
    let render = app.renderer.config().timeout() + margin;
    let download = Duration::from_secs(app.config.media.media_download_timeout_seconds) + margin;
    MIN_STALE_AGE.max(render).max(download)
}

/// Sweeps at start and every [`SWEEP_INTERVAL`] until shutdown.
pub async fn run(app: AppState, shutdown: CancellationToken) {
    let mut plan = SweepPlan {
        layout: SongLayout::from_config(&app.config.storage),
        render_temp_root: app.renderer.config().temp_root(),
        stale_age: stale_age(&app),
        orphan_lookback: None,
    };
    let mut ticker = tokio::time::interval(SWEEP_INTERVAL);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = shutdown.cancelled() => return,
        }
        match sweep(&app.db, &plan, SystemTime::now()).await {
            Ok(swept) => log(&swept),
            Err(error) => tracing::warn!(error = ?error, "sweeping stale files failed"),
        }
        plan.orphan_lookback = Some(ORPHAN_LOOKBACK);
    }
}

fn log(swept: &Swept) {
    let removed = swept.scratch_dirs.len() + swept.temp_files.len() + swept.orphans.len();
    if removed > 0 {
        tracing::info!(
            scratch_dirs = swept.scratch_dirs.len(),
            temp_files = swept.temp_files.len(),
            orphans = swept.orphans.len(),
            "swept {removed} stale render directories, temporary files and orphan uploads"
        );
    }
}

/// One sweep as of `now`.
pub async fn sweep(db: &Db, plan: &SweepPlan, now: SystemTime) -> anyhow::Result<Swept> {
    let scan_plan = plan.clone();
    let (mut swept, stored) = tokio::task::spawn_blocking(move || {
        let found = scan(&scan_plan, now);
        let swept = Swept {
            scratch_dirs: remove_all(found.scratch_dirs, |dir| std::fs::remove_dir_all(dir)),
            temp_files: remove_all(found.temp_files, |file| std::fs::remove_file(file)),
            orphans: Vec::new(),
        };
        (swept, found.stored)
    })
    .await?;
    for batch in stored.chunks(BATCH) {
        let ids: Vec<String> = batch.iter().map(|(_, id)| id.clone()).collect();
        let known: HashSet<String> = db.existing_session_ids(&ids).await?;
        let orphans: Vec<PathBuf> = batch
            .iter()
            .filter(|(_, id)| !known.contains(id))
            .map(|(file, _)| file.clone())
            .collect();
        let removed = tokio::task::spawn_blocking(move || {
            remove_all(orphans, |file| std::fs::remove_file(file))
        })
        .await?;
        for file in &removed {
            tracing::warn!(file = %file.display(), "removed a stored file no submission owns");
        }
        swept.orphans.extend(removed);
    }
    Ok(swept)
}

/// Removes each path; returns those this call removed (blocking).
fn remove_all(paths: Vec<PathBuf>, remove: impl Fn(&Path) -> std::io::Result<()>) -> Vec<PathBuf> {
    paths
        .into_iter()
        .filter(|path| removed(remove(path), path))
        .collect()
}

/// Whether the removal happened (a file already gone was someone else's sweep).
fn removed(result: std::io::Result<()>, path: &Path) -> bool {
    match result {
        Ok(()) => true,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => false,
        Err(error) => {
            tracing::warn!(path = %path.display(), error = %error, "could not sweep {}", path.display());
            false
        }
    }
}

/// What a scan found stale.
#[derive(Debug, Default)]
struct Found {
    scratch_dirs: Vec<PathBuf>,
    temp_files: Vec<PathBuf>,
    /// Stored files and the session id their name carries.
    stored: Vec<(PathBuf, String)>,
}

/// Lists the stale candidates (blocking).
fn scan(plan: &SweepPlan, now: SystemTime) -> Found {
    let age_of = |meta: &std::fs::Metadata| {
        meta.modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
    };
    let is_stale = |meta: &std::fs::Metadata| age_of(meta).is_some_and(|age| age >= plan.stale_age);
    let mut found = Found::default();
    for (name, path, meta) in entries(&plan.render_temp_root) {
        if name.starts_with(RENDER_DIR_PREFIX) && meta.is_dir() && is_stale(&meta) {
            found.scratch_dirs.push(path);
        }
    }
    for area in Area::ALL {
        for (name, path, meta) in entries(plan.layout.dir(area)) {
            if meta.is_dir() && name.starts_with(STAGING_PREFIX) && is_stale(&meta) {
                found.scratch_dirs.push(path);
                continue;
            }
            if !meta.is_file() || !is_stale(&meta) {
                continue;
            }
            if is_temporary_name(&name) {
                found.temp_files.push(path);
            } else if let Some((_, session)) = area.file_of(&name) {
                let recent = plan
                    .orphan_lookback
                    .is_none_or(|lookback| age_of(&meta).is_some_and(|age| age <= lookback));
                if recent {
                    found.stored.push((path, session.to_string()));
                }
            }
        }
    }
    found
}

/// Names of the storage layer's temporary files (see `storage` and the downloader).
fn is_temporary_name(name: &str) -> bool {
    name.starts_with(HEALTH_PROBE_PREFIX)
        || (name.starts_with('.') && (name.ends_with(".part") || name.ends_with(TEMP_SUFFIX)))
}

/// The entries of `dir` with their metadata (not following symlinks); none if it is missing.
fn entries(dir: &Path) -> Vec<(String, PathBuf, std::fs::Metadata)> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    listing
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let meta = entry.metadata().ok()?;
            Some((name, entry.path(), meta))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_storage_layers_temporary_names_are_temporary() {
        assert!(is_temporary_name(".abc.jpg.k2j3.tmp"));
        assert!(is_temporary_name(".abc.mp4.k2j3.part"));
        assert!(is_temporary_name(".health-probe-123"));
        assert!(!is_temporary_name("abc.jpg"));
        assert!(!is_temporary_name("notes.part"), "not a hidden file");
        assert!(!is_temporary_name(".profile"));
    }
}
