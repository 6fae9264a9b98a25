//! What a browser downloads: the app's files precompressed (brotli, gzip) and cached by their
//! hashed names, the pages asked again each time, and the API's JSON compressed on the fly, but
//! never its event stream.

mod support;

use codat_connect_proxy::{config::Config, start, RunningProxy};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use std::{io::Read as _, path::PathBuf};

/// The proxy serving the built app (`cargo xtask test` builds and precompresses it first).
async fn serve() -> (RunningProxy, tempfile::TempDir) {
    let dist = support::dist_dir();
    assert!(dist.join("index.html").exists(), "the web app is not built: `cargo xtask test` builds it");
    let data = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", data.path().join("connect.db").display());
    (start(Config::local(database, dist)).await.expect("the proxy starts"), data)
}

/// A client that leaves answers as they are sent (no decompression of its own).
fn client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

/// The hashed names trunk gave the app's wasm, script and stylesheet.
fn hashed_files() -> Vec<String> {
    let dist = support::dist_dir();
    let names: Vec<String> = std::fs::read_dir(dist)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let find = |suffix: &str| names.iter().find(|name| name.ends_with(suffix)).cloned().unwrap();
    vec![find("_bg.wasm"), find(".js"), find(".css")]
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap(),
        "gzip" => flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap(),
        other => panic!("unexpected encoding {other}"),
    };
    out
}

#[tokio::test]
async fn the_apps_files_come_precompressed_decode_to_the_same_bytes_and_are_kept_a_year() {
    let (proxy, _data) = serve().await;
    let http = client();
    for name in hashed_files() {
        let url = format!("{}/{name}", proxy.public_url);
        let plain = http.get(&url).header(ACCEPT_ENCODING, "identity").send().await.unwrap();
        assert_eq!(plain.status(), 200, "{name}");
        assert!(plain.headers().get(CONTENT_ENCODING).is_none(), "{name} identity");
        assert_eq!(plain.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable", "{name}");
        let original = plain.bytes().await.unwrap();
        for encoding in ["br", "gzip"] {
            let answer = http.get(&url).header(ACCEPT_ENCODING, encoding).send().await.unwrap();
            assert_eq!(answer.headers()[CONTENT_ENCODING], encoding, "{name}");
            assert!(answer.headers()[VARY]
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding"));
            assert_eq!(answer.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable", "{name}");
            let sent = answer.bytes().await.unwrap();
            assert!(
                sent.len() < original.len() / 2,
                "{name} in {encoding}: {} of {}",
                sent.len(),
                original.len()
            );
            assert_eq!(decode(encoding, &sent), original, "{name} in {encoding}");
            // The copy written at build time, not one compressed for this request.
            let extension = if encoding == "br" { "br" } else { "gz" };
            let written = support::dist_dir().join(format!("{name}.{extension}"));
            assert_eq!(sent, std::fs::read(written).unwrap(), "{name} in {encoding}");
        }
    }
    proxy.stop().await.unwrap();
}

#[tokio::test]
async fn pages_are_asked_again_each_time_and_json_is_compressed_but_not_the_event_stream() {
    let (proxy, _data) = serve().await;
    let http = client();
    let url = |path: &str| format!("{}{path}", proxy.public_url);
    for path in ["/", "/connect", "/assets/embed.js"] {
        let answer = http.get(url(path)).send().await.unwrap();
        assert_eq!(answer.headers()[CACHE_CONTROL], "no-cache", "{path}");
    }

    let signed_up = http
        .post(url("/api/signup"))
        .header("x-codat-connect", "1")
        .json(&serde_json::json!({"businessName": "Delivery Bakery", "email": "owner@example.com"}))
        .send()
        .await
        .unwrap();
    let cookie = signed_up.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let grid = http
        .get(url("/api/integrations?sourceType=Accounting"))
        .header(ACCEPT_ENCODING, "br")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(grid.headers()[CONTENT_ENCODING], "br");
    let cards: serde_json::Value =
        serde_json::from_slice(&decode("br", &grid.bytes().await.unwrap())).unwrap();
    assert!(cards.as_array().is_some_and(|cards| !cards.is_empty()));

    let events = http
        .get(url("/api/events"))
        .header(ACCEPT_ENCODING, "br, gzip")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert!(events.headers().get(CONTENT_ENCODING).is_none(), "an event stream must flow, not be compressed");
    drop(events);
    proxy.stop().await.unwrap();
}

#[test]
fn build_outputs_are_looked_for_where_cargo_puts_them() {
    // `cargo xtask` asks `cargo metadata` (which honours `CARGO_TARGET_DIR`); the suite derives
    // the directory from what cargo names to tests. Both must agree, set or not.
    let metadata = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let expected = PathBuf::from(metadata["target_directory"].as_str().unwrap());
    assert_eq!(support::target_dir(), expected);
}
