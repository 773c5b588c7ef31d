//! `serenade render`: one render from the command line, outputs next to `--out`
//! (`<stem>-poster.jpg`, `<stem>-og.jpg`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::{RenderConfig, RenderJob, Renderer};

/// The inputs and options of the `render` subcommand.
#[derive(Debug, Clone)]
pub struct RenderCommand {
    /// Renderer settings from flags and environment.
    pub config: RenderConfig,
    /// The pet photo.
    pub photo: PathBuf,
    /// The song.
    pub audio: PathBuf,
    /// The MP4 to write.
    pub out: PathBuf,
    /// Campaign artwork directory; overrides `--artwork-dir`.
    pub artwork: Option<PathBuf>,
    /// BASELINE ONLY (benchmark): render the reference way instead.
    pub baseline_loop_filter: bool,
}

/// Runs one render and prints what it wrote.
pub async fn run(command: RenderCommand) -> anyhow::Result<()> {
    let RenderCommand {
        mut config,
        photo,
        audio,
        out,
        artwork,
        baseline_loop_filter,
    } = command;
    if artwork.is_some() {
        config.artwork_dir = artwork;
    }
    let job = RenderJob {
        photo,
        audio,
        poster_out: sibling(&out, "poster"),
        og_image_out: sibling(&out, "og"),
        video_out: out,
    };
    let renderer = Renderer::new(config).context("preparing the renderer")?;
    let started = Instant::now();
    let output = if baseline_loop_filter {
        renderer.render_baseline_loop_filter(&job).await
    } else {
        renderer.render(&job).await
    }
    .with_context(|| format!("rendering {}", job.video_out.display()))?;
    println!(
        "rendered {} ({:.2} s of video, audio {}) in {:.2} s",
        job.video_out.display(),
        output.duration.as_secs_f64(),
        if output.audio_copied {
            "copied"
        } else {
            "encoded"
        },
        started.elapsed().as_secs_f64()
    );
    if !baseline_loop_filter {
        println!("poster {}", job.poster_out.display());
        println!("open graph image {}", job.og_image_out.display());
    }
    Ok(())
}

/// `dir/<stem>-<suffix>.jpg` next to `out`.
fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let stem = out.file_stem().map_or_else(
        || "video".into(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    out.with_file_name(format!("{stem}-{suffix}.jpg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stills_go_next_to_the_video() {
        assert_eq!(
            sibling(Path::new("/tmp/o.mp4"), "poster"),
            PathBuf::from("/tmp/o-poster.jpg")
        );
        assert_eq!(sibling(Path::new("o.mp4"), "og"), PathBuf::from("o-og.jpg"));
    }
}
