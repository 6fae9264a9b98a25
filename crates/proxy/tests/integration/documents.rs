//! Documents instead of a platform: where the lender's requirements take them for a kind, the
//! owner's file goes to Codat through the file upload integration, and the document, the
//! readiness it brings and `merchant.document_sent` are written together; anything else is
//! refused with a clear error and nothing kept.

use crate::support::{codat_get, router::*};
use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use serde_json::{json, Value};
use std::time::Duration;

async fn setup() -> Setup {
    setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        config.documents_platform = Some("fupd".into());
    })
    .await
}

/// A lender's session for `merchant_id` whose requirements are `requirements`.
async fn session_requiring(setup: &Setup, merchant_id: &str, requirements: Value) -> String {
    let body = json!({"merchantId": merchant_id, "businessName": "Acme", "requirements": requirements});
    let issued = send(&setup.app, embed_request(Some(ADMIN), &body.to_string())).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    issued.body["sessionToken"].as_str().unwrap().to_owned()
}

fn document(token: &str, kind: &str, name: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::post(format!("/api/documents?kind={kind}"))
        .header("x-codat-connect", "1")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/pdf")
        .header("x-document-name", name)
        .body(Body::from(bytes))
        .unwrap()
}

async fn files_at_codat(setup: &Setup, merchant_id: &str) -> Vec<Value> {
    let status = send(&setup.app, get_with_bearer(&format!("/v1/merchants/{merchant_id}"), ADMIN)).await;
    let company = status.body["companyId"].as_str().unwrap().to_owned();
    codat_get(&setup.emulator_url, KEY, &format!("/companies/{company}/files"))
        .await
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_document_stands_in_for_a_required_kind_with_the_lenders_event_and_readiness() {
    let setup = setup().await;
    let requirements = json!({"Accounting": "required", "documentsInstead": ["Accounting"]});
    let token = session_requiring(&setup, "m-docs", requirements).await;
    let sent =
        send(&setup.app, document(&token, "Accounting", "Statement%20March.pdf", b"%PDF-1.4 a".to_vec()))
            .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
    assert_eq!(
        (sent.body["name"].as_str(), sent.body["size"].as_u64()),
        (Some("Statement March.pdf"), Some(10))
    );

    let at_codat = files_at_codat(&setup, "m-docs").await;
    assert_eq!(at_codat.len(), 1);
    assert_eq!(at_codat[0]["fileName"], "Statement March.pdf");
    let told = stored_events(&setup, "merchant.document_sent").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["data"]["document"]["kind"], "Accounting");
    assert_eq!(told[0]["data"]["documentsOfKind"], 1);
    assert_eq!(stored_events(&setup, "merchant.ready").await.len(), 1, "ready in the same change");
    let status = send(&setup.app, get_with_bearer("/v1/merchants/m-docs", ADMIN)).await;
    assert_eq!(status.body["ready"], true, "{}", status.text);
    assert_eq!(status.body["progress"]["complete"], json!(["Accounting"]));
    assert_eq!(status.body["documents"][0]["name"], "Statement March.pdf");

    // A second document, larger than any other request's body may be, goes through the same
    // file upload connection, which the owner's list of platforms does not show.
    let ledger = b"a,b\n".repeat(512 * 1024);
    let again = send(&setup.app, document(&token, "Accounting", "ledger.csv", ledger)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["size"], 2 * 1024 * 1024);
    assert_eq!(files_at_codat(&setup, "m-docs").await.len(), 2);
    let listed = send(&setup.app, get_with_bearer("/api/documents", &token)).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
    let platforms = send(&setup.app, get_with_bearer("/api/connections", &token)).await;
    assert_eq!(platforms.body, json!([]), "{}", platforms.text);
}

#[tokio::test]
async fn documents_the_lender_does_not_take_or_codat_would_refuse_are_refused_and_nothing_is_kept() {
    let setup = setup().await;
    let requirements =
        json!({"Accounting": "required", "Banking": "optional", "documentsInstead": ["Accounting"]});
    let token = session_requiring(&setup, "m-refused", requirements).await;
    let refused = [
        (document(&token, "Banking", "statement.pdf", b"%PDF".to_vec()), "documents_not_allowed"),
        (document(&token, "Commerce", "statement.pdf", b"%PDF".to_vec()), "documents_not_allowed"),
        (document(&token, "Accounting", "setup.exe", b"MZ".to_vec()), "document_refused"),
        (document(&token, "Accounting", "empty.pdf", Vec::new()), "document_refused"),
        (document(&token, "Accounting", "", b"%PDF".to_vec()), "bad_request"),
    ];
    for (request, code) in refused {
        let answer = send(&setup.app, request).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
        assert_eq!(answer.body["code"], code, "{}", answer.text);
    }
    let too_big =
        send(&setup.app, document(&token, "Accounting", "scan.pdf", vec![b'x'; 10 * 1024 * 1024 + 1])).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_big.text);
    assert!(files_at_codat(&setup, "m-refused").await.is_empty());
    assert!(stored_events(&setup, "merchant.document_sent").await.is_empty());

    // Without a session, the body is not read: the answer is that the caller is not signed in.
    let stranger = Request::post("/api/documents?kind=Accounting")
        .header("x-codat-connect", "1")
        .header("x-document-name", "a.pdf")
        .body(Body::from(vec![b'x'; 300 * 1024]))
        .unwrap();
    assert_eq!(send(&setup.app, stranger).await.status, StatusCode::UNAUTHORIZED);
}

/// The emulator's next upload for `company` meets `fault` (once).
fn next_upload_meets(setup: &Setup, company: &str, fault: Value) {
    let mut rule =
        json!({"path": format!("/companies/{company}/connections/"), "method": "POST", "times": 1});
    rule.as_object_mut().unwrap().extend(fault.as_object().unwrap().clone());
    setup.emulator.faults.set(serde_json::from_value(json!({"rules": [rule]})).unwrap());
}

#[tokio::test]
async fn an_upload_whose_answer_was_lost_is_recorded_by_the_sweep_and_one_codat_never_took_is_forgotten() {
    let setup = setup().await;
    let requirements = json!({"Accounting": "required", "documentsInstead": ["Accounting"]});
    let token = session_requiring(&setup, "m-lost", requirements).await;
    let first = send(&setup.app, document(&token, "Accounting", "first.pdf", b"%PDF 1".to_vec())).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let status = send(&setup.app, get_with_bearer("/v1/merchants/m-lost", ADMIN)).await;
    let company = status.body["companyId"].as_str().unwrap().to_owned();

    // Codat takes the next document, and its answer is lost on the way back.
    next_upload_meets(&setup, &company, json!({"kind": "dropAfter"}));
    let lost = send(&setup.app, document(&token, "Accounting", "lost.pdf", b"%PDF 2".to_vec())).await;
    assert!(lost.status.is_server_error(), "{}", lost.text);
    assert_eq!(files_at_codat(&setup, "m-lost").await.len(), 2, "Codat has it");
    // Codat fails the next before taking it.
    next_upload_meets(&setup, &company, json!({"kind": "serverError", "status": 500}));
    let failed = send(&setup.app, document(&token, "Accounting", "failed.pdf", b"%PDF 3".to_vec())).await;
    assert!(failed.status.is_server_error(), "{}", failed.text);
    assert_eq!(files_at_codat(&setup, "m-lost").await.len(), 2);
    assert_eq!(stored_events(&setup, "merchant.document_sent").await.len(), 1, "told of the first only");

    let settled = codat_connect_proxy::sweep::settle_uploads(&setup.state, Duration::ZERO).await.unwrap();
    assert_eq!((settled.recorded, settled.forgotten), (1, 1), "{settled:?}");
    let told = stored_events(&setup, "merchant.document_sent").await;
    assert_eq!(told.len(), 2);
    assert_eq!(
        (told[1]["data"]["document"]["name"].as_str(), told[1]["data"]["documentsOfKind"].as_i64()),
        (Some("lost.pdf"), Some(2))
    );
    let listed = send(&setup.app, get_with_bearer("/api/documents", &token)).await;
    let mut names: Vec<&str> =
        listed.body.as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["first.pdf", "lost.pdf"]);
    // Settled once: a later sweep finds nothing left.
    let again = codat_connect_proxy::sweep::settle_uploads(&setup.state, Duration::ZERO).await.unwrap();
    assert_eq!(again, codat_connect_proxy::sweep::UploadsSettled::default());
}
