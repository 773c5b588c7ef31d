//! Child processes (ffmpeg, ffprobe): started through `child` (own process group, killed with
//! the worker), fed frames over stdin when asked, their group killed when the render's
//! deadline passes or the render is dropped, and failing with the last few KB of stderr.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::ChildStdin;
use tokio::sync::mpsc;

use super::child::{self, SpawnSpec};
use super::error::RenderError;

/// How much of a tool's stderr is kept for the error.
pub const STDERR_TAIL_BYTES: usize = 4096;
/// How much of a tool's stdout is kept (ffprobe's JSON is a few KB).
const STDOUT_LIMIT_BYTES: usize = 1024 * 1024;

/// The moment a whole render must be finished by; each tool gets what is left.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    end: Instant,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Self {
            end: Instant::now() + budget,
        }
    }

    /// Time left (zero once passed).
    pub fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }
}

/// One run of a tool.
#[derive(Debug)]
pub struct ToolRun<'a> {
    /// Name used in errors and logs ("ffmpeg", "ffprobe").
    pub tool: &'static str,
    /// The program to execute.
    pub program: &'a Path,
    /// Its arguments (see `plan`).
    pub args: Vec<OsString>,
}

/// Runs the tool to completion within the deadline, writing each received frame to its stdin
/// when `frames` is given (stdin is closed after the last one, or null when `None`). Returns
/// what the tool wrote to stdout.
#[tracing::instrument(name = "tool", skip_all, fields(tool = run.tool))]
pub async fn run_tool(
    run: ToolRun<'_>,
    frames: Option<mpsc::Receiver<Vec<u8>>>,
    deadline: Deadline,
) -> Result<Vec<u8>, RenderError> {
    let ToolRun {
        tool,
        program,
        args,
    } = run;
    tracing::debug!(tool, program = %program.display(), ?args, "running {tool}");
    let spec = SpawnSpec {
        program: program.to_path_buf(),
        args,
        stdin_piped: frames.is_some(),
    };
    // Dropping `running` (a cancelled render) kills the tool's whole process group.
    let mut running = child::spawn(spec)
        .await
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => RenderError::ToolNotFound { tool },
            _ => RenderError::Spawn { tool, source },
        })?;
    let started = Instant::now();
    let stdin = running.child.stdin.take();
    let stdout = running.child.stdout.take();
    let stderr = running.child.stderr.take();

    let finished = tokio::time::timeout(deadline.remaining(), async {
        let ((), stdout, stderr_tail) = tokio::join!(
            feed_frames(stdin, frames),
            read_capped(stdout, STDOUT_LIMIT_BYTES),
            read_tail(stderr, STDERR_TAIL_BYTES),
        );
        (running.child.wait().await, stdout, stderr_tail)
    })
    .await;

    match finished {
        Ok((Ok(status), stdout, stderr_tail)) if status.success() => {
            if !stderr_tail.is_empty() {
                tracing::debug!(stderr = %stderr_tail, "{tool} succeeded with messages");
            }
            Ok(stdout)
        }
        Ok((Ok(status), _, stderr_tail)) => Err(RenderError::ToolFailed {
            tool,
            status,
            stderr_tail,
        }),
        Ok((Err(source), _, _)) => Err(RenderError::Spawn { tool, source }),
        Err(_elapsed) => {
            // Killing and reaping here (rather than only on drop) means the process group is
            // gone by the time the caller sees the error.
            running.kill_group();
            let _ = running.child.wait().await;
            Err(RenderError::Timeout {
                tool,
                after: started.elapsed(),
            })
        }
    }
}

/// Writes each frame to stdin until the sender is done, then closes stdin.
async fn feed_frames(stdin: Option<ChildStdin>, frames: Option<mpsc::Receiver<Vec<u8>>>) {
    let (Some(mut stdin), Some(mut frames)) = (stdin, frames) else {
        return;
    };
    while let Some(frame) = frames.recv().await {
        // A write fails when the tool stopped reading (it exited); its status explains why,
        // and dropping the receiver stops the producer.
        if stdin.write_all(&frame).await.is_err() {
            return;
        }
    }
    let _ = stdin.shutdown().await;
}

/// Reads everything, keeping the first `limit` bytes.
async fn read_capped(pipe: Option<impl AsyncRead + Unpin>, limit: usize) -> Vec<u8> {
    let mut kept = Vec::new();
    let Some(mut pipe) = pipe else {
        return kept;
    };
    let mut chunk = vec![0; 8192];
    while let Ok(read) = pipe.read(&mut chunk).await {
        if read == 0 {
            break;
        }
        let room = limit.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..read.min(room)]);
    }
    kept
}

/// Reads everything, keeping the last `limit` bytes as (lossy) text.
async fn read_tail(pipe: Option<impl AsyncRead + Unpin>, limit: usize) -> String {
    let mut tail = VecDeque::with_capacity(limit);
    if let Some(mut pipe) = pipe {
        let mut chunk = vec![0; 4096];
        while let Ok(read) = pipe.read(&mut chunk).await {
            if read == 0 {
                break;
            }
            tail.extend(&chunk[..read]);
            let excess = tail.len().saturating_sub(limit);
            tail.drain(..excess);
        }
    }
    let bytes: Vec<u8> = tail.into_iter().collect();
    String::from_utf8_lossy(&bytes).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_stderr_tail_keeps_only_the_end() {
        let text = format!("{}END", "x".repeat(10_000));
        let tail = read_tail(Some(text.as_bytes()), 16).await;
        assert_eq!(tail, "xxxxxxxxxxxxxEND");
    }

    #[tokio::test]
    async fn a_missing_program_is_tool_not_found() {
        let run = ToolRun {
            tool: "ffmpeg",
            program: Path::new("/nonexistent/serenade-ffmpeg"),
            args: vec![],
        };
        let error = run_tool(run, None, Deadline::after(Duration::from_secs(5)))
            .await
            .unwrap_err();
        assert!(matches!(
            error,
            RenderError::ToolNotFound { tool: "ffmpeg" }
        ));
    }

    #[tokio::test]
    async fn a_failing_program_reports_its_stderr() {
        let run = ToolRun {
            tool: "sh",
            program: Path::new("/bin/sh"),
            args: vec!["-c".into(), "echo boom >&2; exit 3".into()],
        };
        let error = run_tool(run, None, Deadline::after(Duration::from_secs(5)))
            .await
            .unwrap_err();
        match error {
            RenderError::ToolFailed {
                status,
                stderr_tail,
                ..
            } => {
                assert_eq!(status.code(), Some(3));
                assert_eq!(stderr_tail, "boom");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_slow_program_is_killed_at_the_deadline() {
        let run = ToolRun {
            tool: "sleep",
            program: Path::new("/bin/sleep"),
            args: vec!["30".into()],
        };
        let started = Instant::now();
        let error = run_tool(run, None, Deadline::after(Duration::from_millis(300)))
            .await
            .unwrap_err();
        assert!(matches!(error, RenderError::Timeout { tool: "sleep", .. }));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_timeout_kills_the_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let script = format!("sleep 30 & echo $! > {}; wait", pid_file.display());
        let run = ToolRun {
            tool: "sh",
            program: Path::new("/bin/sh"),
            args: vec!["-c".into(), script.into()],
        };
        let error = run_tool(run, None, Deadline::after(Duration::from_millis(500)))
            .await
            .unwrap_err();
        assert!(matches!(error, RenderError::Timeout { tool: "sh", .. }));
        let grandchild: u32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !crate::render::child::tests::is_dead(grandchild) {
            assert!(
                Instant::now() < deadline,
                "the tool's child outlived the timeout"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
