//! What every page shares: the [`Layout`] (legal links, demo notice, asset URLs, the public
//! origin), the response headers of public and private pages, the friendly 404 page, and the
//! short Terms and Privacy pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::assets;
use crate::state::{App, AppState};

/// Header that keeps capability URLs (waiting and result pages) out of search engines.
const X_ROBOTS_TAG: HeaderName = HeaderName::from_static("x-robots-tag");

/// The frame around every page.
#[derive(Debug, Clone)]
pub struct Layout {
    pub terms_url: String,
    pub privacy_url: String,
    /// True when songs come from the built-in demo provider (the footer says so).
    pub demo_provider: bool,
    /// The public origin, without a trailing slash.
    pub base_url: String,
    /// The page's own path, for `og:url`.
    pub path: String,
}

impl Layout {
    /// The frame for the page at `path`.
    pub fn new(app: &App, path: impl Into<String>) -> Self {
        Self {
            terms_url: app.config.site.terms_url.clone(),
            privacy_url: app.config.site.privacy_url.clone(),
            demo_provider: app.uses_demo_provider(),
            base_url: app.config.http.public_base_url(),
            path: path.into(),
        }
    }

    /// The versioned URL of an embedded static file.
    pub fn asset(&self, path: &str) -> String {
        assets::url(path)
    }

    /// `path` on the public origin.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// This page's absolute URL.
    pub fn page_url(&self) -> String {
        self.absolute(&self.path)
    }
}

/// Who may see a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Indexable (home, legal pages).
    Public,
    /// A capability URL carrying names and photos: `noindex`.
    Private,
}

/// A rendered page with its status and the headers its visibility calls for. Pages are
/// revalidated on every visit: their asset URLs change with each build.
pub fn respond(status: StatusCode, visibility: Visibility, page: impl IntoResponse) -> Response {
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if visibility == Visibility::Private {
        headers.insert(X_ROBOTS_TAG, HeaderValue::from_static("noindex, nofollow"));
    }
    response
}

/// The friendly page for an unknown or malformed song link.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "not_found.html")]
pub struct NotFoundPage {
    pub layout: Layout,
}

/// 404 with the friendly page.
pub fn not_found(app: &App, path: &str) -> Response {
    respond(
        StatusCode::NOT_FOUND,
        Visibility::Private,
        NotFoundPage {
            layout: Layout::new(app, path),
        },
    )
}

/// The placeholder Terms & Conditions page (used while `TERMS_URL` is `/terms`).
#[derive(Debug, Template, WebTemplate)]
#[template(path = "terms.html")]
pub struct TermsPage {
    pub layout: Layout,
}

/// The placeholder Privacy Policy page (used while `PRIVACY_URL` is `/privacy`).
#[derive(Debug, Template, WebTemplate)]
#[template(path = "privacy.html")]
pub struct PrivacyPage {
    pub layout: Layout,
}

/// `GET /terms`.
pub async fn terms(State(app): State<AppState>) -> Response {
    respond(
        StatusCode::OK,
        Visibility::Public,
        TermsPage {
            layout: Layout::new(&app, "/terms"),
        },
    )
}

/// `GET /privacy`.
pub async fn privacy(State(app): State<AppState>) -> Response {
    respond(
        StatusCode::OK,
        Visibility::Public,
        PrivacyPage {
            layout: Layout::new(&app, "/privacy"),
        },
    )
}
