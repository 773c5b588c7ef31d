//! Settings of the public pages (the song's site): where the legal pages live. Flattened into
//! [`crate::config::Config`] so they are flags and environment variables like every other.

use super::error::ConfigError;

/// The public site's own settings.
#[derive(Debug, Clone, clap::Args)]
pub struct SiteConfig {
    /// URL of the Terms & Conditions linked from every page's footer.
    #[arg(long, env = "TERMS_URL", default_value = "/terms")]
    pub terms_url: String,
    /// URL of the Privacy Policy linked from every page's footer.
    #[arg(long, env = "PRIVACY_URL", default_value = "/privacy")]
    pub privacy_url: String,
}

impl SiteConfig {
    /// Refuses legal links that are neither site paths nor http(s) URLs.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, url) in [
            ("TERMS_URL", &self.terms_url),
            ("PRIVACY_URL", &self.privacy_url),
        ] {
            if !Self::is_linkable(url) {
                return Err(ConfigError::Invalid {
                    name,
                    problem: "must be a site path (/…) or an http(s) URL".into(),
                });
            }
        }
        Ok(())
    }

    /// True when `url` is a site path (`/…`, not `//…`) or an http(s) URL.
    pub fn is_linkable(url: &str) -> bool {
        (url.starts_with('/') && !url.starts_with("//"))
            || url.starts_with("https://")
            || url.starts_with("http://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_and_http_urls_are_linkable() {
        assert!(SiteConfig::is_linkable("/terms"));
        assert!(SiteConfig::is_linkable("https://brand.example/privacy"));
        assert!(!SiteConfig::is_linkable("//evil.example"));
        assert!(!SiteConfig::is_linkable("javascript:alert(1)"));
        assert!(!SiteConfig::is_linkable(""));
    }
}
