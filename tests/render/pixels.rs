//! What the decoded frames show: the picture repeats every turn (3 s), the photo turns
//! clockwise (a quarter turn in 0.75 s), and the needle does not move.

use std::path::PathBuf;

use image::RgbImage;
use serenade::render::Renderer;

use crate::support::{
    MARKER_CENTRE, Workspace, ffmpeg_available, frame_at, marked_photo, mean_colour,
    mean_difference, mp3_song,
};

/// Half a frame at 15 fps: seeking to k/15 − this lands exactly on frame k.
const HALF_FRAME: f64 = 1.0 / 30.0;

/// Renders a 10 s song with the marked photo; returns the workspace and the video.
async fn rendered() -> (Workspace, PathBuf) {
    let workspace = Workspace::new();
    let photo = marked_photo(&workspace.input("pet.jpg"));
    let song = mp3_song(&workspace.input("song.mp3"), 10, "128k");
    let renderer = Renderer::new(workspace.config()).unwrap();
    let job = workspace.job(&photo, &song);
    renderer.render(&job).await.unwrap();
    (workspace, job.video_out)
}

/// Where the marker's centre appears on a 720 frame once the record has turned `degrees`
/// clockwise (the 600 px photo is shown 360 px wide in the middle).
fn marker_on_frame(degrees: f32) -> (f32, f32) {
    let scale = 360.0 / 600.0;
    let (dx, dy) = (
        (MARKER_CENTRE.0 - 300.0) * scale,
        (MARKER_CENTRE.1 - 300.0) * scale,
    );
    let (sin, cos) = degrees.to_radians().sin_cos();
    (360.0 + dx * cos - dy * sin, 360.0 + dx * sin + dy * cos)
}

fn is_red(frame: &RgbImage, centre: (f32, f32)) -> bool {
    let [r, g, b] = mean_colour(frame, centre, 20);
    r > 170.0 && g < 90.0 && b < 90.0
}

#[tokio::test]
async fn the_picture_repeats_every_turn() {
    if !ffmpeg_available() {
        return;
    }
    let (workspace, video) = rendered().await;
    let scratch = workspace.dir.path();
    for start in [1.0 - HALF_FRAME, 2.2 - HALF_FRAME] {
        let first = frame_at(&video, start, scratch);
        let one_turn_later = frame_at(&video, start + 3.0, scratch);
        let half_turn_later = frame_at(&video, start + 1.5, scratch);

        assert!(mean_difference(&first, &one_turn_later, None) < 1.0);
        assert!(mean_difference(&first, &half_turn_later, None) > 2.0);
    }
}

#[tokio::test]
async fn the_photo_turns_clockwise_a_quarter_turn_in_three_quarters_of_a_second() {
    if !ffmpeg_available() {
        return;
    }
    let (workspace, video) = rendered().await;
    let scratch = workspace.dir.path();
    // Frame 45 (a whole turn: 0°) and frame 56 (11 frames of 8°: 88°).
    let start = frame_at(&video, 3.0 - HALF_FRAME, scratch);
    let quarter = frame_at(&video, 3.75 - HALF_FRAME, scratch);

    assert!(
        is_red(&start, marker_on_frame(0.0)),
        "marker starts top left"
    );
    assert!(!is_red(&start, marker_on_frame(90.0)));
    assert!(
        is_red(&quarter, marker_on_frame(88.0)),
        "marker moved to top right"
    );
    assert!(!is_red(&quarter, marker_on_frame(0.0)));
    assert!(
        !is_red(&quarter, marker_on_frame(-90.0)),
        "not counter-clockwise"
    );
}

#[tokio::test]
async fn the_needle_stays_still_while_the_record_turns() {
    if !ffmpeg_available() {
        return;
    }
    let (workspace, video) = rendered().await;
    let scratch = workspace.dir.path();
    let frames: Vec<_> = [0.4, 1.1, 1.9, 2.6]
        .iter()
        .map(|&time| frame_at(&video, time, scratch))
        .collect();
    // The pivot, and the tube where it crosses the turning record.
    let needle_spots = [((626.0, 108.0), 16), ((594.0, 396.0), 6)];
    // The middle of the record, which must change.
    let photo_area = ((360.0, 360.0), 240);
    for later in &frames[1..] {
        for spot in needle_spots {
            let difference = mean_difference(&frames[0], later, Some(spot));
            assert!(
                difference < 4.0,
                "needle at {spot:?} changed by {difference}"
            );
        }
        assert!(mean_difference(&frames[0], later, Some(photo_area)) > 5.0);
    }
}
