//! Identifier newtypes. Session ids are cuid2 (anything else is rejected before it reaches a
//! query or a file path). Cookie ids are issued as `cookie_<cuid2>`, but any id of sane shape a
//! browser presents is taken literally: one from an earlier database, another environment or
//! the old site has simply used nothing yet.

use std::fmt;

/// Length of the cuid2 ids this service issues.
const CUID2_LENGTH: usize = 24;

/// True when `value` is a lowercase cuid2 of the length this service issues.
fn is_cuid2_shaped(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == CUID2_LENGTH
        && bytes[0].is_ascii_lowercase()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The id of one submission, shown in URLs (`/result/{id}`). Serialized as its text and
/// checked again when read back (a job payload is parsed through it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

impl TryFrom<String> for SessionId {
    type Error = &'static str;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or("not a session id")
    }
}

impl From<SessionId> for String {
    fn from(id: SessionId) -> Self {
        id.0
    }
}

impl SessionId {
    /// A new random id.
    pub fn generate() -> Self {
        Self(cuid2::create_id())
    }

    /// Accepts only cuid2-shaped text.
    pub fn parse(value: &str) -> Option<Self> {
        is_cuid2_shaped(value).then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest cookie id a browser may present.
pub const MAX_COOKIE_ID_CHARS: usize = 128;

/// The browser's quota identity, kept in its localStorage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CookieId(String);

impl CookieId {
    const PREFIX: &'static str = "cookie_";

    /// A new random cookie id.
    pub fn generate() -> Self {
        Self(format!("{}{}", Self::PREFIX, cuid2::create_id()))
    }

    /// Accepts, literally, 1–[`MAX_COOKIE_ID_CHARS`] printable ASCII characters without
    /// whitespace (so never a NUL, a control character or a space); whether this service issued
    /// the id does not matter.
    pub fn parse(value: &str) -> Option<Self> {
        let sane = (1..=MAX_COOKIE_ID_CHARS).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_graphic());
        sane.then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back() {
        let session = SessionId::generate();
        assert_eq!(SessionId::parse(session.as_str()), Some(session));
        let cookie = CookieId::generate();
        assert_eq!(CookieId::parse(cookie.as_str()), Some(cookie));
    }

    #[test]
    fn ids_not_shaped_like_cuid2_are_refused() {
        for bad in [
            "",
            "../../etc/passwd",
            "abc",
            "Aaaaaaaaaaaaaaaaaaaaaaaa",
            "1aaaaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaaaaa.j",
            "aaaaaaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaaaaaé",
        ] {
            assert!(SessionId::parse(bad).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn cookie_ids_of_sane_shape_are_taken_literally() {
        for sane in [
            "cookie_abc123xyz",
            "aaaaaaaaaaaaaaaaaaaaaaaa",
            "legacy-site:42",
            "x",
            &"c".repeat(MAX_COOKIE_ID_CHARS),
        ] {
            assert_eq!(
                CookieId::parse(sane).map(|id| id.as_str().to_owned()),
                Some(sane.to_owned())
            );
        }
    }

    #[test]
    fn absurd_cookie_ids_are_refused() {
        for absurd in [
            "",
            "cookie abc",
            " cookie_abc",
            "cookie_abc\n",
            "cookie_\0abc",
            "cookie_\tabc",
            "cookie_\u{7f}",
            "cookié",
            &"c".repeat(MAX_COOKIE_ID_CHARS + 1),
        ] {
            assert!(CookieId::parse(absurd).is_none(), "{absurd:?} accepted");
        }
    }
}
