//! The looks a slideshow may ask for (seed 004's `style`): the title cards' colours. An
//! unknown style is refused (`unsupported_style`) rather than silently replaced.

/// One look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Professional,
    Casual,
    Bold,
    Minimal,
}

/// A style's colours, as ffmpeg colour names or `0xRRGGBB`.
#[derive(Debug, Clone, Copy)]
pub struct Colors {
    pub background: &'static str,
    pub text: &'static str,
}

impl Style {
    /// Every style's name, in the order they are documented.
    pub const NAMES: [&'static str; 4] = ["professional", "casual", "bold", "minimal"];

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "professional" => Self::Professional,
            "casual" => Self::Casual,
            "bold" => Self::Bold,
            "minimal" => Self::Minimal,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Professional => "professional",
            Self::Casual => "casual",
            Self::Bold => "bold",
            Self::Minimal => "minimal",
        }
    }

    pub fn colors(self) -> Colors {
        match self {
            Self::Professional => Colors {
                background: "0x0A3D62",
                text: "white",
            },
            Self::Casual => Colors {
                background: "0xF6B93B",
                text: "0x222222",
            },
            Self::Bold => Colors {
                background: "0xB71540",
                text: "white",
            },
            Self::Minimal => Colors {
                background: "0xF5F6FA",
                text: "0x2F3640",
            },
        }
    }
}
