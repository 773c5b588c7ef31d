//! The built-in tonearm, resting on the record's grooves from the top right: pivot base,
//! counterweight, polished tube, headshell with its cartridge and finger lift,
//! and the soft shadow they cast (light from the upper left). Coordinates are fractions of
//! the square frame.

use super::paint::{
    Bounds, Canvas, Colour, Point, capsule, circle, coverage, heart, rounded_box, soft,
};

const STEEL_DARK: Colour = Colour::rgb(92, 92, 102);
const STEEL_LIGHT: Colour = Colour::rgb(246, 246, 250);
const GUNMETAL: Colour = Colour::rgb(46, 44, 52);
const GUNMETAL_LIGHT: Colour = Colour::rgb(112, 108, 122);
const CARTRIDGE: Colour = Colour::rgb(26, 24, 30);
const ACCENT: Colour = Colour::rgb(235, 33, 86);
const SHADOW: Colour = Colour::rgb(60, 0, 24);
/// Direction the light comes from (unit vector towards the upper left).
const LIGHT: Point = (-0.6, -0.8);

/// The arm's key points, in pixels. Laid out like a real turntable seen from above: the
/// pivot sits off the record at about 0.7 of its diameter from the spindle, and the headshell
/// is offset about 22° inwards from the tube.
struct Geometry {
    side: f32,
    pivot: Point,
    elbow: Point,
    stylus: Point,
    /// Unit vector along the headshell, towards the stylus.
    head_along: Point,
}

impl Geometry {
    fn new(side: f32) -> Self {
        let pivot = (0.87 * side, 0.15 * side);
        let stylus = (0.778 * side, 0.636 * side);
        let arm = Self::unit(pivot, stylus);
        let head_along = super::paint::rotate(arm, 0.38);
        let elbow = (
            stylus.0 - head_along.0 * 0.085 * side,
            stylus.1 - head_along.1 * 0.085 * side,
        );
        Self {
            side,
            pivot,
            elbow,
            stylus,
            head_along,
        }
    }

    fn unit(from: Point, to: Point) -> Point {
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let length = dx.hypot(dy).max(f32::EPSILON);
        (dx / length, dy / length)
    }

    /// Signed distance of the arm's silhouette (for the shadow).
    fn silhouette(&self, p: Point) -> f32 {
        let s = self.side;
        let head = self.headshell();
        let weight = self.counterweight();
        [
            circle(p, self.pivot, 0.068 * s),
            capsule(p, self.pivot, self.elbow, TUBE * s).0,
            capsule(p, self.elbow, head.neck_end, NECK * s).0,
            rounded_box(p, head.centre, head.half, head.angle, 0.008 * s).0,
            rounded_box(p, weight.0, weight.1, weight.2, 0.01 * s).0,
        ]
        .into_iter()
        .fold(f32::MAX, f32::min)
    }

    fn headshell(&self) -> Headshell {
        let s = self.side;
        let along = self.head_along;
        let centre = (
            self.stylus.0 - along.0 * 0.026 * s,
            self.stylus.1 - along.1 * 0.026 * s,
        );
        Headshell {
            centre,
            half: (0.042 * s, 0.023 * s),
            angle: along.1.atan2(along.0),
            along,
            neck_end: (
                centre.0 - along.0 * 0.035 * s,
                centre.1 - along.1 * 0.035 * s,
            ),
        }
    }

    /// Centre, half extents and angle of the counterweight behind the pivot.
    fn counterweight(&self) -> (Point, Point, f32) {
        let back = Self::unit(self.elbow, self.pivot);
        let centre = (
            self.pivot.0 + back.0 * 0.072 * self.side,
            self.pivot.1 + back.1 * 0.072 * self.side,
        );
        (
            centre,
            (0.03 * self.side, 0.034 * self.side),
            back.1.atan2(back.0),
        )
    }
}

/// Tube and neck radii, as fractions of the frame.
const TUBE: f32 = 0.0115;
const NECK: f32 = 0.0095;

struct Headshell {
    centre: Point,
    half: Point,
    angle: f32,
    along: Point,
    neck_end: Point,
}

/// Paints the tonearm on a square canvas of side `side`.
pub fn paint_tonearm(canvas: &mut Canvas, side: f32) {
    let arm = Geometry::new(side);
    let s = side;
    let shadow_offset = (0.012 * s, 0.022 * s);
    canvas.paint(Bounds::all(), |p| {
        let distance = arm.silhouette((p.0 - shadow_offset.0, p.1 - shadow_offset.1));
        (distance < 0.03 * s).then_some((SHADOW, 0.4 * soft(distance, 0.011 * s)))
    });
    paint_dome(canvas, arm.pivot, 0.068 * s, GUNMETAL, GUNMETAL_LIGHT);
    canvas.paint(Bounds::around(arm.pivot, 0.07 * s), |p| {
        let ring = (circle(p, arm.pivot, 0.05 * s)).abs() - 0.0035 * s;
        Some((STEEL_LIGHT.alpha(0.35), coverage(ring)))
    });
    paint_tube(canvas, arm.pivot, arm.elbow, TUBE * s);
    let head = arm.headshell();
    paint_tube(canvas, arm.elbow, head.neck_end, NECK * s);
    paint_dome(canvas, arm.elbow, 0.0135 * s, STEEL_DARK, STEEL_LIGHT);
    // The finger lift sticks out on the side away from the spindle.
    let normal = (head.along.1, -head.along.0);
    let lift_from = (
        head.centre.0 + normal.0 * 0.016 * s,
        head.centre.1 + normal.1 * 0.016 * s,
    );
    let lift_to = (
        lift_from.0 + normal.0 * 0.03 * s - head.along.0 * 0.008 * s,
        lift_from.1 + normal.1 * 0.03 * s - head.along.1 * 0.008 * s,
    );
    paint_tube(canvas, lift_from, lift_to, 0.0035 * s);
    paint_box(
        canvas,
        (head.centre, head.half, head.angle),
        0.008 * s,
        STEEL_DARK,
        STEEL_LIGHT,
    );
    let cartridge = (
        head.centre.0 + head.along.0 * 0.006 * s,
        head.centre.1 + head.along.1 * 0.006 * s,
    );
    paint_box(
        canvas,
        (cartridge, (0.026 * s, 0.014 * s), head.angle),
        0.004 * s,
        CARTRIDGE,
        GUNMETAL_LIGHT,
    );
    canvas.paint(Bounds::around(cartridge, 0.02 * s), |p| {
        let distance = heart(
            p,
            cartridge,
            0.015 * s,
            head.angle - std::f32::consts::FRAC_PI_2,
        );
        Some((ACCENT, coverage(distance)))
    });
    let weight = arm.counterweight();
    paint_box(canvas, weight, 0.01 * s, GUNMETAL, GUNMETAL_LIGHT);
    canvas.paint(Bounds::around(weight.0, 0.05 * s), |p| {
        let (distance, local) = rounded_box(p, weight.0, weight.1, weight.2, 0.01 * s);
        let groove = (local.0.abs() - 0.012 * s).abs() - 0.0012 * s;
        (distance < 0.0).then_some((CARTRIDGE.alpha(0.7), coverage(groove)))
    });
    paint_dome(canvas, arm.pivot, 0.03 * s, STEEL_DARK, STEEL_LIGHT);
    paint_dome(canvas, arm.pivot, 0.013 * s, GUNMETAL, GUNMETAL_LIGHT);
}

/// A polished cylinder from `a` to `b`, bright on the side facing the light.
fn paint_tube(canvas: &mut Canvas, a: Point, b: Point, radius: f32) {
    let along = Geometry::unit(a, b);
    let highlight = 0.55 * (-along.1 * LIGHT.0 + along.0 * LIGHT.1);
    let reach = (b.0 - a.0).abs().max((b.1 - a.1).abs()) + radius * 2.0;
    let middle = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    canvas.paint(Bounds::around(middle, reach), |p| {
        let (distance, across) = capsule(p, a, b, radius);
        (distance < 1.0).then(|| {
            (
                metal(across, highlight, STEEL_DARK, STEEL_LIGHT),
                coverage(distance),
            )
        })
    });
}

/// A turned rounded box (centre, half extents, angle), shaded like a cylinder across it.
fn paint_box(
    canvas: &mut Canvas,
    shape: (Point, Point, f32),
    radius: f32,
    dark: Colour,
    light: Colour,
) {
    let (centre, half, angle) = shape;
    let highlight = 0.55 * (-angle.sin() * LIGHT.0 + angle.cos() * LIGHT.1);
    canvas.paint(Bounds::around(centre, half.0.max(half.1) * 1.5), |p| {
        let (distance, local) = rounded_box(p, centre, half, angle, radius);
        let across = (local.1 / half.1).clamp(-1.0, 1.0);
        (distance < 1.0).then(|| (metal(across, highlight, dark, light), coverage(distance)))
    });
}

/// A disc lit from the upper left like a shallow dome.
fn paint_dome(canvas: &mut Canvas, centre: Point, radius: f32, dark: Colour, light: Colour) {
    let hot = (
        centre.0 + LIGHT.0 * 0.45 * radius,
        centre.1 + LIGHT.1 * 0.45 * radius,
    );
    canvas.paint(Bounds::around(centre, radius + 1.0), |p| {
        let distance = circle(p, centre, radius);
        let glow = 1.0 - (circle(p, hot, 0.0) / (1.6 * radius)).clamp(0.0, 1.0);
        (distance < 1.0).then(|| (dark.mix(light, glow * glow), coverage(distance)))
    });
}

/// Brushed-metal shading across a cylinder: brightest at `highlight` (-1 to 1).
fn metal(across: f32, highlight: f32, dark: Colour, light: Colour) -> Colour {
    let falloff = 1.0 - ((across - highlight) / 1.2).powi(2);
    let rim = 1.0 - across.abs().powi(6) * 0.5;
    dark.mix(light, (0.15 + 0.85 * falloff.max(0.0)) * rim)
}
