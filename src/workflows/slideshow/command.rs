//! `serenade slideshow`: one narrated video from the command line, the same way a job makes
//! it — narration by the configured voice, then one ffmpeg pass — with each stage timed
//! (the benchmark runs the stages one by one: `--narrate-only`, then `--narration`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::style::Style;
use super::video::{SlideshowPlan, make};
use crate::tts::{Cue, TtsConfig, narrate, webvtt};

/// What the subcommand was asked for.
#[derive(Debug, Clone)]
pub struct SlideshowCommand {
    pub tts: TtsConfig,
    pub ffmpeg: PathBuf,
    pub text: PathBuf,
    pub images: Vec<PathBuf>,
    pub style: String,
    pub burn_captions: bool,
    pub out: PathBuf,
    /// Stop after the narration (written next to `out` as `<stem>.wav` and `<stem>.vtt`).
    pub narrate_only: bool,
    /// Use this narration (and `<stem>.vtt` beside it) instead of making one.
    pub narration: Option<PathBuf>,
    /// Shortest time each image is shown.
    pub min_segment_seconds: f64,
}

/// Makes the video (or only its narration) and prints the stage timings as JSON.
pub async fn run(command: SlideshowCommand) -> anyhow::Result<()> {
    let style = Style::parse(&command.style)
        .with_context(|| format!("unknown style; the styles are {}", Style::NAMES.join(", ")))?;
    let work = command.out.with_extension("work");
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let text = std::fs::read_to_string(&command.text)
        .with_context(|| format!("reading {}", command.text.display()))?;
    let started = Instant::now();
    let (audio, captions, seconds, cues, tts_time) = match &command.narration {
        Some(audio) => {
            let captions = audio.with_extension("vtt");
            let cues = read_cues(&std::fs::read_to_string(&captions)?);
            let seconds = crate::tts::wav::Pcm::from_wav_bytes(&std::fs::read(audio)?)?
                .duration()
                .as_secs_f64();
            (audio.clone(), captions, seconds, cues, Duration::ZERO)
        }
        None => {
            let engine = command.tts.engine()?;
            let voice = command.tts.voice_settings()?;
            let narration = narrate(engine.as_ref(), &text, &voice, &work).await?;
            let audio = command.out.with_extension("wav");
            std::fs::copy(&narration.audio_path, &audio)?;
            let captions = command.out.with_extension("vtt");
            std::fs::write(&captions, webvtt(&narration.cues))?;
            let seconds = narration.duration.as_secs_f64();
            (audio, captions, seconds, narration.cues, started.elapsed())
        }
    };
    if command.narrate_only {
        println!(
            "{}",
            serde_json::json!({"narration_seconds": seconds, "tts_wall_seconds": tts_time.as_secs_f64()})
        );
        return Ok(());
    }
    let video_started = Instant::now();
    let plan = SlideshowPlan {
        images: &command.images,
        narration: &audio,
        narration_seconds: seconds,
        min_segment_seconds: command.min_segment_seconds,
        cues: &cues,
        captions: &captions,
        burn_captions: command.burn_captions,
        style,
        work_dir: &work,
    };
    make(
        &command.ffmpeg,
        &plan,
        &command.out,
        Duration::from_secs(900),
    )
    .await?;
    println!(
        "{}",
        serde_json::json!({
            "narration_seconds": seconds,
            "tts_wall_seconds": tts_time.as_secs_f64(),
            "video_wall_seconds": video_started.elapsed().as_secs_f64(),
            "out": command.out,
        })
    );
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// The cues of a WebVTT file this service wrote.
fn read_cues(vtt: &str) -> Vec<Cue> {
    let time = |text: &str| -> Option<Duration> {
        let parts: Vec<f64> = text
            .trim()
            .split(':')
            .map(|part| part.parse().ok())
            .collect::<Option<_>>()?;
        let [hours, minutes, seconds] = parts.as_slice() else {
            return None;
        };
        Some(Duration::from_secs_f64(
            hours * 3600.0 + minutes * 60.0 + seconds,
        ))
    };
    let mut cues = Vec::new();
    let mut lines = vec_lines(vtt).into_iter().peekable();
    while let Some(line) = lines.next() {
        if let Some((start, end)) = line.split_once(" --> ")
            && let (Some(start), Some(end)) = (time(start), time(end))
        {
            let text = lines.next().unwrap_or_default();
            cues.push(Cue {
                start,
                end,
                text: text.replace("&lt;", "<").replace("&amp;", "&"),
            });
        }
    }
    cues
}

fn vec_lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}
