//! A "song" that is really a playlist or a concat list naming another local file is refused
//! with a render error; ffmpeg never opens the file it names. Left to guess the format,
//! ffmpeg reads both kinds and plays the other file.

use std::path::Path;

use serenade::render::{RenderError, Renderer};

use crate::support::{Workspace, ffmpeg_available, marked_photo, mp3_song};

/// Renders `song` and returns the error, checking that nothing was written.
async fn refused(workspace: &Workspace, song: &Path) -> RenderError {
    let photo = marked_photo(&workspace.input("pet.jpg"));
    let renderer = Renderer::new(workspace.config()).unwrap();
    let result = renderer.render(&workspace.job(&photo, song)).await;
    let error = result.expect_err("a playlist was rendered as a song");
    workspace.assert_nothing_left();
    error
}

/// A real 8-second song elsewhere on disk, which the crafted files point at.
fn private_song(workspace: &Workspace) -> String {
    let private = workspace.dir.path().join("private");
    std::fs::create_dir_all(&private).unwrap();
    let song = mp3_song(&private.join("secret.mp3"), 8, "128k");
    song.to_str().unwrap().to_owned()
}

fn hls_playlist(target: &str) -> String {
    format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:8.0,\n\
         file:{target}\n#EXT-X-ENDLIST\n"
    )
}

fn concat_list(target: &str) -> String {
    format!("ffconcat version 1.0\nfile 'file:{target}'\n")
}

#[tokio::test]
async fn playlists_and_concat_lists_posing_as_songs_are_refused() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    let target = private_song(&workspace);
    let cases = [
        ("hls.mp3", hls_playlist(&target)),
        ("hls.m4a", hls_playlist(&target)),
        ("list.mp3", concat_list(&target)),
        ("list.m4a", concat_list(&target)),
    ];
    for (name, content) in cases {
        let song = workspace.input(name);
        std::fs::write(&song, content).unwrap();

        let error = refused(&workspace, &song).await;

        assert!(error.is_input_rejection(), "{name}: {error:?}");
        assert!(!error.is_retryable(), "{name}");
        assert!(
            matches!(
                error,
                RenderError::UnreadableAudio { .. } | RenderError::NotAudio
            ),
            "{name}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_playlist_named_as_one_is_refused_before_any_tool_runs() {
    let workspace = Workspace::new();
    let song = workspace.input("song.m3u8");
    std::fs::write(&song, hls_playlist("/etc/passwd")).unwrap();

    let error = refused(&workspace, &song).await;

    assert_eq!(error.code(), "audio_format_unsupported");
    assert!(error.to_string().contains("m3u8"), "{error}");
}
