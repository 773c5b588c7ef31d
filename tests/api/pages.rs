//! The public pages: status codes, the CSP with no inline script, `noindex` on capability
//! URLs, escaping of names, Open Graph tags with absolute URLs, the redirects between waiting
//! and result, the friendly 404, embedded static files and the JavaScript size budget.

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::Value;

use crate::common::{TestApp, valid_submission};

/// All page JavaScript, gzipped, must stay under this many bytes.
const JS_BUDGET_GZIPPED: usize = 60 * 1024;

async fn submit_named(app: &TestApp, pet_name: &str) -> String {
    let mut body = valid_submission();
    body["pet_name"] = Value::from(pet_name);
    let response: Value = app.post_submission(&body).await.json().await.unwrap();
    response["session_id"].as_str().unwrap().to_owned()
}

/// A client that reports redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = app.get(path).await;
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// The page is HTML under the strict CSP and runs no inline script or handler.
fn assert_strict_html(path: &str, headers: &reqwest::header::HeaderMap, body: &str) {
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{path}"
    );
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self';"), "{path}: {policy}");
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
        "{path}"
    );
    for script in body.split("<script").skip(1) {
        let tag = &script[..script.find('>').unwrap()];
        assert!(
            tag.contains(" src=\"/static/"),
            "{path}: inline script {tag}"
        );
    }
    // Inside tags (escaped text has no raw `<`): no event handler or style attribute.
    for tag in body
        .split('<')
        .skip(1)
        .filter_map(|rest| rest.split_once('>'))
    {
        let tag = tag.0.to_lowercase();
        let attributes = tag.split_whitespace().skip(1);
        for attribute in attributes {
            assert!(
                !(attribute.starts_with("on") && attribute.contains('=')),
                "{path}: handler in <{tag}>"
            );
            assert!(
                !attribute.starts_with("style="),
                "{path}: inline style in <{tag}>"
            );
        }
    }
}

fn assert_private(path: &str, headers: &reqwest::header::HeaderMap, body: &str) {
    assert!(
        headers["x-robots-tag"]
            .to_str()
            .unwrap()
            .contains("noindex"),
        "{path}"
    );
    assert!(
        body.contains(r#"<meta name="robots" content="noindex, nofollow">"#),
        "{path}"
    );
}

/// The value of `<meta property|name="{key}" content="…">`.
fn meta<'a>(body: &'a str, key: &str) -> &'a str {
    let marker = format!("=\"{key}\" content=\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no {key}")) + marker.len();
    let end = start + body[start..].find('"').unwrap();
    &body[start..end]
}

#[tokio::test]
async fn the_form_page_has_the_five_fields_in_order_the_footer_and_no_inline_script() {
    let app = TestApp::spawn().await;

    let (status, headers, body) = page(&app, "/").await;

    assert_eq!(status, StatusCode::OK);
    assert_strict_html("/", &headers, &body);
    assert!(!headers.contains_key("x-robots-tag"));
    let order: Vec<usize> = [
        r#"for="pet_name""#,
        r#"for="pet_type""#,
        r#"for="photo""#,
        r#"for="music_vibe""#,
        r#"for="owner_name""#,
    ]
    .iter()
    .map(|label| body.find(label).unwrap_or_else(|| panic!("{label}")))
    .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{order:?}");
    assert!(body.contains(r#"accept="image/jpeg,image/png""#));
    for choice in [
        "Dog",
        "Cat",
        "Bird",
        "Fish",
        "Chill",
        "Energetic",
        "Romantic",
        "Party",
        "Relaxing",
    ] {
        assert!(
            body.contains(&format!(r#"<option value="{choice}">"#)),
            "{choice}"
        );
    }
    assert!(body.contains(r#"data-submit-limit="10""#));
    assert!(body.contains("Music by <a href=\"https://treblo.com/\">Sonauto (now Treblo)</a>"));
    assert!(body.contains(r#"<a href="/terms">Terms &amp; Conditions</a>"#));
    assert!(body.contains(r#"<a href="/privacy">Privacy Policy</a>"#));
    assert!(body.contains("demo provider"));
    app.stop().await;
}

#[tokio::test]
async fn legal_links_follow_the_site_config_and_the_placeholders_are_real_pages() {
    let app = TestApp::builder()
        .configure(|config| {
            config.site.terms_url = "https://brand.example/terms?a=1&b=2".into();
        })
        .spawn()
        .await;

    let (_, _, home) = page(&app, "/").await;
    assert!(home.contains(r#"href="https://brand.example/terms?a=1&#38;b=2""#));
    for path in ["/terms", "/privacy"] {
        let (status, headers, body) = page(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_strict_html(path, &headers, &body);
        assert!(body.len() > 3000, "{path} is too short to be a real page");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_waiting_page_is_private_and_shows_the_pet_and_the_first_stage() {
    let app = TestApp::spawn().await;
    let id = submit_named(&app, "O'Malley").await;

    let path = format!("/waiting/{id}");
    let (status, headers, body) = page(&app, &path).await;

    assert_eq!(status, StatusCode::OK);
    assert_strict_html(&path, &headers, &body);
    assert_private(&path, &headers, &body);
    assert!(body.contains("O&#39;Malley"), "the apostrophe is escaped");
    assert!(!body.contains("O'Malley"));
    assert!(body.contains(&format!(r#"src="/storage/uploads/{id}.jpg""#)));
    assert!(body.contains(r#"role="status""#));
    assert!(body.contains(r#"aria-current="step""#));
    assert!(body.contains(r#"data-stage="queued""#));
    assert!(body.contains(&format!("/result/{id}")));
    assert!(body.contains("data-motion-toggle"));
    app.stop().await;
}

#[tokio::test]
async fn names_that_would_break_html_are_escaped_everywhere() {
    let app = TestApp::spawn().await;
    let id = submit_named(&app, "Toby").await;
    app.execute(
        "update submissions set pet_name = '<script>alert(1)</script>\"&', \
         owner_name = '</title><b>x</b>', entry_status = 'success', \
         lyrics = '[Chorus]\n<img src=x onerror=alert(2)>\nsecond line' \
         where session_id = $1",
        &id,
    )
    .await;

    let path = format!("/result/{id}");
    let (status, headers, body) = page(&app, &path).await;

    assert_eq!(status, StatusCode::OK);
    assert_strict_html(&path, &headers, &body);
    assert!(!body.contains("<script>alert(1)"));
    assert!(!body.contains("<b>x</b>"));
    assert!(!body.contains("<img src=x"));
    assert!(body.contains("&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#38;"));
    assert!(body.contains("&#60;img src=x onerror=alert(2)&#62;<br>second line"));
    assert_eq!(
        meta(&body, "og:title"),
        "A love song for &#60;script&#62;alert(1)&#60;/script&#62;&#34;&#38;"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_successful_result_has_the_video_lyrics_and_absolute_open_graph_tags() {
    let app = TestApp::builder()
        .configure(|config| {
            config.http.public_base_url = Some("https://songs.example/".into());
        })
        .spawn()
        .await;
    let id = submit_named(&app, "Mr Biscuit").await;
    app.execute(
        "update submissions set entry_status = 'success', \
         lyrics = '[Verse 1]\nMr Biscuit on the sofa\nMatt is home\n\n[Chorus]\nOh Biscuit' \
         where session_id = $1",
        &id,
    )
    .await;

    let path = format!("/result/{id}");
    let (status, headers, body) = page(&app, &path).await;

    assert_eq!(status, StatusCode::OK);
    assert_strict_html(&path, &headers, &body);
    assert_private(&path, &headers, &body);
    assert_eq!(meta(&body, "og:title"), "A love song for Mr Biscuit");
    assert_eq!(
        meta(&body, "og:url"),
        format!("https://songs.example/result/{id}")
    );
    assert_eq!(
        meta(&body, "og:image"),
        format!("https://songs.example/storage/video/{id}-og.jpg")
    );
    assert_eq!(meta(&body, "og:image:width"), "1200");
    assert_eq!(meta(&body, "og:image:height"), "630");
    assert!(meta(&body, "og:image:alt").contains("Mr Biscuit"));
    assert!(meta(&body, "og:description").contains("Matt"));
    assert_eq!(meta(&body, "twitter:card"), "summary_large_image");

    assert!(body.contains(&format!(
        r#"<video class="video-frame__video" controls playsinline preload="metadata" poster="/storage/video/{id}-poster.jpg" src="/storage/video/{id}.mp4""#
    )));
    assert!(!body.contains("autoplay"));
    assert!(body.contains(&format!(
        r#"href="/storage/video/{id}.mp4" download="Mr-Biscuit-love-song.mp4""#
    )));
    assert!(body.contains(r#"<h3 class="lyrics__section">Verse 1</h3>"#));
    assert!(body.contains("Mr Biscuit on the sofa<br>Matt is home"));
    assert!(body.contains(r#"<h3 class="lyrics__section">Chorus</h3>"#));
    assert!(!body.contains("Retake") && body.contains(r#"href="/">Create another song"#));
    let encoded = format!("https%3A%2F%2Fsongs.example%2Fresult%2F{id}");
    assert!(body.contains(&format!(
        "https://www.facebook.com/sharer/sharer.php?u={encoded}"
    )));
    app.stop().await;
}

#[tokio::test]
async fn a_failed_result_shows_the_kind_failure_view() {
    let app = TestApp::spawn().await;
    let id = submit_named(&app, "Waffles").await;
    app.execute(
        "update submissions set entry_status = 'fail' where session_id = $1",
        &id,
    )
    .await;

    let path = format!("/result/{id}");
    let (status, headers, body) = page(&app, &path).await;

    assert_eq!(status, StatusCode::OK);
    assert_private(&path, &headers, &body);
    assert!(body.contains("We couldn't finish"));
    assert!(body.contains(r#"href="/">Retake the journey</a>"#));
    assert!(!body.contains("<video"));
    app.stop().await;
}

#[tokio::test]
async fn result_and_waiting_send_each_other_the_visitor_with_303() {
    let app = TestApp::spawn().await;
    let id = submit_named(&app, "Toby").await;
    let client = no_redirects();

    let pending = client
        .get(app.url(&format!("/result/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(pending.status(), StatusCode::SEE_OTHER);
    assert_eq!(pending.headers()["location"], format!("/waiting/{id}"));

    app.execute(
        "update submissions set entry_status = 'processing' where session_id = $1",
        &id,
    )
    .await;
    let processing = client
        .get(app.url(&format!("/result/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(processing.status(), StatusCode::SEE_OTHER);

    app.execute(
        "update submissions set entry_status = 'success' where session_id = $1",
        &id,
    )
    .await;
    let done = client
        .get(app.url(&format!("/waiting/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], format!("/result/{id}"));
    app.stop().await;
}

#[tokio::test]
async fn unknown_and_malformed_song_links_get_the_friendly_404_page() {
    let app = TestApp::spawn().await;
    for path in [
        "/result/abcdefghijklmnopqrstuvwx",
        "/waiting/abcdefghijklmnopqrstuvwx",
        "/result/not-a-session",
        "/waiting/..%2F..%2Fetc%2Fpasswd",
        "/result/%3Cscript%3E",
    ] {
        let (status, headers, body) = page(&app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_strict_html(path, &headers, &body);
        assert_private(path, &headers, &body);
        assert!(body.contains("We can't find that song"), "{path}");
        assert!(!body.contains("<script>"), "{path}");
    }
    app.stop().await;
}

/// The `/static/…` URLs a page refers to.
fn asset_urls(body: &str) -> Vec<String> {
    body.match_indices("\"/static/")
        .map(|(start, _)| {
            let rest = &body[start + 1..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn static_files_are_served_with_their_types_and_a_long_cache_under_versioned_urls() {
    let app = TestApp::spawn().await;
    let (_, _, home) = page(&app, "/").await;
    let urls = asset_urls(&home);
    assert!(urls.len() >= 6, "{urls:?}");

    for url in &urls {
        let response = app.get(url).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let content_type = response.headers()["content-type"].to_str().unwrap();
        let expected = match url.rsplit('.').next().unwrap() {
            "js" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "svg" => "image/svg+xml",
            other => panic!("unexpected asset type {other}"),
        };
        assert_eq!(content_type, expected, "{url}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{url}"
        );
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert!(!response.bytes().await.unwrap().is_empty());
    }

    let stale = app.get("/static/0000000000000000/css/site.css").await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.headers()["cache-control"], "public, max-age=300");
    for missing in [
        "/static/0000000000000000/js/nope.js",
        "/static/0000000000000000/../Cargo.toml",
        "/static/x/vendor/cropperjs/LICENSE",
    ] {
        assert_eq!(
            app.get(missing).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    app.stop().await;
}

fn gzipped_size(bytes: &[u8]) -> usize {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip is installed");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    child.wait_with_output().unwrap().stdout.len()
}

#[test]
fn all_page_javascript_stays_under_60_kb_gzipped() {
    let sizes: Vec<(&str, usize)> = serenade::workflows::song::web::assets::scripts()
        .map(|(path, bytes)| (path, gzipped_size(bytes)))
        .collect();
    let total: usize = sizes.iter().map(|(_, size)| size).sum();
    println!("gzipped JavaScript: {sizes:?}, total {total} bytes");
    assert!(sizes.len() >= 5, "{sizes:?}");
    assert!(total < JS_BUDGET_GZIPPED, "{total} bytes: {sizes:?}");
}
