//! Identifier newtypes. Session ids are cuid2; cookie ids are `cookie_<cuid2>`. Anything not
//! shaped like one is rejected before it reaches a query or a file path.

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

/// The id of one submission, shown in URLs (`/result/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

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

/// The browser's quota identity, kept in its localStorage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CookieId(String);

impl CookieId {
    const PREFIX: &'static str = "cookie_";

    /// A new random cookie id.
    pub fn generate() -> Self {
        Self(format!("{}{}", Self::PREFIX, cuid2::create_id()))
    }

    /// Accepts only `cookie_<cuid2>`.
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.strip_prefix(Self::PREFIX)?;
        is_cuid2_shaped(rest).then(|| Self(value.to_owned()))
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
        assert!(CookieId::parse("aaaaaaaaaaaaaaaaaaaaaaaa").is_none());
        assert!(CookieId::parse("cookie_../../x").is_none());
    }
}
