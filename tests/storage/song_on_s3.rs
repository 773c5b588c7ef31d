//! The song with its files on S3, on SQLite and PostgreSQL: a submission becomes a video with
//! nothing on the local disk but scratch, and the spec's `/storage/…` links answer with a
//! redirect to a fresh presigned URL that serves the file; a name that is not the song's is
//! still 404.

use std::time::{Duration, Instant};

use serde_json::Value;
use serenade::domain::ids::SessionId;
use serenade::workflows::song::files::SongFile;

use crate::common::{Backend, TestApp, on_postgres, valid_submission};
use crate::s3_server::S3Server;

async fn finished(app: &TestApp, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status: Value = app
            .get(&format!("/api/submissions/{id}/status"))
            .await
            .json()
            .await
            .unwrap();
        if matches!(status["status"].as_str(), Some("success" | "fail")) {
            return status;
        }
        assert!(Instant::now() < deadline, "{id} still {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn the_song_runs_on_s3_and_its_links_redirect(backend: Backend) {
    let Some(server) = S3Server::start() else {
        return;
    };
    let objects = server.config();
    let app = TestApp::builder()
        .backend(backend)
        .with_workers()
        .configure(move |config| config.storage.objects = objects)
        .spawn()
        .await;
    let response = app.post_submission(&valid_submission()).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let id = body["session_id"].as_str().unwrap().to_owned();
    let status = finished(&app, &id).await;
    assert_eq!(status["status"], "success", "{status}");

    let session = SessionId::parse(&id).unwrap();
    let listed = app.app.store.list("song", &id).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|key| key.name()).collect();
    assert_eq!(
        names,
        ["og.jpg", "photo.jpg", "poster.jpg", "song.mp3", "video.mp4"]
    );
    assert!(
        app.uploaded_files().is_empty(),
        "nothing in the local uploads directory"
    );

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (file, magic) in [
        (SongFile::Video, &b"ftyp"[..]),
        (SongFile::Photo, &[0xFFu8, 0xD8][..]),
    ] {
        let link = app.url(&file.public_path(&session));
        let redirect = no_redirects.get(&link).send().await.unwrap();
        assert_eq!(redirect.status(), 307, "{link}");
        let location = redirect.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(&server.endpoint), "{location}");
        assert!(location.contains("X-Amz-Signature="), "{location}");
        let served = reqwest::get(&location).await.unwrap();
        assert_eq!(served.status(), 200);
        let bytes = served.bytes().await.unwrap();
        let head = if file == SongFile::Video {
            &bytes[4..8]
        } else {
            &bytes[..2]
        };
        assert!(head.starts_with(magic) || magic.is_empty(), "{file:?}");
    }
    let stray = no_redirects
        .get(app.url(&format!("/storage/video/{id}.exe")))
        .send()
        .await
        .unwrap();
    assert_eq!(stray.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_song_runs_on_s3_and_its_links_redirect_on_sqlite() {
    the_song_runs_on_s3_and_its_links_redirect(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_song_runs_on_s3_and_its_links_redirect_on_postgres() {
    on_postgres(the_song_runs_on_s3_and_its_links_redirect).await;
}
