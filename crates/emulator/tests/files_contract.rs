//! Contract test of the Files API (`crates/codat/spec/Codat-Files.json`, the Lending API's
//! "File upload" operations): every answer's status is one the spec declares and every JSON
//! body validates against the spec's schema; uploads Codat's docs refuse are refused.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use codat_emulator::{router, Emulator, EmulatorConfig};
use serde_json::{json, Value};
use spec_check::Spec;
use std::sync::OnceLock;

mod spec_check;

fn files_spec() -> Spec {
    static SPEC: OnceLock<Value> = OnceLock::new();
    Spec(SPEC.get_or_init(|| {
        serde_json::from_str(include_str!("../../codat/spec/Codat-Files.json")).expect("the spec is JSON")
    }))
}

fn platform_spec() -> Spec {
    static SPEC: OnceLock<Value> = OnceLock::new();
    Spec(SPEC.get_or_init(|| {
        serde_json::from_str(include_str!("../../codat/spec/Codat-Platform.json")).expect("the spec is JSON")
    }))
}

const UPLOAD: &str = "/companies/{companyId}/connections/{connectionId}/files";
const BOUNDARY: &str = "cc-boundary-7d1f";

/// A `multipart/form-data` upload of `files` (name, bytes) in the `file` field.
fn upload(company_id: &str, connection_id: &str, files: &[(&str, &[u8])]) -> Request<Body> {
    let mut body = Vec::new();
    for (name, content) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    Request::post(format!("/companies/{company_id}/connections/{connection_id}/files"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(body))
        .unwrap()
}

/// A company with a connection to `platform_key`: (company id, connection id).
async fn company_with_connection(app: &Router, platform_key: &str) -> (String, String) {
    let company =
        platform_spec().call(app, "POST", "/companies", Some(json!({"name": "m_1"})), "/companies").await;
    let company_id = company.body["id"].as_str().unwrap().to_owned();
    let path = format!("/companies/{company_id}/connections");
    let created = platform_spec()
        .call(
            app,
            "POST",
            &path,
            Some(json!({"platformKey": platform_key})),
            "/companies/{companyId}/connections",
        )
        .await;
    (company_id, created.body["id"].as_str().unwrap().to_owned())
}

fn emulator() -> Router {
    router(Emulator::new(EmulatorConfig::new("http://emulator.test", "key", "https://app.test/cb")))
}

#[tokio::test]
async fn files_are_uploaded_listed_and_downloaded_as_the_spec_says() {
    let app = emulator();
    let spec = files_spec();
    let (company_id, connection_id) = company_with_connection(&app, "fupd").await;

    let (sent, _) = spec
        .send(
            &app,
            upload(
                &company_id,
                &connection_id,
                &[("statement.pdf", b"%PDF-1.4 one"), ("ledger.csv", b"a,b\n")],
            ),
            UPLOAD,
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);

    let list = format!("/companies/{company_id}/files");
    let listed = spec.call(&app, "GET", &list, None, "/companies/{companyId}/files").await;
    assert_eq!(listed.status, StatusCode::OK);
    let names: Vec<&str> =
        listed.body.as_array().unwrap().iter().map(|f| f["fileName"].as_str().unwrap()).collect();
    assert_eq!(names, ["statement.pdf", "ledger.csv"]);

    let download = "/companies/{companyId}/files/download";
    let today = &listed.body[0]["uploaded"].as_str().unwrap()[..10];
    let request =
        Request::get(format!("/companies/{company_id}/files/download?date={today}")).body(Body::empty());
    let (answer, archive) = spec.send(&app, request.unwrap(), download).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(&archive[..4], b"PK\x03\x04", "a ZIP archive");
    assert!(archive.windows(12).any(|w| w == b"%PDF-1.4 one"), "the file's bytes are in it");
    let other_day = Request::get(format!("/companies/{company_id}/files/download?date=2001-01-01"));
    let (none, _) = spec.send(&app, other_day.body(Body::empty()).unwrap(), download).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let not_a_date = Request::get(format!("/companies/{company_id}/files/download?date=yesterday"));
    let (bad, _) = spec.send(&app, not_a_date.body(Body::empty()).unwrap(), download).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn uploads_codat_refuses_are_refused_with_its_error_body() {
    let app = emulator();
    let spec = files_spec();
    let (company_id, connection_id) = company_with_connection(&app, "fupd").await;
    let refused = |files: Vec<(&'static str, Vec<u8>)>| {
        let (app, company_id, connection_id) = (app.clone(), company_id.clone(), connection_id.clone());
        async move {
            let files: Vec<(&str, &[u8])> = files.iter().map(|(n, c)| (*n, c.as_slice())).collect();
            let (answer, _) = spec.send(&app, upload(&company_id, &connection_id, &files), UPLOAD).await;
            answer
        }
    };
    let exe = refused(vec![("setup.exe", b"MZ".to_vec())]).await;
    assert_eq!(exe.status, StatusCode::BAD_REQUEST);
    assert!(exe.body["error"].as_str().unwrap().contains("setup.exe"));
    let huge = refused(vec![("big.pdf", vec![b'x'; 10 * 1024 * 1024 + 1])]).await;
    assert_eq!(huge.status, StatusCode::BAD_REQUEST);
    let empty = refused(vec![("empty.pdf", Vec::new())]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let too_many = refused((0..21).map(|_| ("page.png", b"png".to_vec())).collect()).await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused(Vec::new()).await.status, StatusCode::BAD_REQUEST, "no file at all");

    let listed = spec
        .call(&app, "GET", &format!("/companies/{company_id}/files"), None, "/companies/{companyId}/files")
        .await;
    assert_eq!(listed.body, json!([]), "nothing refused was kept");

    let (_, xero) = company_with_connection(&app, "gbol").await;
    let (not_file_upload, _) = spec.send(&app, upload(&company_id, &xero, &[("a.pdf", b"x")]), UPLOAD).await;
    assert_eq!(not_file_upload.status, StatusCode::NOT_FOUND, "another company's connection");
    let (unknown, _) = spec
        .send(
            &app,
            upload("6f1c2d4e-0000-4000-8000-000000000000", &connection_id, &[("a.pdf", b"x")]),
            UPLOAD,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_a_file_upload_connection_takes_files() {
    let app = emulator();
    let (company_id, xero) = company_with_connection(&app, "gbol").await;
    let (answer, _) = files_spec().send(&app, upload(&company_id, &xero, &[("a.pdf", b"x")]), UPLOAD).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body["error"].as_str().unwrap().contains("not to a file upload integration"));
}
