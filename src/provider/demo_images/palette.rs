//! From a prompt to colours and scene elements: known words (sunset, ocean, forest, night,
//! snow, desert, …) pick a mood; every other word still nudges the hues, so no two prompts
//! look alike.

use image::Rgb;

use super::noise::mix;

/// The colours and elements of one scene.
#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    pub sky_top: Rgb<u8>,
    pub sky_bottom: Rgb<u8>,
    /// Nearest ridge first.
    pub ridges: [Rgb<u8>; 3],
    pub light: Rgb<u8>,
    /// Stars in the sky.
    pub stars: bool,
    /// Water below the ridges.
    pub water: bool,
}

/// A mood a known word selects: sky top, sky bottom, far ridge, near ridge, light.
struct Mood {
    words: &'static [&'static str],
    colours: [[u8; 3]; 5],
    stars: bool,
    water: bool,
}

const MOODS: &[Mood] = &[
    Mood {
        words: &[
            "sunset", "dusk", "sunrise", "dawn", "autumn", "fire", "warm",
        ],
        colours: [
            [70, 40, 110],
            [250, 140, 60],
            [120, 60, 80],
            [40, 20, 40],
            [255, 210, 120],
        ],
        stars: false,
        water: false,
    },
    Mood {
        words: &["ocean", "sea", "beach", "lake", "river", "wave", "water"],
        colours: [
            [40, 110, 200],
            [170, 220, 250],
            [60, 120, 140],
            [20, 60, 90],
            [255, 250, 220],
        ],
        stars: false,
        water: true,
    },
    Mood {
        words: &[
            "forest", "jungle", "tree", "trees", "meadow", "garden", "green",
        ],
        colours: [
            [90, 160, 210],
            [200, 230, 200],
            [70, 130, 80],
            [20, 70, 40],
            [255, 245, 200],
        ],
        stars: false,
        water: false,
    },
    Mood {
        words: &[
            "night", "moon", "stars", "space", "galaxy", "midnight", "dark",
        ],
        colours: [
            [5, 10, 40],
            [40, 50, 110],
            [30, 35, 70],
            [10, 12, 30],
            [235, 235, 255],
        ],
        stars: true,
        water: false,
    },
    Mood {
        words: &[
            "snow",
            "winter",
            "ice",
            "frozen",
            "arctic",
            "mountain",
            "mountains",
        ],
        colours: [
            [120, 160, 210],
            [230, 240, 250],
            [170, 185, 210],
            [90, 100, 130],
            [255, 255, 255],
        ],
        stars: false,
        water: false,
    },
    Mood {
        words: &["desert", "sand", "dune", "dunes", "canyon", "sahara"],
        colours: [
            [110, 170, 230],
            [250, 225, 180],
            [210, 150, 90],
            [160, 95, 50],
            [255, 240, 200],
        ],
        stars: false,
        water: false,
    },
];

/// The neutral mood when no word is known.
const DEFAULT_COLOURS: [[u8; 3]; 5] = [
    [100, 150, 220],
    [220, 225, 240],
    [120, 120, 150],
    [60, 60, 90],
    [255, 240, 210],
];

impl Palette {
    pub fn from_prompt(prompt: &str) -> Self {
        let lowered = prompt.to_lowercase();
        let words: Vec<&str> = lowered
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .collect();
        let mood = MOODS
            .iter()
            .find(|mood| words.iter().any(|word| mood.words.contains(word)));
        let colours = mood.map_or(DEFAULT_COLOURS, |mood| mood.colours);
        let shift = words
            .iter()
            .filter(|word| !mood.is_some_and(|mood| mood.words.contains(word)))
            .fold(0u64, |hash, word| mix(hash ^ fnv(word)));
        let tint = |colour: [u8; 3], salt: u64| tinted(colour, mix(shift ^ salt));
        let [top, bottom, far, near, light] = colours;
        let middle = [
            (u16::from(far[0]) + u16::from(near[0])) / 2,
            (u16::from(far[1]) + u16::from(near[1])) / 2,
            (u16::from(far[2]) + u16::from(near[2])) / 2,
        ]
        .map(|channel| u8::try_from(channel).unwrap_or(u8::MAX));
        Self {
            sky_top: tint(top, 1),
            sky_bottom: tint(bottom, 2),
            ridges: [tint(near, 3), tint(middle, 4), tint(far, 5)],
            light: Rgb(light),
            stars: mood.is_some_and(|mood| mood.stars),
            water: mood.is_some_and(|mood| mood.water),
        }
    }
}

/// Moves each channel by up to ±28 as `noise` says.
fn tinted(colour: [u8; 3], noise: u64) -> Rgb<u8> {
    let mut channels = colour;
    for (index, channel) in channels.iter_mut().enumerate() {
        let byte = (noise >> (index * 8)) & 0xFF;
        let delta = i16::try_from(byte % 57).unwrap_or(0) - 28;
        *channel = u8::try_from((i16::from(*channel) + delta).clamp(0, 255)).unwrap_or(u8::MAX);
    }
    Rgb(channels)
}

/// FNV-1a of a word.
fn fnv(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
