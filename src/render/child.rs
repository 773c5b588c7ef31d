//! How ffmpeg and ffprobe are started so that none outlives its render or its worker.
//!
//! - **Own process group.** Every tool is the leader of a new process group
//!   (`process_group(0)`): a Ctrl-C in a terminal reaches serenade alone (which then drains),
//!   and the whole group is SIGKILLed when the render times out, is cancelled or is dropped
//!   ([`Tool`]). The group is signalled only while its leader is unreaped, so its id cannot
//!   have been reused by an unrelated process.
//! - **Death with the worker.** A `SIGKILL`ed worker runs no destructor, so the kernel must do
//!   it: `PR_SET_PDEATHSIG`. It has to be set inside the child between fork and exec, which
//!   from Rust needs `pre_exec` — unsafe, and this crate forbids unsafe code. util-linux's
//!   `setpriv --pdeathsig KILL` does exactly that and then execs; the setting survives exec
//!   (ffmpeg is not set-uid). Each tool therefore runs as
//!   `setpriv --pdeathsig KILL -- /bin/sh -c '[ "$PPID" = "$0" ] && exec "$@"' <our pid> <tool> …`:
//!   the shell runs after the `prctl` and refuses to start the tool if its parent already
//!   changed, which closes the race of a worker killed between the fork and the `prctl`.
//! - **The forking thread.** Linux sends the parent-death signal when the *thread* that forked
//!   the child exits, not the process. Tokio may run a task on a blocking-pool thread, which
//!   exits after idling (and `block_in_place` moves a worker's core to another thread), so a
//!   tool forked there could be killed mid-render. Every tool is therefore forked by one
//!   dedicated thread that lives as long as the process ([`spawn`]).
//!
//! Without a working `setpriv` (not Linux, or util-linux missing) tools start directly and a
//! warning says that they would outlive a killed worker; the group kill still holds.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::sync::mpsc as std_mpsc;

use rustix::process::{Pid, Signal, kill_process_group};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// The shell guard run between `setpriv` and the tool (see the module documentation).
const PARENT_CHECK: &str = r#"[ "$PPID" = "$0" ] && exec "$@""#;
/// The shell that runs [`PARENT_CHECK`].
const SHELL: &str = "/bin/sh";

/// What to start.
#[derive(Debug)]
pub struct SpawnSpec {
    /// The program: a path, or a name looked up on `PATH`.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Whether stdin is a pipe (else `/dev/null`).
    pub stdin_piped: bool,
}

/// A running tool; its whole process group is SIGKILLed when this is dropped unreaped.
#[derive(Debug)]
pub struct Tool {
    /// The process (stdout and stderr are pipes).
    pub child: Child,
}

impl Tool {
    /// SIGKILLs the tool's process group (and the tool itself) unless it has been reaped.
    pub fn kill_group(&mut self) {
        let Some(pid) = self.child.id() else {
            return; // Reaped: the group id may belong to someone else by now.
        };
        if let Some(group) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
            // ESRCH (the group already gone) is the expected failure and needs no handling.
            let _ = kill_process_group(group, Signal::KILL);
        }
        let _ = self.child.start_kill();
    }
}

impl Drop for Tool {
    fn drop(&mut self) {
        self.kill_group();
    }
}

/// One request to the forking thread.
struct Request {
    spec: SpawnSpec,
    runtime: tokio::runtime::Handle,
    reply: oneshot::Sender<std::io::Result<Child>>,
}

/// Starts the tool from the process-long forking thread, in its own process group, with the
/// parent-death signal armed when `setpriv` works. A program that cannot be found is an
/// `ErrorKind::NotFound` error.
pub async fn spawn(spec: SpawnSpec) -> std::io::Result<Tool> {
    let (reply, answer) = oneshot::channel();
    let request = Request {
        spec,
        runtime: tokio::runtime::Handle::current(),
        reply,
    };
    forking_thread()
        .send(request)
        .map_err(|_| std::io::Error::other("the process-spawning thread has stopped"))?;
    let child = answer
        .await
        .map_err(|_| std::io::Error::other("the process-spawning thread dropped a request"))??;
    Ok(Tool { child })
}

/// The sender to the forking thread, started on first use.
fn forking_thread() -> &'static std_mpsc::Sender<Request> {
    static SENDER: OnceLock<std_mpsc::Sender<Request>> = OnceLock::new();
    SENDER.get_or_init(|| {
        let (sender, requests) = std_mpsc::channel::<Request>();
        let started = std::thread::Builder::new()
            .name("serenade-tool-spawner".into())
            .spawn(move || serve_spawn_requests(&requests));
        if let Err(error) = started {
            // Requests will fail with "stopped"; the render reports it as a spawn failure.
            tracing::error!(error = %error, "could not start the process-spawning thread");
        }
        sender
    })
}

/// The forking thread's loop; returns when every sender is gone (never, in practice).
fn serve_spawn_requests(requests: &std_mpsc::Receiver<Request>) {
    let setpriv = parent_death_wrapper();
    while let Ok(Request {
        spec,
        runtime,
        reply,
    }) = requests.recv()
    {
        let _entered = runtime.enter();
        let _ = reply.send(start(spec, setpriv.as_deref()));
    }
}

/// Builds and spawns the command (on the calling thread, which must be the forking thread).
fn start(spec: SpawnSpec, setpriv: Option<&Path>) -> std::io::Result<Child> {
    let program = resolve(&spec.program).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} not found", spec.program.display()),
        )
    })?;
    let mut command = match setpriv {
        Some(setpriv) => {
            let mut command = Command::new(setpriv);
            command
                .args(["--pdeathsig", "KILL", "--", SHELL, "-c", PARENT_CHECK])
                .arg(std::process::id().to_string())
                .arg(program);
            command
        }
        None => Command::new(program),
    };
    command
        .args(&spec.args)
        .stdin(if spec.stdin_piped {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
}

/// `setpriv`, if it is installed and can arm the parent-death signal here.
fn parent_death_wrapper() -> Option<PathBuf> {
    let setpriv = resolve(Path::new("setpriv"));
    let works = setpriv.as_ref().is_some_and(|setpriv| {
        std::process::Command::new(setpriv)
            .args(["--pdeathsig", "KILL", "--", SHELL, "-c", "exit 0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    });
    if !works {
        tracing::warn!(
            "setpriv (util-linux) is missing or cannot set a parent-death signal: ffmpeg \
             would outlive a worker killed with SIGKILL"
        );
    }
    setpriv.filter(|_| works)
}

/// The executable `program` names: itself when it holds a `/`, else the first match on
/// `PATH` (as a shell would find it).
pub fn resolve(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 || program.is_absolute() {
        return is_executable(program).then(|| program.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
#[path = "child_tests.rs"]
pub(super) mod tests;
