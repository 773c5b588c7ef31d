//! The encoded audio still sounds like the song: decoded side by side with the source, the
//! video's AAC has the song's length and loudness, and what differs from the source (the
//! sample-by-sample difference of the two decodes) is far quieter than the music itself.

use std::path::Path;
use std::process::Command;

use serenade::render::Renderer;

use crate::support::{Workspace, ffmpeg, ffmpeg_available, marked_photo, probe, seconds, stream};

/// A music-like MP3: a pulsing bass, a vibrato tone, a plucked note and noise bursts.
fn music_mp3(path: &Path, seconds: u32) {
    let music = "0.2*sin(2*PI*110*t)*(1+sin(2*PI*2*t))/2\
                 +0.15*sin(2*PI*220*t+3*sin(2*PI*0.5*t))\
                 +0.1*sin(2*PI*440*t)*exp(-8*mod(t\\,0.5))\
                 +0.15*random(0)*exp(-30*mod(t\\,0.25))";
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("aevalsrc={music}:s=44100:d={seconds}"),
        "-ac",
        "2",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "192k",
        path.to_str().unwrap(),
    ]);
}

/// What ffmpeg logs while running `filter` over the decoded inputs (the filters' reports).
fn filter_report(inputs: &[&Path], filter: &str) -> String {
    let mut command = Command::new("ffmpeg");
    command.args(["-hide_banner", "-nostdin", "-loglevel", "info"]);
    for input in inputs {
        command.arg("-i").arg(input);
    }
    let output = command
        .args(["-filter_complex", filter, "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{filter}: {log}");
    log
}

/// The number after the last `label` in a filter report.
fn reported(log: &str, label: &str) -> f64 {
    let at = log
        .rfind(label)
        .unwrap_or_else(|| panic!("no {label} in {log}"));
    log[at + label.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// RMS level in dBFS of the first input's audio.
fn rms_db(input: &Path) -> f64 {
    let log = filter_report(
        &[input],
        "[0:a]astats=measure_perchannel=none:measure_overall=RMS_level",
    );
    reported(&log, "RMS level dB:")
}

/// Integrated loudness (EBU R128) in LUFS.
fn loudness(input: &Path) -> f64 {
    reported(&filter_report(&[input], "[0:a]ebur128"), "I:")
}

/// RMS level in dBFS of source minus copy, channel by channel.
fn difference_rms_db(source: &Path, copy: &Path) -> f64 {
    let log = filter_report(
        &[source, copy],
        "[0:a][1:a]amerge=inputs=2,pan=stereo|c0=c0-c2|c1=c1-c3,\
         astats=measure_perchannel=none:measure_overall=RMS_level",
    );
    reported(&log, "RMS level dB:")
}

#[tokio::test]
async fn an_encoded_mp3_keeps_its_length_loudness_and_sound() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    let song = workspace.input("song.mp3");
    music_mp3(&song, 20);
    let photo = marked_photo(&workspace.input("pet.jpg"));
    let renderer = Renderer::new(workspace.config()).unwrap();
    let job = workspace.job(&photo, &song);

    let output = renderer.render(&job).await.unwrap();

    assert!(!output.audio_copied);
    let video = &job.video_out;
    let audio = probe(video);
    let audio = stream(&audio, "audio");
    assert_eq!(audio["codec_name"], "aac");
    let source_seconds = seconds(&probe(&song)["format"]["duration"]);
    assert!(
        (seconds(&audio["duration"]) - source_seconds).abs() < 0.05,
        "audio lasts {} s, the song {source_seconds} s",
        audio["duration"]
    );
    let (song_lufs, video_lufs) = (loudness(&song), loudness(video));
    assert!(
        (song_lufs - video_lufs).abs() <= 0.5,
        "loudness {video_lufs} LUFS against the song's {song_lufs}"
    );
    let (signal, difference) = (rms_db(&song), difference_rms_db(&song, video));
    assert!(
        signal - difference >= 25.0,
        "the difference from the song ({difference:.1} dBFS) is too close to the song \
         itself ({signal:.1} dBFS): shifted, distorted or another sound"
    );
}
