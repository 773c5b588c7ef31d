//! One run of a speech program (espeak-ng, piper) through the renderer's child-process
//! discipline (`render::process`: its own process group, killed with it at the time limit or
//! when dropped, dying with serenade), the text written to its stdin, and the outcome in
//! [`TtsError`] terms — a missing program names what to install.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use tokio::sync::mpsc;

use super::error::TtsError;
use crate::render::RenderError;
use crate::render::process::{Deadline, ToolRun, run_tool};

/// What to run.
#[derive(Debug)]
pub struct SpeechTool<'a> {
    /// Name in errors and logs (`"espeak-ng"`).
    pub tool: &'static str,
    /// What to install when the program is missing (named in the error).
    pub install: &'static str,
    /// The program: a path, or a name looked up on `PATH`.
    pub program: &'a Path,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Written to stdin, which is then closed.
    pub stdin: Vec<u8>,
    /// How long the program may run.
    pub timeout: Duration,
}

/// Runs the program to completion within its time limit.
pub async fn run_speech_tool(run: SpeechTool<'_>) -> Result<(), TtsError> {
    let SpeechTool {
        tool,
        install,
        program,
        args,
        stdin,
        timeout,
    } = run;
    let (sender, text) = mpsc::channel(1);
    // The channel has room for this one message; dropping the sender then closes stdin.
    let _ = sender.try_send(stdin);
    drop(sender);
    let run = ToolRun {
        tool,
        program,
        args,
    };
    match run_tool(run, Some(text), Deadline::after(timeout)).await {
        Ok(_stdout) => Ok(()),
        Err(RenderError::ToolNotFound { tool }) => Err(TtsError::ToolNotFound { tool, install }),
        Err(RenderError::Spawn { tool, source }) => Err(TtsError::Spawn { tool, source }),
        Err(RenderError::Timeout { tool, after }) => Err(TtsError::Timeout { tool, after }),
        Err(RenderError::ToolFailed {
            tool,
            status,
            stderr_tail,
        }) => Err(TtsError::ToolFailed {
            tool,
            status,
            stderr_tail,
        }),
        // `run_tool` fails in no other way; kept distinct rather than guessed at.
        Err(other) => Err(TtsError::Spawn {
            tool,
            source: std::io::Error::other(other.to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn sh(script: &str, stdin: &str, timeout: Duration) -> SpeechTool<'static> {
        SpeechTool {
            tool: "sh",
            install: "a shell",
            program: Path::new("/bin/sh"),
            args: vec!["-c".into(), script.into()],
            stdin: stdin.as_bytes().to_vec(),
            timeout,
        }
    }

    #[tokio::test]
    async fn stdin_reaches_the_program_and_failures_keep_stderr() {
        let echo = sh("cat >&2; exit 4", "spoken", Duration::from_secs(5));
        match run_speech_tool(echo).await.unwrap_err() {
            TtsError::ToolFailed {
                status,
                stderr_tail,
                ..
            } => {
                assert_eq!(status.code(), Some(4));
                assert_eq!(stderr_tail, "spoken");
            }
            other => panic!("unexpected {other:?}"),
        }
        run_speech_tool(sh("cat > /dev/null", "ok", Duration::from_secs(5)))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_missing_program_names_what_to_install() {
        let run = SpeechTool {
            tool: "espeak-ng",
            install: "the Debian package espeak-ng",
            program: Path::new("/nonexistent/espeak-ng"),
            args: vec![],
            stdin: Vec::new(),
            timeout: Duration::from_secs(5),
        };
        let error = run_speech_tool(run).await.unwrap_err();
        assert!(matches!(error, TtsError::ToolNotFound { .. }), "{error:?}");
        assert!(error.to_string().contains("Debian package espeak-ng"));
    }

    #[tokio::test]
    async fn a_slow_program_is_killed_at_the_time_limit() {
        let started = Instant::now();
        let error = run_speech_tool(sh("sleep 30", "", Duration::from_millis(300)))
            .await
            .unwrap_err();
        assert!(
            matches!(error, TtsError::Timeout { tool: "sh", .. }),
            "{error:?}"
        );
        assert!(error.is_retryable());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
