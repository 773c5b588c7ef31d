//! The built-in vinyl record: a bevelled rim, a smooth lead-in, fine grooves broken by track
//! gaps, a run-out, and a red label ring with a gold line and small hearts around the photo.
//! Also the parts that must NOT turn with it: the light's sheen and the record's shadow.

use std::f32::consts::{PI, TAU};

use super::paint::{Bounds, Canvas, Colour, Point, circle, coverage, heart, smoothstep, soft};
use crate::render::layer::Layer;

const VINYL: Colour = Colour::rgb(17, 16, 20);
const GROOVE_LIGHT: Colour = Colour::rgb(40, 37, 45);
const RIM: Colour = Colour::rgb(78, 72, 84);
const LABEL_INNER: Colour = Colour::rgb(196, 26, 78);
const LABEL_OUTER: Colour = Colour::rgb(140, 10, 48);
const GOLD: Colour = Colour::rgb(244, 196, 106);
const LABEL_HEART: Colour = Colour::rgb(255, 218, 230);

/// Radii as fractions of the record's radius.
const LABEL_EDGE: f32 = 0.81;
const GOLD_LINE: f32 = 0.80;
const GROOVES_FROM: f32 = 0.835;
const GROOVES_TO: f32 = 0.955;
const TRACK_GAPS: [f32; 2] = [0.875, 0.918];
const RIM_FROM: f32 = 0.982;
const LABEL_HEARTS: usize = 12;

/// The record (without the photo) as a `diameter`-pixel square layer. `photo_ratio` is the
/// photo's radius over the record's, so the label ring shows just outside the photo.
pub fn draw_record(diameter: u32, photo_ratio: f32) -> Layer {
    let mut canvas = Canvas::new(diameter, diameter);
    let radius = diameter as f32 / 2.0;
    let centre = (radius, radius);
    let edge = radius - 0.5;
    let groove_period = (radius / 95.0).max(1.6);
    canvas.paint(Bounds::all(), |p| {
        let distance = circle(p, centre, 0.0);
        let r = distance / radius;
        let colour = if r < LABEL_EDGE {
            label_colour(r, distance, radius, photo_ratio)
        } else if r >= RIM_FROM {
            VINYL.mix(RIM, smoothstep(RIM_FROM, 0.995, r))
        } else if (GROOVES_FROM..GROOVES_TO).contains(&r)
            && TRACK_GAPS.iter().all(|gap| (r - gap).abs() > 0.005)
        {
            let ridge = 0.5 + 0.5 * (TAU * distance / groove_period).sin();
            VINYL.mix(GROOVE_LIGHT, 0.35 + 0.45 * ridge)
        } else {
            VINYL
        };
        Some((colour, coverage(distance - edge)))
    });
    let heart_ring = (photo_ratio + GOLD_LINE) / 2.0 * radius;
    let heart_size = ((GOLD_LINE - photo_ratio) * radius * 0.72).max(3.0);
    for index in 0..LABEL_HEARTS {
        let angle = TAU * index as f32 / LABEL_HEARTS as f32;
        let spot = (
            centre.0 + heart_ring * angle.cos(),
            centre.1 + heart_ring * angle.sin(),
        );
        canvas.paint(Bounds::around(spot, heart_size), |p| {
            let distance = heart(p, spot, heart_size, angle + PI / 2.0);
            Some((LABEL_HEART, coverage(distance)))
        });
    }
    canvas.into_layer()
}

/// The label: red, darker outwards, with a gold line near its edge.
fn label_colour(r: f32, distance: f32, radius: f32, photo_ratio: f32) -> Colour {
    let base = LABEL_INNER.mix(LABEL_OUTER, smoothstep(photo_ratio, LABEL_EDGE, r));
    let line_half_width = (radius * 0.005).max(0.6);
    let line = coverage((distance - GOLD_LINE * radius).abs() - line_half_width);
    let bevel = smoothstep(LABEL_EDGE - 0.01, LABEL_EDGE, r);
    base.mix(GOLD, line).mix(VINYL, bevel)
}

/// The light's reflection on the grooves: two opposite soft wedges (light from the upper
/// left). It is painted on the static overlay, so the record turns under a fixed highlight.
pub fn paint_sheen(canvas: &mut Canvas, centre: Point, radius: f32) {
    let light = Colour::rgb(255, 246, 250);
    canvas.paint(Bounds::around(centre, radius), |p| {
        let r = circle(p, centre, 0.0) / radius;
        if !(LABEL_EDGE..1.0).contains(&r) {
            return None;
        }
        let window =
            smoothstep(LABEL_EDGE, LABEL_EDGE + 0.03, r) * (1.0 - smoothstep(0.97, 0.995, r));
        let angle = (p.1 - centre.1).atan2(p.0 - centre.0);
        let towards_light = (2.0 * (angle + 0.75 * PI)).cos().max(0.0);
        let strength = 0.34 * towards_light.powi(12) + 0.1 * towards_light.powi(2);
        Some((light, strength * window))
    });
}

/// A soft shadow under the record, a little below it (part of the static background).
pub fn record_shadow(width: u32, height: u32, centre: Point, radius: f32) -> Layer {
    let mut canvas = Canvas::new(width, height);
    let side = width.min(height) as f32;
    let offset = (centre.0 + side * 0.006, centre.1 + side * 0.016);
    let blur = side * 0.028;
    canvas.paint(Bounds::around(offset, radius + blur * 2.0), |p| {
        let distance = circle(p, offset, radius * 0.99);
        Some((Colour::rgb(84, 6, 34), 0.5 * soft(distance, blur)))
    });
    canvas.into_layer()
}
