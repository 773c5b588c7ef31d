//! Person and pet names: trimmed, NFC-normalised, 2–100 characters of letters in any script,
//! spaces, apostrophes and hyphens (Zoë, O'Brien and Anne-Marie are all names). A control
//! character anywhere (tab, newline, NUL, …) refuses the name rather than being quietly
//! turned into a space or trimmed away.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Fewest characters a name may have.
pub const MIN_NAME_CHARS: usize = 2;
/// Most characters a name may have.
pub const MAX_NAME_CHARS: usize = 100;

/// A validated name, safe to show and to place in a prompt slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

/// Why a name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("must be at least {MIN_NAME_CHARS} characters")]
    TooShort,
    #[error("must be at most {MAX_NAME_CHARS} characters")]
    TooLong,
    #[error("may contain only letters, spaces, apostrophes and hyphens")]
    InvalidCharacter,
    #[error("may not contain tabs, line breaks or other control characters")]
    ControlCharacter,
}

impl Name {
    /// Normalises and validates raw input.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        if raw.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        let mut normalised = String::with_capacity(raw.len());
        let mut pending_space = false;
        let mut letters = 0usize;
        let mut previous_is_letter = false;
        for c in raw.trim().nfc() {
            let c = match c {
                '\u{2019}' | '\u{2018}' | '\u{02BC}' => '\'',
                '\u{2010}' | '\u{2011}' => '-',
                other => other,
            };
            if c.is_whitespace() {
                pending_space = true;
                previous_is_letter = false;
                continue;
            }
            let is_letter = c.is_alphabetic();
            let is_mark_on_letter = is_combining_mark(c) && previous_is_letter;
            if !(is_letter || is_mark_on_letter || c == '\'' || c == '-') {
                return Err(NameError::InvalidCharacter);
            }
            if pending_space {
                normalised.push(' ');
                pending_space = false;
            }
            normalised.push(c);
            letters += usize::from(is_letter);
            previous_is_letter = is_letter || is_mark_on_letter;
        }
        let length = normalised.chars().count();
        if length > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        if length < MIN_NAME_CHARS {
            return Err(NameError::TooShort);
        }
        if letters == 0 {
            return Err(NameError::InvalidCharacter);
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_many_languages_are_accepted() {
        for name in [
            "Zoë",
            "O'Brien",
            "Anne-Marie",
            "Toby",
            "José María",
            "Łukasz",
            "山田",
            "Ørjan",
            "अनुराग",
            "Дмитрий",
        ] {
            assert!(Name::parse(name).is_ok(), "{name} refused");
        }
    }

    #[test]
    fn names_are_trimmed_normalised_and_spaces_collapsed() {
        let decomposed = "Zoe\u{0308}";
        assert_eq!(Name::parse(decomposed).unwrap().as_str(), "Zoë");
        assert_eq!(Name::parse("  Mary   Jane ").unwrap().as_str(), "Mary Jane");
        assert_eq!(Name::parse("O\u{2019}Brien").unwrap().as_str(), "O'Brien");
    }

    #[test]
    fn bad_names_are_refused_with_a_reason() {
        assert_eq!(Name::parse("A"), Err(NameError::TooShort));
        assert_eq!(Name::parse("   "), Err(NameError::TooShort));
        assert_eq!(Name::parse(&"a".repeat(101)), Err(NameError::TooLong));
        assert!(Name::parse(&"a".repeat(100)).is_ok());
        for bad in ["Toby1", "<script>", "Rex!", "--", "Bob; DROP"] {
            assert_eq!(
                Name::parse(bad),
                Err(NameError::InvalidCharacter),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn control_characters_anywhere_refuse_the_name() {
        for bad in [
            "Toby\n",
            "\tToby",
            "To\tby",
            "To\nby",
            "To\rby",
            "a\u{0}b",
            "Toby\u{0}",
            "To\u{7f}by",
            "To\u{85}by",
            "To\u{1b}by",
        ] {
            assert_eq!(
                Name::parse(bad),
                Err(NameError::ControlCharacter),
                "{bad:?}"
            );
        }
        assert_eq!(Name::parse("  Toby  ").unwrap().as_str(), "Toby");
    }
}
