//! kill -9 of a worker while ffmpeg encodes: ffmpeg dies with it (its parent-death signal),
//! another worker renders the song, and the killed render's scratch directory is swept once
//! it is stale. The song is a 4-minute MP3, so its AAC encode — which reads a file and would
//! run on for seconds after its worker — is one of the processes killed.

use std::path::Path;
use std::time::{Duration, SystemTime};

use serenade::workflows::song::files::SongLayout;
use serenade::workflows::song::sweep::{SweepPlan, sweep};

use crate::cluster::Cluster;
use crate::common::{Backend, on_postgres};
use crate::helpers::{running_job, status_of, submit};

/// `(ppid, state, command name)` of a live process.
fn process(pid: u32) -> Option<(u32, char, String)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let name = stat[stat.find('(')? + 1..stat.rfind(')')?].to_owned();
    let mut rest = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((ppid, state, name))
}

/// The ffmpeg processes whose parent is `parent`.
fn ffmpeg_children(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            process(pid).is_some_and(|(ppid, state, name)| {
                ppid == parent && name == "ffmpeg" && state != 'Z'
            })
        })
        .collect()
}

/// Gone, or a zombie waiting for a reaper: either way no longer running.
fn is_dead(pid: u32) -> bool {
    process(pid).is_none_or(|(_, state, _)| matches!(state, 'Z' | 'X'))
}

/// Moves a file's or directory's modification time an hour back.
fn age(path: &Path) {
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(path)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
}

async fn a_killed_workers_ffmpeg_dies_with_it(backend: Backend) {
    let mut cluster = Cluster::start_with_songs_of(backend, 900, 240).await;
    let id = submit(&cluster.app).await;
    let mp3 = [("SONAUTO_OUTPUT_FORMAT", "mp3")];
    let victim = cluster.spawn_worker_with(Some("pause-mid-encode:render_video"), &mp3);
    let victim_pid = cluster.worker_pid(victim);
    cluster
        .wait_until(
            Duration::from_secs(90),
            "the turn and the audio encoding",
            || async {
                running_job(&cluster.app, &id, "render_video").await
                    && ffmpeg_children(victim_pid).len() == 2
            },
        )
        .await;
    let encoders = ffmpeg_children(victim_pid);

    cluster.kill_worker(victim);
    // The audio encode alone has seconds of work left; only the parent-death signal ends it
    // this soon.
    cluster
        .wait_until(Duration::from_millis(1000), "ffmpeg to die", || async {
            encoders.iter().all(|&pid| is_dead(pid))
        })
        .await;

    let rescuer = cluster.spawn_worker_with(None, &mp3);
    cluster
        .wait_until(Duration::from_secs(120), "the rescued render", || async {
            status_of(&cluster.app, &id).await == "success"
        })
        .await;
    let leftovers = cluster.leftover_temp_files();
    assert!(
        !leftovers.is_empty(),
        "the killed render left no scratch directory to sweep"
    );
    for leftover in &leftovers {
        age(leftover);
    }
    let plan = SweepPlan {
        layout: SongLayout::from_config(&cluster.app.app.config.storage),
        render_temp_root: cluster.worker_render_temp(),
        stale_age: Duration::from_secs(600),
        orphan_lookback: None,
    };
    let swept = sweep(cluster.app.db(), &plan, SystemTime::now())
        .await
        .unwrap();
    assert!(
        cluster.leftover_temp_files().is_empty(),
        "{:?}",
        cluster.leftover_temp_files()
    );
    assert!(swept.orphans.is_empty(), "{swept:?}");
    assert_eq!(cluster.video_files().len(), 1, "the video was swept");
    cluster.kill_worker(rescuer);
    cluster.stop().await;
}

#[tokio::test]
async fn a_killed_workers_ffmpeg_dies_with_it_on_sqlite() {
    a_killed_workers_ffmpeg_dies_with_it(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_killed_workers_ffmpeg_dies_with_it_on_postgres() {
    on_postgres(a_killed_workers_ffmpeg_dies_with_it).await;
}
