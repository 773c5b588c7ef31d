//! The one audio format speech moves in: mono 16-bit PCM WAV. [`Pcm`] reads it (tolerating a
//! streamed header whose sizes are unknown, `0xFFFFFFFF`, as some speech APIs send), writes
//! it with exact sizes, and measures it (duration, RMS, leading and trailing silence).

use std::path::Path;
use std::time::Duration;

use super::error::TtsError;
pub use super::wav_error::WavError;

/// `WAVE_FORMAT_PCM`.
const FORMAT_PCM: u16 = 1;
/// `WAVE_FORMAT_EXTENSIBLE`, whose sub-format GUID then says PCM.
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// The first two bytes of the PCM sub-format GUID (the rest is the fixed base GUID).
const SUBFORMAT_PCM: [u8; 2] = [1, 0];
/// Bytes of the canonical header [`Pcm::to_wav_bytes`] writes.
const HEADER_LEN: usize = 44;

/// Mono 16-bit samples at a sample rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcm {
    /// Samples per second.
    pub sample_rate: u32,
    /// The samples, in order.
    pub samples: Vec<i16>,
}

impl Pcm {
    /// `samples` at `sample_rate`.
    pub fn new(sample_rate: u32, samples: Vec<i16>) -> Self {
        Self {
            sample_rate,
            samples,
        }
    }

    /// How long the samples play (rounded down to the nanosecond).
    pub fn duration(&self) -> Duration {
        samples_to_duration(self.samples.len(), self.sample_rate)
    }

    /// Root mean square of the samples, as a fraction of full scale (0 for silence).
    pub fn rms(&self) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let sum: f64 = self
            .samples
            .iter()
            .map(|&sample| f64::from(sample) * f64::from(sample))
            .sum();
        (sum / self.samples.len() as f64).sqrt() / f64::from(i16::MAX)
    }

    /// The sample range holding everything louder than `threshold` (absolute), widened by
    /// `margin` samples on each side; `None` when every sample is at or below it.
    pub fn audible_range(&self, threshold: i16, margin: usize) -> Option<std::ops::Range<usize>> {
        let loud = |sample: &i16| sample.unsigned_abs() > threshold.unsigned_abs();
        let first = self.samples.iter().position(loud)?;
        let last = self.samples.iter().rposition(loud)?;
        Some(first.saturating_sub(margin)..(last + 1 + margin).min(self.samples.len()))
    }

    /// Parses a WAV file's bytes. A `data` size beyond the end of the bytes (a streamed
    /// header) means "until the end"; a trailing odd byte is ignored.
    pub fn from_wav_bytes(bytes: &[u8]) -> Result<Self, WavError> {
        if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
            return Err(WavError::NotWav);
        }
        let mut format: Option<u32> = None;
        let mut rest = &bytes[12..];
        while rest.len() >= 8 {
            let id = &rest[0..4];
            let size = u32_at(rest, 4) as usize;
            let body = &rest[8..];
            if id == b"fmt " {
                let fmt = body.get(..size).ok_or(WavError::Truncated("fmt"))?;
                format = Some(parse_format(fmt)?);
            } else if id == b"data" {
                let sample_rate = format.ok_or(WavError::MissingChunk("fmt"))?;
                let data = &body[..size.min(body.len())];
                let samples = data
                    .chunks_exact(2)
                    .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
                    .collect();
                return Ok(Self::new(sample_rate, samples));
            }
            // Chunks are padded to an even length.
            let skip = size.saturating_add(size & 1);
            rest = body.get(skip..).unwrap_or_default();
        }
        Err(WavError::MissingChunk(if format.is_some() {
            "data"
        } else {
            "fmt"
        }))
    }

    /// A canonical 44-byte-header WAV of the samples.
    pub fn to_wav_bytes(&self) -> Vec<u8> {
        let data_len = u32::try_from(self.samples.len() * 2).unwrap_or(u32::MAX - 36);
        let mut bytes = Vec::with_capacity(HEADER_LEN + self.samples.len() * 2);
        bytes.extend_from_slice(b"RIFF");
        bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
        bytes.extend_from_slice(b"WAVEfmt ");
        bytes.extend_from_slice(&16u32.to_le_bytes());
        bytes.extend_from_slice(&FORMAT_PCM.to_le_bytes());
        bytes.extend_from_slice(&1u16.to_le_bytes()); // channels
        bytes.extend_from_slice(&self.sample_rate.to_le_bytes());
        bytes.extend_from_slice(&(self.sample_rate * 2).to_le_bytes()); // byte rate
        bytes.extend_from_slice(&2u16.to_le_bytes()); // block align
        bytes.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
        bytes.extend_from_slice(b"data");
        bytes.extend_from_slice(&data_len.to_le_bytes());
        for sample in &self.samples {
            bytes.extend_from_slice(&sample.to_le_bytes());
        }
        bytes
    }

    /// Reads and parses a WAV file; `engine` names who wrote it in errors.
    pub async fn read(path: &Path, engine: &'static str) -> Result<Self, TtsError> {
        let bytes = tokio::fs::read(path).await.map_err(TtsError::io(path))?;
        Self::from_wav_bytes(&bytes).map_err(|source| TtsError::BadAudio { engine, source })
    }

    /// Writes the samples as a WAV file.
    pub async fn write(&self, path: &Path) -> Result<(), TtsError> {
        tokio::fs::write(path, self.to_wav_bytes())
            .await
            .map_err(TtsError::io(path))
    }
}

/// How long `count` samples play at `sample_rate`.
pub fn samples_to_duration(count: usize, sample_rate: u32) -> Duration {
    if sample_rate == 0 {
        return Duration::ZERO;
    }
    let nanos = count as u128 * 1_000_000_000 / u128::from(sample_rate);
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// How many samples last `duration` at `sample_rate` (rounded to the nearest).
pub fn duration_to_samples(duration: Duration, sample_rate: u32) -> usize {
    let count = (duration.as_nanos() * u128::from(sample_rate) + 500_000_000) / 1_000_000_000;
    usize::try_from(count).unwrap_or(usize::MAX)
}

/// The sample rate of a mono 16-bit PCM `fmt ` chunk body.
fn parse_format(fmt: &[u8]) -> Result<u32, WavError> {
    if fmt.len() < 16 {
        return Err(WavError::Truncated("fmt"));
    }
    let tag = u16_at(fmt, 0);
    let pcm = match tag {
        FORMAT_PCM => true,
        // cbSize (2 bytes) at 16, valid bits at 18, channel mask at 20, GUID at 24.
        FORMAT_EXTENSIBLE => fmt.get(24..26) == Some(&SUBFORMAT_PCM[..]),
        _ => false,
    };
    if !pcm {
        return Err(WavError::NotPcm(tag));
    }
    let channels = u16_at(fmt, 2);
    if channels != 1 {
        return Err(WavError::NotMono(channels));
    }
    let sample_rate = u32_at(fmt, 4);
    if !(1000..=384_000).contains(&sample_rate) {
        return Err(WavError::BadSampleRate(sample_rate));
    }
    let bits = u16_at(fmt, 14);
    if bits != 16 {
        return Err(WavError::NotSixteenBit(bits));
    }
    Ok(sample_rate)
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> Pcm {
        Pcm::new(22_050, (0..2205).map(|i| (i * 7 - 7000) as i16).collect())
    }

    #[test]
    fn writing_then_reading_gives_the_same_samples() {
        let pcm = ramp();
        let bytes = pcm.to_wav_bytes();
        assert_eq!(bytes.len(), 44 + 2205 * 2);
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(u32_at(&bytes, 4) as usize, bytes.len() - 8);
        assert_eq!(Pcm::from_wav_bytes(&bytes).unwrap(), pcm);
        assert_eq!(pcm.duration(), Duration::from_millis(100));
    }

    #[test]
    fn a_streamed_header_with_unknown_sizes_reads_to_the_end() {
        let mut bytes = ramp().to_wav_bytes();
        bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        bytes[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
        bytes.push(0x7f); // a stray odd byte
        assert_eq!(Pcm::from_wav_bytes(&bytes).unwrap(), ramp());
    }

    #[test]
    fn extra_chunks_before_the_data_are_skipped() {
        let canonical = ramp().to_wav_bytes();
        let mut bytes = canonical[..36].to_vec();
        bytes.extend_from_slice(b"LIST");
        bytes.extend_from_slice(&3u32.to_le_bytes());
        bytes.extend_from_slice(b"abc\0"); // odd size, padded
        bytes.extend_from_slice(&canonical[36..]);
        assert_eq!(Pcm::from_wav_bytes(&bytes).unwrap(), ramp());
    }

    #[test]
    fn stereo_float_and_other_files_are_refused() {
        let mut stereo = ramp().to_wav_bytes();
        stereo[22] = 2;
        assert_eq!(Pcm::from_wav_bytes(&stereo), Err(WavError::NotMono(2)));
        let mut float = ramp().to_wav_bytes();
        float[20] = 3;
        assert_eq!(Pcm::from_wav_bytes(&float), Err(WavError::NotPcm(3)));
        let mut eight_bit = ramp().to_wav_bytes();
        eight_bit[34] = 8;
        assert_eq!(
            Pcm::from_wav_bytes(&eight_bit),
            Err(WavError::NotSixteenBit(8))
        );
        assert_eq!(Pcm::from_wav_bytes(b"ID3\x04 mp3"), Err(WavError::NotWav));
        let header_only = &ramp().to_wav_bytes()[..36];
        assert_eq!(
            Pcm::from_wav_bytes(header_only),
            Err(WavError::MissingChunk("data"))
        );
    }

    #[test]
    fn rms_and_the_audible_range_measure_the_samples() {
        let silence = Pcm::new(8000, vec![0; 800]);
        assert_eq!(silence.rms(), 0.0);
        assert_eq!(silence.audible_range(10, 5), None);
        let mut samples = vec![0i16; 100];
        samples[40] = 1000;
        samples[60] = -1000;
        let pcm = Pcm::new(8000, samples);
        assert_eq!(pcm.audible_range(10, 5), Some(35..66));
        assert!(pcm.rms() > 0.0);
        let full = Pcm::new(8000, vec![i16::MAX; 10]);
        assert!((full.rms() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn durations_and_sample_counts_convert_both_ways() {
        assert_eq!(samples_to_duration(24_000, 24_000), Duration::from_secs(1));
        assert_eq!(
            duration_to_samples(Duration::from_millis(250), 22_050),
            5513
        );
        assert_eq!(samples_to_duration(5, 0), Duration::ZERO);
    }
}
