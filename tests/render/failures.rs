//! Refusals and failures: each is a typed error the pipeline can record, and none leaves a
//! scratch directory, a partial output or a temp file behind.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use serenade::render::{RenderConfig, RenderError, Renderer};

use crate::support::{Workspace, ffmpeg_available, marked_photo, mp3_song};

/// Renders with `config` and returns the error, after checking nothing was left behind.
async fn failed_render(workspace: &Workspace, config: RenderConfig, song: &str) -> RenderError {
    let photo = marked_photo(&workspace.input("pet.jpg"));
    let renderer = Renderer::new(config).unwrap();
    let error = renderer
        .render(&workspace.job(&photo, &workspace.input(song)))
        .await
        .unwrap_err();
    workspace.assert_nothing_left();
    error
}

/// Deterministic noise (no audio frame sync can be trusted in it).
fn noise(length: usize) -> Vec<u8> {
    let mut state: u32 = 0x2545_f491;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

#[tokio::test]
async fn random_bytes_named_mp3_are_refused_as_not_audio() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    std::fs::write(workspace.input("song.mp3"), noise(200_000)).unwrap();

    let error = failed_render(&workspace, workspace.config(), "song.mp3").await;

    assert!(error.is_input_rejection(), "{error:?}");
    assert!(!error.is_retryable());
    assert!(
        matches!(
            error,
            RenderError::NotAudio | RenderError::UnreadableAudio { .. }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_text_file_named_mp3_is_refused_as_unreadable() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    std::fs::write(
        workspace.input("song.mp3"),
        "These are lyrics, not a song.\n",
    )
    .unwrap();

    let error = failed_render(&workspace, workspace.config(), "song.mp3").await;

    assert!(
        matches!(error, RenderError::UnreadableAudio { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "audio_unreadable");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_3_second_song_is_too_short() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    mp3_song(&workspace.input("song.mp3"), 3, "128k");

    let error = failed_render(&workspace, workspace.config(), "song.mp3").await;

    match error {
        RenderError::TooShort { seconds } => assert!((seconds - 3.0).abs() < 0.2, "{seconds}"),
        other => panic!("expected TooShort, got {other:?}"),
    }
}

#[tokio::test]
async fn a_7_minute_song_is_too_long() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    mp3_song(&workspace.input("song.mp3"), 420, "32k");

    let error = failed_render(&workspace, workspace.config(), "song.mp3").await;

    assert!(
        matches!(error, RenderError::TooLong { seconds } if seconds > 419.0),
        "{error:?}"
    );
    assert_eq!(error.code(), "audio_too_long");
}

#[tokio::test]
async fn an_unreadable_photo_is_refused() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    mp3_song(&workspace.input("song.mp3"), 6, "128k");
    let renderer = Renderer::new(workspace.config()).unwrap();
    let job = workspace.job(&workspace.input("pet.jpg"), &workspace.input("song.mp3"));
    std::fs::write(&job.photo, b"<html>not a photo</html>").unwrap();

    let error = renderer.render(&job).await.unwrap_err();

    assert!(matches!(error, RenderError::Photo { .. }), "{error:?}");
    assert_eq!(error.code(), "photo_unreadable");
    workspace.assert_nothing_left();
}

#[tokio::test]
async fn a_missing_ffmpeg_is_reported_as_not_found() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    mp3_song(&workspace.input("song.mp3"), 6, "128k");
    let config = RenderConfig {
        ffmpeg: workspace.dir.path().join("no-such-ffmpeg"),
        ..workspace.config()
    };

    let error = failed_render(&workspace, config, "song.mp3").await;

    assert!(
        matches!(error, RenderError::ToolNotFound { tool: "ffmpeg" }),
        "{error:?}"
    );
    assert!(error.to_string().contains("not found on PATH"));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_hanging_ffmpeg_is_killed_at_the_time_limit() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    mp3_song(&workspace.input("song.mp3"), 6, "128k");
    let pid_file = workspace.dir.path().join("ffmpeg.pid");
    let script = workspace.dir.path().join("hanging-ffmpeg");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nexec sleep 60\n",
            pid_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = RenderConfig {
        ffmpeg: script,
        render_timeout_seconds: 2,
        ..workspace.config()
    };
    let started = Instant::now();

    let error = failed_render(&workspace, config, "song.mp3").await;

    assert!(
        matches!(error, RenderError::Timeout { tool: "ffmpeg", .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(15));
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let proc_entry = format!("/proc/{}", pid.trim());
    assert!(
        !std::path::Path::new(&proc_entry).exists(),
        "the stand-in ffmpeg (pid {}) is still running",
        pid.trim()
    );
}
