//! The slideshow video, made by one ffmpeg run: a segment per image sized so the segments
//! with their crossfades last exactly as long as the narration, each with a slow zoom (Ken
//! Burns), or — with no images — a styled title card per sentence; captions burned in when
//! asked; H.264 + AAC with `+faststart`. Encoding everything in one pass is what makes it
//! cheap (`bench/slideshow` compares the naive segment-by-segment encode and re-encoding
//! concat). ffmpeg runs under the renderer's child-process discipline.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::render::error::RenderError;
use crate::render::process::{Deadline, ToolRun, run_tool};
use crate::tts::Cue;

use super::style::Style;

/// Frame size and rate of every slideshow.
pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 720;
pub const FPS: u32 = 25;
/// Length of each crossfade between segments.
pub const CROSSFADE_SECONDS: f64 = 0.5;
/// The font the title cards and burned captions use (Debian's `fonts-dejavu-core`).
pub const FONT_FILE: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

/// What one video is made of.
#[derive(Debug, Clone)]
pub struct SlideshowPlan<'a> {
    /// Cleaned JPEGs, in order (none: title cards).
    pub images: &'a [PathBuf],
    pub narration: &'a Path,
    pub narration_seconds: f64,
    /// Shortest time each image is shown (`VIDEO_SEGMENT_DURATION`).
    pub min_segment_seconds: f64,
    pub cues: &'a [Cue],
    /// The WebVTT file, burned in when `burn_captions`.
    pub captions: &'a Path,
    pub burn_captions: bool,
    pub style: Style,
    /// Where each title card's text is written (files, so no text is ever escaped into a
    /// filter graph).
    pub work_dir: &'a Path,
}

/// How long each image's segment is: `n` segments overlapping by the crossfade last the
/// narration, unless that would show an image for less than `min_segment`.
pub fn segment_seconds(images: usize, narration: f64, min_segment: f64) -> f64 {
    let count = images.max(1) as f64;
    ((narration + (count - 1.0) * CROSSFADE_SECONDS) / count).max(min_segment)
}

/// How long the video runs: the narration, or the images' segments when they need longer
/// (the narration is then padded with silence).
pub fn video_seconds(plan: &SlideshowPlan<'_>) -> f64 {
    let narration = plan.narration_seconds.max(0.5);
    if plan.images.is_empty() {
        return narration;
    }
    let count = plan.images.len() as f64;
    let segment = segment_seconds(plan.images.len(), narration, plan.min_segment_seconds);
    (count * segment - (count - 1.0) * CROSSFADE_SECONDS).max(narration)
}

fn seconds(value: f64) -> String {
    format!("{value:.3}")
}

/// Wraps `text` into lines of at most `width` characters (words kept whole).
pub fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

/// The ffmpeg arguments for `plan`, writing `out`.
pub fn arguments(plan: &SlideshowPlan<'_>, out: &Path) -> std::io::Result<Vec<OsString>> {
    let mut args: Vec<OsString> = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
        .iter()
        .map(OsString::from)
        .collect();
    let mut graph = String::new();
    let total = video_seconds(plan);
    let video_label = if plan.images.is_empty() {
        title_cards(plan, total, &mut args, &mut graph)?
    } else {
        image_segments(plan, &mut args, &mut graph)
    };
    let audio_input = if plan.images.is_empty() {
        1
    } else {
        plan.images.len()
    };
    let mut last = video_label;
    if plan.burn_captions {
        let _ = write!(
            graph,
            ";[{last}]subtitles=filename='{}':force_style='FontName=DejaVu Sans,FontSize=22,\
             PrimaryColour=&H00FFFFFF,OutlineColour=&H80000000,BorderStyle=3,Outline=2,\
             MarginV=36'[captioned]",
            filter_path(plan.captions)
        );
        last = "captioned".into();
    }
    let _ = write!(
        graph,
        ";[{last}]format=yuv420p[out];[{audio_input}:a]apad[voice]"
    );
    args.push("-i".into());
    args.push(plan.narration.into());
    for arg in [
        "-filter_complex".into(),
        OsString::from(graph),
        "-map".into(),
        "[out]".into(),
        "-map".into(),
        "[voice]".into(),
        "-c:v".into(),
        "libx264".into(),
        "-preset".into(),
        "veryfast".into(),
        "-crf".into(),
        "23".into(),
        "-r".into(),
        FPS.to_string().into(),
        "-c:a".into(),
        "aac".into(),
        "-b:a".into(),
        "128k".into(),
        "-t".into(),
        seconds(total).into(),
        "-movflags".into(),
        "+faststart".into(),
        out.into(),
    ] {
        args.push(arg);
    }
    Ok(args)
}

/// One looping input per image, each zoomed slowly and crossfaded into the next.
fn image_segments(
    plan: &SlideshowPlan<'_>,
    args: &mut Vec<OsString>,
    graph: &mut String,
) -> String {
    let segment = segment_seconds(
        plan.images.len(),
        plan.narration_seconds.max(0.5),
        plan.min_segment_seconds,
    );
    let frames = (segment * f64::from(FPS)).ceil() as u64;
    for (index, image) in plan.images.iter().enumerate() {
        for arg in ["-loop", "1", "-framerate"] {
            args.push(arg.into());
        }
        args.push(FPS.to_string().into());
        args.push("-t".into());
        args.push(seconds(segment).into());
        args.push("-i".into());
        args.push(image.into());
        if index > 0 {
            graph.push(';');
        }
        // Scale to cover a frame a little larger than the output, then zoom in slowly
        // around the centre (alternating in and out so consecutive slides differ).
        let zoom = if index % 2 == 0 {
            format!("1+0.12*on/{frames}")
        } else {
            format!("1.12-0.12*on/{frames}")
        };
        let _ = write!(
            graph,
            "[{index}:v]scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},\
             zoompan=z='{zoom}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:\
             s={WIDTH}x{HEIGHT}:fps={FPS},setsar=1,format=yuv420p[s{index}]",
            w = WIDTH * 3 / 2,
            h = HEIGHT * 3 / 2,
        );
    }
    let mut last = "s0".to_owned();
    for index in 1..plan.images.len() {
        let offset = segment * index as f64 - CROSSFADE_SECONDS * index as f64;
        let _ = write!(
            graph,
            ";[{last}][s{index}]xfade=transition=fade:duration={}:offset={}[x{index}]",
            seconds(CROSSFADE_SECONDS),
            seconds(offset)
        );
        last = format!("x{index}");
    }
    last
}

/// One coloured background for the whole video and each sentence's text shown while it is
/// spoken, fading in.
fn title_cards(
    plan: &SlideshowPlan<'_>,
    total: f64,
    args: &mut Vec<OsString>,
    graph: &mut String,
) -> std::io::Result<String> {
    let colors = plan.style.colors();
    args.push("-f".into());
    args.push("lavfi".into());
    args.push("-i".into());
    args.push(
        format!(
            "color=c={}:s={WIDTH}x{HEIGHT}:r={FPS}:d={}",
            colors.background,
            seconds(total)
        )
        .into(),
    );
    let mut last = "0:v".to_owned();
    for (index, cue) in plan.cues.iter().enumerate() {
        let text_file = plan.work_dir.join(format!("card-{index}.txt"));
        std::fs::write(&text_file, wrap(&cue.text, 34))?;
        let start = cue.start.as_secs_f64();
        let end = if index + 1 == plan.cues.len() {
            total
        } else {
            cue.end.as_secs_f64().max(start)
        };
        let _ = write!(
            graph,
            "{sep}[{last}]drawtext=fontfile='{font}':textfile='{file}':fontcolor={color}:\
             fontsize=52:line_spacing=14:x=(w-text_w)/2:y=(h-text_h)/2:\
             enable='between(t,{start},{end})':alpha='min(1,(t-{start})/0.3)'[c{index}]",
            sep = if index == 0 { "" } else { ";" },
            font = FONT_FILE,
            file = filter_path(&text_file),
            color = colors.text,
            start = seconds(start),
            end = seconds(end),
        );
        last = format!("c{index}");
    }
    if plan.cues.is_empty() {
        let _ = write!(graph, "[{last}]null[c0]");
        last = "c0".into();
    }
    Ok(last)
}

/// A path as a filter option value (single-quoted; `'`, `\` and `:` escaped).
fn filter_path(path: &Path) -> String {
    path.to_string_lossy()
        .replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace(':', "\\:")
}

/// Makes the video.
pub async fn make(
    ffmpeg: &Path,
    plan: &SlideshowPlan<'_>,
    out: &Path,
    budget: Duration,
) -> Result<(), RenderError> {
    let args = arguments(plan, out).map_err(|source| RenderError::Spawn {
        tool: "ffmpeg",
        source,
    })?;
    run_tool(
        ToolRun {
            tool: "ffmpeg",
            program: ffmpeg,
            args,
        },
        None,
        Deadline::after(budget),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_last_the_narration_but_never_under_the_minimum() {
        assert!((segment_seconds(3, 29.0, 5.0) - 10.0).abs() < 1e-9);
        assert!((segment_seconds(3, 6.0, 5.0) - 5.0).abs() < 1e-9);
        assert!((segment_seconds(1, 12.0, 5.0) - 12.0).abs() < 1e-9);
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        assert_eq!(wrap("one two three four", 9), "one two\nthree\nfour");
        assert_eq!(wrap("", 9), "");
    }
}
