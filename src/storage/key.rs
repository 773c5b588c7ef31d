//! Object keys: `{workflow}/{owner}/{name}`, each segment checked once when the key is made,
//! so no key can climb out of its directory, collide with a temporary file, or hold a
//! separator. A job may own any number of names.

use std::fmt;

/// The longest segment accepted.
const MAX_SEGMENT: usize = 128;

/// A segment that is not a plain name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid storage key segment {segment:?}: use 1–128 of A–Z a–z 0–9 . _ -, not starting with a dot"
)]
pub struct InvalidKey {
    pub segment: String,
}

/// Where one stored object lives: the workflow that owns it, the owner inside that workflow
/// (a submission, a job) and the file's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    workflow: String,
    owner: String,
    name: String,
}

impl ObjectKey {
    /// A key from its three segments, each checked.
    pub fn new(workflow: &str, owner: &str, name: &str) -> Result<Self, InvalidKey> {
        Ok(Self {
            workflow: segment(workflow)?,
            owner: segment(owner)?,
            name: segment(name)?,
        })
    }

    /// Parses `workflow/owner/name`.
    pub fn parse(raw: &str) -> Result<Self, InvalidKey> {
        let mut parts = raw.splitn(3, '/');
        let (Some(workflow), Some(owner), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidKey {
                segment: raw.to_owned(),
            });
        };
        Self::new(workflow, owner, name)
    }

    pub fn workflow(&self) -> &str {
        &self.workflow
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.workflow, self.owner, self.name)
    }
}

/// Checks one segment.
pub fn segment(raw: &str) -> Result<String, InvalidKey> {
    let plain = raw
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'));
    if raw.is_empty() || raw.len() > MAX_SEGMENT || raw.starts_with('.') || !plain {
        return Err(InvalidKey {
            segment: raw.to_owned(),
        });
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hold_only_plain_segments() {
        let key = ObjectKey::new("jobs", "job_01", "output-0.png").unwrap();
        assert_eq!(key.to_string(), "jobs/job_01/output-0.png");
        assert_eq!(ObjectKey::parse("jobs/job_01/output-0.png").unwrap(), key);
        for bad in ["..", ".hidden", "", "a/b", "a\\b", "ünï", &"x".repeat(129)] {
            assert!(ObjectKey::new("jobs", "o", bad).is_err(), "{bad:?}");
            assert!(ObjectKey::new(bad, "o", "n").is_err(), "{bad:?}");
        }
        assert!(ObjectKey::parse("jobs/o").is_err());
        assert!(ObjectKey::parse("jobs/o/../../etc").is_err());
    }
}
