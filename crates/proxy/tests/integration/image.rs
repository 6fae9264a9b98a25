//! The OCI image `cargo xtask dist` builds, run with podman as an operator would: ready, serving
//! the embedded app and the API, stopped cleanly with SIGTERM, its SQLite file kept on the
//! mounted volume. `cargo xtask test` builds the image and names it in `CODAT_CONNECT_IMAGE`;
//! without it (a plain `cargo test`) the test says it is skipped.

use crate::support::JsonAnswer;
use std::{
    process::Command,
    time::{Duration, Instant},
};

/// `podman` with the runtime and limits these machines need.
fn podman(args: &[&str]) -> std::process::Output {
    Command::new("podman").arg("--runtime").arg("runc").args(args).output().expect("podman runs")
}

fn text(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Starts the image on `port` with `volume` as `/data`; the container's name.
fn run(image: &str, volume: &std::path::Path, port: u16, name: &str) -> String {
    let _ = podman(&["rm", "--force", name]);
    let started = podman(&[
        "run",
        "--detach",
        "--name",
        name,
        "--network=host",
        "--ulimit",
        "nofile=1024:1024",
        "--ulimit",
        "nproc=1000:1000",
        "--volume",
        &format!("{}:/data", volume.display()),
        "--env",
        &format!("LISTEN=127.0.0.1:{port}"),
        "--env",
        "SHUTDOWN_DRAIN_SECONDS=1",
        image,
    ]);
    assert!(started.status.success(), "podman run: {}", text(&started));
    name.to_owned()
}

async fn wait_ready(http: &reqwest::Client, base: &str, container: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|answer| answer.status() == 200) {
            return;
        }
        assert!(Instant::now() < deadline, "never ready: {}", text(&podman(&["logs", container])));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Stops the container with its stop signal (SIGTERM) and returns its exit code.
fn stop(container: &str) -> String {
    let stopped = podman(&["stop", "--time", "30", container]);
    assert!(stopped.status.success(), "podman stop: {}", text(&stopped));
    let code = podman(&["inspect", "--format", "{{.State.ExitCode}}", container]);
    String::from_utf8_lossy(&code.stdout).trim().to_owned()
}

#[tokio::test]
async fn the_image_serves_the_flow_stops_cleanly_on_sigterm_and_keeps_its_data() {
    let Ok(image) = std::env::var("CODAT_CONNECT_IMAGE") else {
        eprintln!(
            "SKIPPED: no image named in CODAT_CONNECT_IMAGE (`cargo xtask test` builds one with podman)"
        );
        return;
    };
    let volume = tempfile::tempdir().unwrap();
    // The image's user (65532) owns the volume, as an operator's volume would be set up.
    let chowned = Command::new("chown").args(["65532:65532", &volume.path().display().to_string()]).status();
    assert!(chowned.is_ok_and(|status| status.success()));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let name = format!("codat-connect-test-{}", std::process::id());

    let container = run(&image, volume.path(), port, &name);
    wait_ready(&http, &base, &container).await;
    // The web app inside the binary: the page, and its wasm in brotli.
    let page = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let wasm = html.split('"').chain(html.split(['=', ' ', '>'])).find(|part| part.ends_with("_bg.wasm"));
    let wasm = wasm.unwrap_or_else(|| panic!("the page names its wasm: {html}")).trim_start_matches('/');
    let compressed = http.get(format!("{base}/{wasm}")).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(compressed.status(), 200);
    assert_eq!(compressed.headers()["content-encoding"], "br");
    assert_eq!(compressed.headers()["content-type"], "application/wasm");
    // A merchant signs up through the API.
    let signed_up = http
        .post(format!("{base}/api/signup"))
        .header("x-codat-connect", "1")
        .json(&serde_json::json!({"businessName": "Kept Bakery", "email": "owner@kept.example"}))
        .send()
        .await
        .unwrap();
    assert!(signed_up.status().is_success(), "{:?}", signed_up.text().await);
    let cookie = signed_up.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert_eq!(stop(&container), "0", "a clean exit on SIGTERM: {}", text(&podman(&["logs", &container])));
    assert!(volume.path().join("codat-connect.db").exists(), "the SQLite file is on the volume");

    // A new container on the same volume still knows the merchant.
    let container = run(&image, volume.path(), port, &name);
    wait_ready(&http, &base, &container).await;
    let session: serde_json::Value =
        http.get(format!("{base}/api/session")).header("cookie", &cookie).json_answer().await;
    assert_eq!(session["businessName"], "Kept Bakery", "{session}");
    assert_eq!(stop(&container), "0");
    let _ = podman(&["rm", "--force", &container]);
}
