//! Campaign artwork: an operator's background, record and needle PNGs replace the built-in
//! pictures, scaled to the frame (record = 736/1080 of it).

use image::{Rgba, RgbaImage};
use serenade::render::{RenderConfig, RenderError, Renderer};

use crate::support::{Workspace, ffmpeg_available, frame_at, marked_photo, mean_colour, mp3_song};

/// Writes a green background, a yellow record disc and a needle that is a white bar on the
/// right.
fn campaign_artwork(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    RgbaImage::from_pixel(1080, 1080, Rgba([20, 160, 60, 255]))
        .save(dir.join("background.png"))
        .unwrap();
    RgbaImage::from_fn(736, 736, |x, y| {
        let distance = (x as f32 + 0.5 - 368.0).hypot(y as f32 + 0.5 - 368.0);
        if distance < 368.0 {
            Rgba([240, 220, 30, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    })
    .save(dir.join("record.png"))
    .unwrap();
    RgbaImage::from_fn(1080, 1080, |x, _| {
        if (900..960).contains(&x) {
            Rgba([255, 255, 255, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    })
    .save(dir.join("needle.png"))
    .unwrap();
}

#[tokio::test]
async fn campaign_pngs_replace_the_built_in_artwork() {
    if !ffmpeg_available() {
        return;
    }
    let workspace = Workspace::new();
    let artwork = workspace.dir.path().join("campaign");
    campaign_artwork(&artwork);
    let photo = marked_photo(&workspace.input("pet.jpg"));
    let song = mp3_song(&workspace.input("song.mp3"), 6, "128k");
    let config = RenderConfig {
        video_size: 360,
        artwork_dir: Some(artwork),
        ..workspace.config()
    };
    let renderer = Renderer::new(config).unwrap();
    let job = workspace.job(&photo, &song);

    renderer.render(&job).await.unwrap();

    let frame = frame_at(&job.video_out, 1.0, workspace.dir.path());
    let close = |actual: [f32; 3], expected: [f32; 3]| {
        actual
            .iter()
            .zip(expected)
            .all(|(a, e)| (a - e).abs() < 25.0)
    };
    // Background in a corner, the record between photo and rim, the needle's bar.
    assert!(close(
        mean_colour(&frame, (20.0, 20.0), 10),
        [20.0, 160.0, 60.0]
    ));
    assert!(close(
        mean_colour(&frame, (180.0, 74.0), 6),
        [240.0, 220.0, 30.0]
    ));
    assert!(close(
        mean_colour(&frame, (310.0, 180.0), 6),
        [255.0, 255.0, 255.0]
    ));
}

#[test]
fn a_missing_artwork_directory_is_an_artwork_error() {
    let config = RenderConfig {
        artwork_dir: Some("/nonexistent/serenade-artwork".into()),
        ..RenderConfig::default()
    };

    let error = Renderer::new(config).unwrap_err();

    assert!(matches!(error, RenderError::Artwork { .. }), "{error:?}");
    assert_eq!(error.code(), "artwork_invalid");
}
