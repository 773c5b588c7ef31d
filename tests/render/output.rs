//! The MP4 itself: H.264 yuv420p 720×720 at 15 fps with AAC, as long as the song to within a
//! frame, decodable without errors, `moov` before `mdat`; plus the poster and OG image.

use std::path::Path;
use std::process::Command;

use serenade::render::{RenderOutput, Renderer};

use crate::support::{
    Workspace, aac_song, ffmpeg_available, marked_photo, mp3_song, probe, seconds, stream,
};

const FRAME: f64 = 1.0 / 15.0;

/// Renders `song` and checks everything about the outputs that does not depend on the codec
/// of the song.
async fn render_and_check(workspace: &Workspace, song: &Path) -> RenderOutput {
    let photo = marked_photo(&workspace.input("pet.jpg"));
    let renderer = Renderer::new(workspace.config()).unwrap();
    let job = workspace.job(&photo, song);

    let output = renderer.render(&job).await.unwrap();

    let report = probe(&job.video_out);
    let video = stream(&report, "video");
    assert_eq!(video["codec_name"], "h264");
    assert_eq!(video["pix_fmt"], "yuv420p");
    assert_eq!(
        (video["width"].as_u64(), video["height"].as_u64()),
        (Some(720), Some(720))
    );
    assert_eq!(video["r_frame_rate"], "15/1");
    assert_eq!(video["avg_frame_rate"], "15/1");
    assert_eq!(stream(&report, "audio")["codec_name"], "aac");

    let song_seconds = seconds(&probe(song)["format"]["duration"]);
    let video_seconds = seconds(&report["format"]["duration"]);
    let picture_seconds = seconds(&video["duration"]);
    assert!(
        (video_seconds - song_seconds).abs() <= FRAME,
        "video {video_seconds} s, song {song_seconds} s"
    );
    assert!(
        (picture_seconds - song_seconds).abs() <= FRAME,
        "picture {picture_seconds} s, song {song_seconds} s"
    );
    assert!((output.duration.as_secs_f64() - song_seconds).abs() < 0.001);

    assert_decodes_cleanly(&job.video_out);
    assert_faststart(&job.video_out);

    let poster = image::open(&job.poster_out).unwrap();
    assert_eq!((poster.width(), poster.height()), (720, 720));
    let open_graph = image::open(&job.og_image_out).unwrap();
    assert_eq!((open_graph.width(), open_graph.height()), (1200, 630));
    assert!(std::fs::metadata(&job.og_image_out).unwrap().len() < 300 * 1024);

    assert_eq!(
        workspace.entries(&workspace.output("")),
        vec!["video-og.jpg", "video-poster.jpg", "video.mp4"]
    );
    assert!(
        workspace.entries(&workspace.scratch()).is_empty(),
        "scratch left behind"
    );
    output
}

/// `ffmpeg -v error -i out.mp4 -f null -` prints nothing.
fn assert_decodes_cleanly(video: &Path) {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(video)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// The top-level `moov` atom comes before `mdat` (playable while downloading).
fn assert_faststart(video: &Path) {
    let bytes = std::fs::read(video).unwrap();
    let mut atoms = Vec::new();
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        atoms.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        let size = match size {
            1 => u64::from_be_bytes(bytes[at + 8..at + 16].try_into().unwrap()) as usize,
            0 => bytes.len() - at,
            size => size,
        };
        at += size;
    }
    let position = |name: &str| atoms.iter().position(|atom| atom == name).unwrap();
    assert!(position("moov") < position("mdat"), "atoms {atoms:?}");
}

/// MD5 of a file's audio packets as stored (equal when audio was stream-copied).
fn audio_packets_md5(path: &Path) -> String {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(path)
        .args(["-map", "0:a:0", "-c", "copy", "-f", "md5", "-"])
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[tokio::test]
async fn a_30_second_mp3_becomes_a_720p_h264_aac_mp4_of_the_same_length() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    let song = mp3_song(&workspace.input("song.mp3"), 30, "192k");

    let output = render_and_check(&workspace, &song).await;

    assert!(!output.audio_copied);
}

#[tokio::test]
async fn a_3_minute_mp3_becomes_a_video_of_the_same_length() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    let song = mp3_song(&workspace.input("song.mp3"), 180, "128k");

    let output = render_and_check(&workspace, &song).await;

    assert!(!output.audio_copied);
}

#[tokio::test]
async fn aac_audio_is_stream_copied_into_the_video() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    let song = aac_song(&workspace.input("song.m4a"), 30);

    let output = render_and_check(&workspace, &song).await;

    assert!(output.audio_copied);
    assert_eq!(
        audio_packets_md5(&workspace.output("video.mp4")),
        audio_packets_md5(&song)
    );
}
