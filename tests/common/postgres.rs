//! PostgreSQL for tests: a fresh database per test, dropped afterwards.

use sqlx::{Connection, PgConnection};

/// The server tests may use, from `TEST_DATABASE_URL`. Without it the PostgreSQL tests are
/// skipped, unless `SERENADE_REQUIRE_POSTGRES=1`, in which case they fail (CI sets both).
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("SERENADE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("SERENADE_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set");
            }
            eprintln!("skipping PostgreSQL test: TEST_DATABASE_URL is not set");
            None
        }
    }
}

/// A database created for one test and dropped when it goes out of scope.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    server_url: String,
    name: String,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let server_url = postgres_url().expect("TEST_DATABASE_URL");
        let name = format!("serenade_test_{}", cuid2::create_id());
        let mut connection = PgConnection::connect(&server_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&mut connection)
            .await
            .expect("create test database");
        let _ = connection.close().await;
        let url = replace_database(&server_url, &name);
        Self {
            url,
            server_url,
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let name = self.name.clone();
        // Drop runs outside any async context guarantee, so use a private runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async move {
                    if let Ok(mut connection) = PgConnection::connect(&server_url).await {
                        let sql = format!("drop database if exists {name} with (force)");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .execute(&mut connection)
                            .await;
                    }
                });
            }
        })
        .join();
    }
}

/// `postgres://user@host:port/db?x` with `db` replaced by `name`.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |index| index + 3);
    let path_start = base[scheme_end..].find('/').map(|index| index + scheme_end);
    let host_part = match path_start {
        Some(index) => &base[..index],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}
