//! Tools lead their own process group, the group dies with the `Tool`, and a tool survives
//! the exit of the thread whose task asked for it.

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};

use super::*;

/// `(state, ppid, pgrp)` of a process from `/proc/{pid}/stat`, or `None` once it is gone.
pub fn proc_stat(pid: u32) -> Option<(char, u32, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, ppid, pgrp))
}

/// Whether the process has exited (gone, or a zombie nobody reaped yet).
pub fn is_dead(pid: u32) -> bool {
    proc_stat(pid).is_none_or(|(state, _, _)| matches!(state, 'Z' | 'X'))
}

fn wait_for_death(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !is_dead(pid) {
        assert!(Instant::now() < deadline, "process {pid} is still alive");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sh(script: &str) -> SpawnSpec {
    SpawnSpec {
        program: "/bin/sh".into(),
        args: vec!["-c".into(), script.into()],
        stdin_piped: false,
    }
}

/// The first line the tool prints.
async fn first_line(tool: &mut Tool) -> String {
    let stdout = tool.child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).await.unwrap();
    line.trim().to_owned()
}

#[tokio::test]
async fn a_tool_leads_its_own_process_group_under_this_process() {
    let mut tool = spawn(sh("echo ready; sleep 30")).await.unwrap();
    assert_eq!(first_line(&mut tool).await, "ready");
    let pid = tool.child.id().unwrap();
    let (_, ppid, pgrp) = proc_stat(pid).unwrap();
    assert_eq!(pgrp, pid, "the tool leads its own group");
    assert_eq!(ppid, std::process::id());
    let (_, _, our_group) = proc_stat(std::process::id()).unwrap();
    assert_ne!(pgrp, our_group);
}

#[tokio::test]
async fn dropping_a_tool_kills_its_whole_group() {
    let mut tool = spawn(sh("sleep 30 & echo $!; wait")).await.unwrap();
    let grandchild: u32 = first_line(&mut tool).await.parse().unwrap();
    let pid = tool.child.id().unwrap();
    assert!(!is_dead(grandchild));
    drop(tool);
    wait_for_death(pid);
    wait_for_death(grandchild);
}

#[tokio::test]
async fn a_missing_program_is_not_found() {
    let spec = SpawnSpec {
        program: "serenade-no-such-tool".into(),
        args: vec![],
        stdin_piped: false,
    };
    let error = spawn(spec).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn a_tool_outlives_the_thread_whose_task_started_it() {
    // Blocking-pool threads of this runtime exit after 50 ms idle. Were the tool forked on
    // one, its parent-death signal would fire when that thread exits.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_keep_alive(Duration::from_millis(50))
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut tool = tokio::task::spawn_blocking(|| {
            tokio::runtime::Handle::current().block_on(spawn(sh("echo ready; sleep 30")))
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(first_line(&mut tool).await, "ready");
        let pid = tool.child.id().unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            !is_dead(pid),
            "the tool died with the thread that asked for it"
        );
        drop(tool);
        wait_for_death(pid);
    });
}

#[test]
fn programs_resolve_on_path_or_as_paths() {
    assert_eq!(
        resolve(Path::new("/bin/sh")),
        Some(PathBuf::from("/bin/sh"))
    );
    assert!(resolve(Path::new("sh")).is_some_and(|path| path.is_absolute()));
    assert_eq!(resolve(Path::new("/nonexistent/ffmpeg")), None);
    assert_eq!(resolve(Path::new("/etc/passwd")), None, "not executable");
}
