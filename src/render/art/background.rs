//! The built-in Valentine's background: a warm pink-to-rose gradient with a soft glow behind
//! the record, a gentle vignette, and scattered hearts (soft bokeh, glossy, and sparkles),
//! placed by a fixed-seed generator so every render gets the same picture.

use image::RgbImage;

use super::paint::{Bounds, Canvas, Colour, Point, circle, coverage, heart, smoothstep, soft};

const TOP: Colour = Colour::rgb(255, 214, 226);
const BOTTOM: Colour = Colour::rgb(222, 70, 118);
const GLOW: Colour = Colour::rgb(255, 243, 246);
const VIGNETTE: Colour = Colour::rgb(128, 14, 52);
const WHITE: Colour = Colour::rgb(255, 255, 255);
const HEART_COLOURS: [Colour; 5] = [
    Colour::rgb(235, 33, 86),
    Colour::rgb(255, 96, 140),
    Colour::rgb(196, 16, 64),
    Colour::rgb(255, 255, 255),
    Colour::rgb(255, 150, 180),
];

/// The background for a `width`×`height` canvas; the record sits in the middle with the
/// given radius (hearts are not wasted under it).
pub fn draw_background(width: u32, height: u32, record_radius: f32) -> RgbImage {
    let mut canvas = Canvas::new(width, height);
    let (w, h) = (width as f32, height as f32);
    let side = w.min(h);
    let centre = (w / 2.0, h / 2.0);
    canvas.paint(Bounds::all(), |(_, y)| {
        Some((TOP.mix(BOTTOM, smoothstep(-0.1, 1.1, y / h)), 1.0))
    });
    canvas.paint(Bounds::all(), |p| {
        let distance = circle(p, centre, 0.0);
        Some((GLOW, 0.6 * (1.0 - smoothstep(0.0, 0.62 * side, distance))))
    });
    let corner = centre.0.hypot(centre.1);
    canvas.paint(Bounds::all(), |p| {
        let distance = circle(p, centre, 0.0);
        Some((
            VIGNETTE,
            0.4 * smoothstep(0.42 * side, corner * 1.05, distance),
        ))
    });
    let hearts = scatter(w, h, centre, record_radius);
    for spot in hearts.iter().filter(|spot| spot.kind == Kind::Bokeh) {
        paint_bokeh(&mut canvas, spot);
    }
    for spot in hearts.iter().filter(|spot| spot.kind == Kind::Glossy) {
        paint_glossy(&mut canvas, spot);
    }
    for spot in hearts.iter().filter(|spot| spot.kind == Kind::Sparkle) {
        canvas.paint(Bounds::around(spot.centre, spot.size * 3.0), |p| {
            let distance = circle(p, spot.centre, spot.size / 2.0);
            let glow = 0.35 * soft(distance, spot.size * 1.2);
            Some((WHITE, (coverage(distance) * 0.9).max(glow)))
        });
    }
    canvas.into_rgb()
}

/// A soft out-of-focus heart.
fn paint_bokeh(canvas: &mut Canvas, spot: &Spot) {
    let colour = WHITE.mix(HEART_COLOURS[4], spot.tint).alpha(spot.opacity);
    canvas.paint(Bounds::around(spot.centre, spot.size), |p| {
        let distance = heart(p, spot.centre, spot.size, spot.tilt);
        Some((colour, soft(distance, spot.size * 0.09)))
    });
}

/// A crisp heart, lighter at the top, with a small highlight on its left lobe.
fn paint_glossy(canvas: &mut Canvas, spot: &Spot) {
    let base = HEART_COLOURS[spot.colour];
    let shadow = Colour::rgb(110, 0, 30);
    canvas.paint(Bounds::around(spot.centre, spot.size), |p| {
        let distance = heart(p, spot.centre, spot.size, spot.tilt);
        let depth = ((p.1 - spot.centre.1) / spot.size + 0.5).clamp(0.0, 1.0);
        let colour = base
            .mix(WHITE, 0.18 * (1.0 - depth))
            .mix(shadow, 0.22 * depth)
            .alpha(spot.opacity);
        Some((colour, coverage(distance)))
    });
    let glint = (
        spot.centre.0 - 0.2 * spot.size * spot.tilt.cos(),
        spot.centre.1 - 0.2 * spot.size,
    );
    canvas.paint(Bounds::around(glint, spot.size * 0.2), |p| {
        let distance = circle(p, glint, spot.size * 0.07);
        Some((WHITE, 0.55 * soft(distance, spot.size * 0.05)))
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bokeh,
    Glossy,
    Sparkle,
}

#[derive(Debug, Clone, Copy)]
struct Spot {
    kind: Kind,
    centre: Point,
    size: f32,
    tilt: f32,
    opacity: f32,
    colour: usize,
    tint: f32,
}

/// Deterministic placement: rejection sampling away from the record and from each other.
fn scatter(w: f32, h: f32, centre: Point, record_radius: f32) -> Vec<Spot> {
    let side = w.min(h);
    let area_factor = (w * h) / (side * side);
    let mut random = SplitMix(0x5e7e_4ade_0214_2026);
    let mut spots: Vec<Spot> = Vec::new();
    let plan = [
        (Kind::Bokeh, 11.0, 0.07, 0.15),
        (Kind::Glossy, 16.0, 0.035, 0.085),
        (Kind::Sparkle, 26.0, 0.004, 0.009),
    ];
    for (kind, count, smallest, largest) in plan {
        let wanted = (count * area_factor).round() as usize;
        let mut placed = 0;
        for _ in 0..wanted * 40 {
            if placed == wanted {
                break;
            }
            let size = side * (smallest + (largest - smallest) * random.unit());
            let spot_centre = (w * random.unit(), h * random.unit());
            let hidden = circle(spot_centre, centre, record_radius) < -size * 0.3;
            let crowded = kind != Kind::Bokeh
                && spots.iter().any(|other| {
                    other.kind != Kind::Bokeh
                        && circle(spot_centre, other.centre, 0.0)
                            < (size + other.size) * 0.65 + side * 0.02
                });
            if hidden || crowded {
                continue;
            }
            spots.push(Spot {
                kind,
                centre: spot_centre,
                size,
                tilt: (random.unit() - 0.5) * 0.8,
                opacity: match kind {
                    Kind::Bokeh => 0.18 + 0.2 * random.unit(),
                    Kind::Glossy => 0.82 + 0.15 * random.unit(),
                    Kind::Sparkle => 0.9,
                },
                colour: (random.unit() * HEART_COLOURS.len() as f32) as usize % HEART_COLOURS.len(),
                tint: random.unit(),
            });
            placed += 1;
        }
    }
    spots
}

/// SplitMix64: a tiny, fixed, good-enough generator (the picture must not vary by build).
struct SplitMix(u64);

impl SplitMix {
    fn unit(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 40) as f32 / (1u64 << 24) as f32
    }
}
