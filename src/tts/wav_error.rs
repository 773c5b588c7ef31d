//! Why bytes are not a WAV the speech layer can use.

/// Why bytes are not a usable WAV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WavError {
    #[error("not a RIFF/WAVE file")]
    NotWav,
    #[error("the WAV file ends inside its {0} chunk")]
    Truncated(&'static str),
    #[error("the WAV file has no {0} chunk")]
    MissingChunk(&'static str),
    #[error("the WAV file holds format {0:#06x}, not integer PCM")]
    NotPcm(u16),
    #[error("the WAV file has {0} channels; speech must be mono")]
    NotMono(u16),
    #[error("the WAV file has {0}-bit samples; speech must be 16-bit")]
    NotSixteenBit(u16),
    #[error("the WAV file's sample rate ({0} Hz) is not usable")]
    BadSampleRate(u32),
}
