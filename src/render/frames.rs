//! One turn of the record as raw RGB frames: each frame is the precomposed scene with the
//! record (photo included) turned clockwise, resampled bilinearly, and the fixed overlay
//! laid back on top — only the record's disc is recomputed.

use std::f32::consts::TAU;

use tokio::sync::mpsc;

use super::layer::{Layer, over, to_u8};
use super::scene::Scene;

/// Clockwise angle, in radians, of frame `index` of a turn of `frames_per_rotation` frames.
pub fn turn_angle(index: u32, frames_per_rotation: u32) -> f32 {
    TAU * index as f32 / frames_per_rotation.max(1) as f32
}

/// The record's premultiplied colour seen at offset (`dx`, `dy`) from its centre once it has
/// turned `angle` radians clockwise (on screen, y down).
#[inline]
pub fn turned_sample(record: &Layer, dx: f32, dy: f32, angle: f32) -> [f32; 4] {
    let (sin, cos) = angle.sin_cos();
    // Where this point was before the turn: the inverse (counter-clockwise) rotation.
    let source_x = dx * cos + dy * sin;
    let source_y = -dx * sin + dy * cos;
    let radius_x = record.width() as f32 / 2.0;
    let radius_y = record.height() as f32 / 2.0;
    record.sample(source_x + radius_x, source_y + radius_y)
}

/// The whole picture with the record turned by `angle`, as packed RGB24.
pub fn compose(scene: &Scene, record: &Layer, angle: f32) -> Vec<u8> {
    let width = scene.width();
    let mut frame = scene.base().as_raw().clone();
    let background = scene.background();
    let (overlay, origin) = scene.overlay();
    let (centre_x, centre_y) = scene.record_centre();
    let radius = record.width() as f32 / 2.0;
    let reach = radius + 1.0;
    let rows = span(centre_y, reach, scene.height());
    let columns = span(centre_x, reach, width);
    for y in rows {
        let dy = y as f32 + 0.5 - centre_y;
        for x in columns.clone() {
            let dx = x as f32 + 0.5 - centre_x;
            if dx * dx + dy * dy > reach * reach {
                continue;
            }
            let turned = turned_sample(record, dx, dy, angle);
            if turned[3] <= 0.0 {
                continue;
            }
            let below = background.get_pixel(x, y).0.map(f32::from);
            let mut colour = over(turned, below);
            let top = overlay.pixel(
                i64::from(x) - i64::from(origin.0),
                i64::from(y) - i64::from(origin.1),
            );
            if top[3] > 0 {
                colour = over(top.map(f32::from), colour);
            }
            let at = (y as usize * width as usize + x as usize) * 3;
            frame[at..at + 3].copy_from_slice(&to_u8(colour));
        }
    }
    frame
}

/// Pixel indices within `reach` of `centre`, clipped to `0..limit`.
fn span(centre: f32, reach: f32, limit: u32) -> std::ops::Range<u32> {
    let start = (centre - reach).floor().max(0.0) as u32;
    let end = ((centre + reach).ceil().max(0.0) as u32).min(limit);
    start..end
}

/// Composes the frames of one turn in order and sends each to `sink` (blocking; run it on a
/// blocking thread). Stops early if the receiver goes away. Returns the first frame.
pub fn send_turn(
    scene: &Scene,
    record: &Layer,
    frames_per_rotation: u32,
    sink: &mpsc::Sender<Vec<u8>>,
) -> Option<Vec<u8>> {
    let mut first = None;
    for index in 0..frames_per_rotation {
        let frame = compose(scene, record, turn_angle(index, frames_per_rotation));
        if index == 0 {
            first = Some(frame.clone());
        }
        if sink.blocking_send(frame).is_err() {
            break;
        }
        if index == 0 {
            super::failpoint::pause_mid_encode_if_armed();
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An 8×8 record, red in its top-left quadrant, blue elsewhere.
    fn marked_record() -> Layer {
        let pixels = (0..64)
            .map(|index| {
                let (x, y) = (index % 8, index / 8);
                if x < 4 && y < 4 {
                    [255, 0, 0, 255]
                } else {
                    [0, 0, 255, 255]
                }
            })
            .collect();
        Layer::from_premultiplied(8, 8, pixels).unwrap()
    }

    fn is_red(colour: [f32; 4]) -> bool {
        colour[0] > 200.0 && colour[2] < 50.0
    }

    #[test]
    fn a_quarter_turn_moves_the_top_left_to_the_top_right() {
        let record = marked_record();
        let quarter = std::f32::consts::FRAC_PI_2;
        let (top_left, top_right, bottom_left) = ((-2.0, -2.0), (2.0, -2.0), (-2.0, 2.0));
        assert!(is_red(turned_sample(&record, top_left.0, top_left.1, 0.0)));
        assert!(is_red(turned_sample(
            &record,
            top_right.0,
            top_right.1,
            quarter
        )));
        assert!(!is_red(turned_sample(
            &record, top_left.0, top_left.1, quarter
        )));
        // Clockwise, not counter-clockwise.
        assert!(!is_red(turned_sample(
            &record,
            bottom_left.0,
            bottom_left.1,
            quarter
        )));
    }

    #[test]
    fn a_turn_at_20_rpm_and_15_fps_is_45_frames_of_8_degrees() {
        assert_eq!(turn_angle(0, 45), 0.0);
        assert!((turn_angle(1, 45).to_degrees() - 8.0).abs() < 1e-4);
        assert!((turn_angle(45, 45) - TAU).abs() < 1e-6);
    }
}
