//! The exact command lines of every ffmpeg and ffprobe run, built as pure functions of their
//! inputs so they can be checked as goldens: every input's demuxer forced (the song's by
//! `SongFormat`), each input limited to the one protocol it needs (`file` for files, `pipe`
//! for the frames), every path passed as a `file:` URL (a name starting with `-` or holding
//! `:` stays a file).

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use super::song_format::SongFormat;

/// The only protocol a file input may use.
pub const FILE_PROTOCOL: &str = "file";
/// The only protocol the raw frames input may use.
pub const PIPE_PROTOCOL: &str = "pipe";
/// The native AAC encoder's fast coder: about 40 % less CPU than the default (`twoloop`) and,
/// measured on music at 192 kb/s, no further from the source (see bench/render).
pub const AAC_CODER: &str = "fast";
/// x264 speed/size trade-off. The clip is encoded once per video, so a slow preset is cheap.
pub const X264_PRESET: &str = "slow";
/// Name of the full-turn clip inside the render's scratch directory.
pub const CLIP_NAME: &str = "turn.mp4";
/// Name of the partial-turn clip that ends the video.
pub const TAIL_NAME: &str = "tail.mp4";
/// Name of the concat list.
pub const LIST_NAME: &str = "video.ffconcat";
/// Name of the song encoded to AAC (when it is not AAC already).
pub const AUDIO_NAME: &str = "audio.m4a";

/// `ffprobe` on the song: format and streams as JSON.
pub fn probe_args(song: &Path, format: SongFormat) -> Vec<OsString> {
    let mut args = words(&["-hide_banner", "-loglevel", "error"]);
    args.extend(words(&["-protocol_whitelist", FILE_PROTOCOL]));
    args.extend(format.input_args());
    args.extend(words(&["-show_format", "-show_streams", "-of", "json"]));
    args.push(file_url(song));
    args
}

/// The options and URL of one file input with its demuxer forced.
fn file_input(path: &Path, format: SongFormat) -> Vec<OsString> {
    let mut args = words(&["-protocol_whitelist", FILE_PROTOCOL]);
    args.extend(format.input_args());
    args.push("-i".into());
    args.push(file_url(path));
    args
}

/// The picture settings shared by the clips and the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picture {
    /// Side of the square frame.
    pub size: u32,
    /// Frames per second.
    pub fps: u32,
    /// Frames in one turn of the record.
    pub frames_per_rotation: u32,
    /// x264 CRF.
    pub crf: u8,
}

/// One clip the loop encode writes: the first `frames` frames of the turn (all when `None`).
#[derive(Debug, Clone, Copy)]
pub struct ClipOutput<'a> {
    /// Where the clip is written.
    pub path: &'a Path,
    /// How many frames of the turn it holds (`None`: all of them).
    pub frames: Option<u32>,
}

/// One ffmpeg that reads the turn's raw RGB frames on stdin and writes each clip as a
/// closed-GOP H.264 MP4 starting with a keyframe.
pub fn loop_clip_args(picture: Picture, outputs: &[ClipOutput<'_>]) -> Vec<OsString> {
    let mut args = common_args();
    args.extend(raw_frames_input(picture));
    for output in outputs {
        args.extend(words(&["-map", "0:v:0"]));
        if let Some(frames) = output.frames {
            args.extend(words(&["-frames:v", &frames.to_string()]));
        }
        args.extend(words(&["-vf", TO_YUV]));
        args.extend(h264_args(picture));
        args.extend(words(&["-f", "mp4", "-y"]));
        args.push(file_url(output.path));
    }
    args
}

/// How many whole turns and leftover frames make a video of `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeats {
    /// Whole turns (copies of the full clip).
    pub turns: u64,
    /// Frames of the partial turn at the end (0: none).
    pub tail_frames: u32,
}

/// The frame count nearest to `duration` (at least one), split into turns and a tail.
pub fn repeats(duration: Duration, picture: Picture) -> Repeats {
    let frames = (duration.as_secs_f64() * f64::from(picture.fps))
        .round()
        .max(1.0) as u64;
    let per_turn = u64::from(picture.frames_per_rotation.max(1));
    Repeats {
        turns: frames / per_turn,
        tail_frames: u32::try_from(frames % per_turn).unwrap_or(0),
    }
}

/// The concat demuxer's list: the full clip `turns` times, then the tail. Entries are bare
/// names next to the list, which `-safe 1` accepts; each carries its exact duration.
pub fn concat_list(repeats: Repeats, picture: Picture) -> String {
    let fps = f64::from(picture.fps);
    let turn_seconds = f64::from(picture.frames_per_rotation) / fps;
    let mut list = String::from("ffconcat version 1.0\n");
    for _ in 0..repeats.turns {
        list.push_str(&format!("file '{CLIP_NAME}'\nduration {turn_seconds:.6}\n"));
    }
    if repeats.tail_frames > 0 {
        let tail_seconds = f64::from(repeats.tail_frames) / fps;
        list.push_str(&format!("file '{TAIL_NAME}'\nduration {tail_seconds:.6}\n"));
    }
    list
}

/// What happens to the song's audio in the MP4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioTreatment {
    /// Already AAC: copied bit for bit.
    Copy,
    /// Anything else: encoded once to AAC at this bit rate.
    Encode { bitrate: String },
}

/// The song's audio encoded once to AAC in an MP4 (runs beside the video encode).
pub fn audio_encode_args(
    song: &Path,
    format: SongFormat,
    bitrate: &str,
    out: &Path,
) -> Vec<OsString> {
    let mut args = common_args();
    args.push("-nostdin".into());
    args.extend(file_input(song, format));
    args.extend(words(&["-map", "0:a:0", "-map_metadata", "-1"]));
    args.extend(words(&[
        "-c:a",
        "aac",
        "-aac_coder",
        AAC_CODER,
        "-b:a",
        bitrate,
    ]));
    args.extend(words(&["-f", "mp4", "-y"]));
    args.push(file_url(out));
    args
}

/// The final mux, all stream copy: the repeated clip and the AAC audio (the song itself or
/// its encoded copy, in `audio_format`), `+faststart`. The concat list is ours and names
/// only the clips beside it.
pub fn mux_args(list: &Path, audio: &Path, audio_format: SongFormat, out: &Path) -> Vec<OsString> {
    let mut args = common_args();
    args.push("-nostdin".into());
    args.extend(words(&["-protocol_whitelist", FILE_PROTOCOL]));
    args.extend(words(&["-f", "concat", "-safe", "1", "-i"]));
    args.push(file_url(list));
    args.extend(file_input(audio, audio_format));
    args.extend(words(&["-map", "0:v:0", "-map", "1:a:0"]));
    args.extend(words(&["-map_metadata", "-1", "-map_chapters", "-1"]));
    args.extend(words(&["-c:v", "copy", "-c:a", "copy"]));
    args.extend(words(&["-movflags", "+faststart", "-f", "mp4", "-y"]));
    args.push(file_url(out));
    args
}

/// BASELINE ONLY (benchmark): the spec's reference approach. One ffmpeg takes the turn's
/// frames on stdin, repeats them with the `loop` filter and encodes every frame of the song,
/// re-encoding the audio.
pub fn baseline_loop_filter_args(
    picture: Picture,
    song: &Path,
    format: SongFormat,
    duration: Duration,
    bitrate: &str,
    out: &Path,
) -> Vec<OsString> {
    let mut args = common_args();
    args.extend(raw_frames_input(picture));
    args.extend(file_input(song, format));
    let size = picture.frames_per_rotation;
    args.extend(words(&[
        "-filter_complex",
        &format!("[0:v]loop=loop=-1:size={size}:start=0,{TO_YUV}[v]"),
        "-map",
        "[v]",
        "-map",
        "1:a:0",
    ]));
    // As the reference script: x264 at its defaults (preset medium, 250-frame GOPs).
    args.extend(words(&[
        "-c:v",
        "libx264",
        "-crf",
        &picture.crf.to_string(),
        "-pix_fmt",
        "yuv420p",
    ]));
    args.extend(words(&["-c:a", "aac", "-b:a", bitrate]));
    args.extend(words(&["-t", &format!("{:.6}", duration.as_secs_f64())]));
    args.extend(words(&["-movflags", "+faststart", "-f", "mp4", "-y"]));
    args.push(file_url(out));
    args
}

fn common_args() -> Vec<OsString> {
    words(&["-hide_banner", "-loglevel", "error"])
}

/// Raw RGB frames on stdin, their format stated rather than guessed.
fn raw_frames_input(picture: Picture) -> Vec<OsString> {
    let size = format!("{0}x{0}", picture.size);
    words(&[
        "-protocol_whitelist",
        PIPE_PROTOCOL,
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        &size,
        "-r",
        &picture.fps.to_string(),
        "-i",
        "pipe:0",
    ])
}

/// RGB to limited-range BT.709 yuv420p, matching the colour tags written with it, with
/// accurate rounding and full chroma interpolation.
const TO_YUV: &str = "scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,\
     format=yuv420p";

/// H.264 High, yuv420p with BT.709 tags, one closed GOP per turn, no scene-cut keyframes,
/// and no B-frames: decode order is display order, so repeated clips join with continuous
/// timestamps (for a turning picture B-frames saved nothing in measurements). A short
/// lookahead keeps x264 near 120 MB instead of 180 MB, at no cost in size for this clip.
fn h264_args(picture: Picture) -> Vec<OsString> {
    let gop = picture.frames_per_rotation.to_string();
    words(&[
        "-c:v",
        "libx264",
        "-preset",
        X264_PRESET,
        "-crf",
        &picture.crf.to_string(),
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-g",
        &gop,
        "-keyint_min",
        &gop,
        "-sc_threshold",
        "0",
        "-bf",
        "0",
        "-x264-params",
        "open-gop=0:rc-lookahead=10",
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-color_range",
        "tv",
    ])
}

/// `file:` + path, so ffmpeg never reads a path as an option or another protocol.
fn file_url(path: &Path) -> OsString {
    let mut url = OsString::from("file:");
    url.push(path.as_os_str());
    url
}

fn words(items: &[&str]) -> Vec<OsString> {
    items.iter().map(OsString::from).collect()
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
