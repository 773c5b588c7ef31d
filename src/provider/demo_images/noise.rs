//! Deterministic pseudo-randomness for the drawings: SplitMix64 mixing and a stream of
//! numbers in [0, 1) from one seed.

/// SplitMix64's finaliser: a well-mixed 64-bit value from any input.
pub fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A deterministic stream of numbers in [0, 1).
pub struct Noise(pub u64);

impl Noise {
    pub fn next(&mut self) -> f32 {
        self.0 = mix(self.0);
        // The top 24 bits fit an f32 exactly.
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}
