//! Golden command lines for every tool run, and the repeat arithmetic.

use super::*;

const PICTURE: Picture = Picture {
    size: 720,
    fps: 15,
    frames_per_rotation: 45,
    crf: 28,
};

const TO_YUV: &str = "scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,format=yuv420p";

const H264: &str = "-c:v libx264 -preset slow -crf 28 \
                    -profile:v high -pix_fmt yuv420p -g 45 -keyint_min 45 -sc_threshold 0 -bf 0 \
                    -x264-params open-gop=0:rc-lookahead=10 -colorspace bt709 -color_primaries bt709 \
                    -color_trc bt709 -color_range tv";

fn joined(args: &[OsString]) -> String {
    args.iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn probe_asks_for_json_and_reads_only_the_file_with_its_demuxer_forced() {
    assert_eq!(
        joined(&probe_args(Path::new("/songs/-x.mp3"), SongFormat::Mp3)),
        "-hide_banner -loglevel error -protocol_whitelist file -f mp3 -show_format \
         -show_streams -of json file:/songs/-x.mp3"
    );
}

#[test]
fn the_loop_encode_forces_the_raw_input_and_writes_the_turn_and_the_tail() {
    let args = loop_clip_args(
        PICTURE,
        &[
            ClipOutput {
                path: Path::new("/tmp/r/turn.mp4"),
                frames: None,
            },
            ClipOutput {
                path: Path::new("/tmp/r/tail.mp4"),
                frames: Some(7),
            },
        ],
    );
    let expected = format!(
        "-hide_banner -loglevel error -protocol_whitelist pipe -f rawvideo -pix_fmt rgb24 \
         -s 720x720 -r 15 -i pipe:0 \
         -map 0:v:0 -vf {TO_YUV} {H264} -f mp4 -y file:/tmp/r/turn.mp4 \
         -map 0:v:0 -frames:v 7 -vf {TO_YUV} {H264} -f mp4 -y file:/tmp/r/tail.mp4"
    );
    assert_eq!(joined(&args), expected);
}

#[test]
fn the_mux_only_copies_streams() {
    let args = mux_args(
        Path::new("/tmp/r/video.ffconcat"),
        Path::new("/songs/a.m4a"),
        SongFormat::Mp4,
        Path::new("/out/.a.mp4.tmp"),
    );
    assert_eq!(
        joined(&args),
        "-hide_banner -loglevel error -nostdin -protocol_whitelist file -f concat -safe 1 \
         -i file:/tmp/r/video.ffconcat -protocol_whitelist file -f mov -enable_drefs 0 \
         -i file:/songs/a.m4a \
         -map 0:v:0 -map 1:a:0 -map_metadata -1 -map_chapters -1 -c:v copy -c:a copy \
         -movflags +faststart -f mp4 -y file:/out/.a.mp4.tmp"
    );
}

#[test]
fn other_audio_is_encoded_once_to_aac() {
    let args = audio_encode_args(
        Path::new("/songs/a.mp3"),
        SongFormat::Mp3,
        "192k",
        Path::new("/tmp/r/audio.m4a"),
    );
    assert_eq!(
        joined(&args),
        "-hide_banner -loglevel error -nostdin -protocol_whitelist file -f mp3 \
         -i file:/songs/a.mp3 -map 0:a:0 -map_metadata -1 -c:a aac -aac_coder fast -b:a 192k \
         -f mp4 -y file:/tmp/r/audio.m4a"
    );
}

#[test]
fn the_baseline_loops_every_frame_through_the_encoder() {
    let args = baseline_loop_filter_args(
        PICTURE,
        Path::new("/songs/a.mp3"),
        SongFormat::Mp3,
        Duration::from_millis(30_040),
        "192k",
        Path::new("/out/b.mp4"),
    );
    let expected = format!(
        "-hide_banner -loglevel error -protocol_whitelist pipe -f rawvideo -pix_fmt rgb24 \
         -s 720x720 -r 15 -i pipe:0 -protocol_whitelist file -f mp3 -i file:/songs/a.mp3 \
         -filter_complex [0:v]loop=loop=-1:size=45:start=0,{TO_YUV}[v] -map [v] -map 1:a:0 \
         -c:v libx264 -crf 28 -pix_fmt yuv420p \
         -c:a aac -b:a 192k -t 30.040000 -movflags +faststart -f mp4 -y file:/out/b.mp4"
    );
    assert_eq!(joined(&args), expected);
}

#[test]
fn a_song_becomes_whole_turns_and_a_tail() {
    // 30.04 s at 15 fps = 451 frames = 10 turns of 45 + 1.
    let repeats = repeats(Duration::from_millis(30_040), PICTURE);
    assert_eq!(
        repeats,
        Repeats {
            turns: 10,
            tail_frames: 1
        }
    );
    assert_eq!(
        super::repeats(Duration::from_secs(180), PICTURE),
        Repeats {
            turns: 60,
            tail_frames: 0
        }
    );
}

#[test]
fn the_concat_list_repeats_the_turn_with_exact_durations() {
    let list = concat_list(
        Repeats {
            turns: 2,
            tail_frames: 7,
        },
        PICTURE,
    );
    assert_eq!(
        list,
        "ffconcat version 1.0\n\
         file 'turn.mp4'\nduration 3.000000\n\
         file 'turn.mp4'\nduration 3.000000\n\
         file 'tail.mp4'\nduration 0.466667\n"
    );
}
