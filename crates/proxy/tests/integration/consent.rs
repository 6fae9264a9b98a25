//! Consent before Link: a connection starts only with consent to the current terms, each has a
//! receipt (kept when the connection is unlinked, with the withdrawal), and the lender exports
//! them as JSON or CSV behind its admin token.

use crate::support::router::*;
use serde_json::{json, Value};

async fn embedded(setup: &Setup, merchant: &str) -> String {
    let body = json!({"merchantId": merchant, "businessName": "Acme"}).to_string();
    let session = send(&setup.app, embed_request(Some(ADMIN), &body)).await;
    session.body["sessionToken"].as_str().unwrap().to_owned()
}

fn connect(platform_key: &str, consent: Option<Value>) -> String {
    let mut body = json!({"platformKey": platform_key});
    if let Some(consent) = consent {
        body["consent"] = consent;
    }
    body.to_string()
}

#[tokio::test]
async fn a_connection_starts_only_with_consent_to_the_current_terms() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let token = embedded(&setup, "m-1").await;
    let terms = send(&setup.app, get("/api/consent?sourceType=Accounting&locale=fr-CA", None)).await;
    assert_eq!(terms.status, 200, "{}", terms.text);
    assert_eq!(terms.body["locale"], "fr-CA");
    assert!(terms.body["purpose"].as_str().unwrap().contains("prêteur"));
    let read: Vec<&str> =
        terms.body["dataTypes"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(read.contains(&"invoices") && !read.iter().any(|t| t.starts_with("banking-")), "{read:?}");
    let version = terms.body["version"].clone();

    for consent in [
        None,
        Some(json!({"version": "0123456789ab", "locale": "fr-CA"})),
        Some(json!({"version": version, "locale": "en"})),
    ] {
        let refused =
            send(&setup.app, post_json_with_bearer("/api/connections", &connect("gbol", consent), &token))
                .await;
        assert_eq!(
            (refused.status.as_u16(), refused.body["code"].as_str()),
            (400, Some("consent_required")),
            "{}",
            refused.text
        );
    }
    let agreed = Some(json!({"version": version, "locale": "fr-CA"}));
    let started =
        send(&setup.app, post_json_with_bearer("/api/connections", &connect("gbol", agreed), &token)).await;
    assert_eq!(started.status, 200, "{}", started.text);
    let connection = started.body["connection"]["id"].as_str().unwrap().to_owned();

    let receipts = send(&setup.app, get_with_bearer("/api/consents", &token)).await;
    assert_eq!(receipts.body[0]["connectionId"], connection.as_str());
    assert_eq!(receipts.body[0]["version"], version);
    assert_eq!(receipts.body[0]["dataTypes"], terms.body["dataTypes"]);
    assert!(receipts.body[0]["withdrawnAt"].is_null());
}

#[tokio::test]
async fn the_lender_exports_receipts_with_their_withdrawal() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let token = embedded(&setup, "m-2").await;
    let body = consented(&setup.app, "mqjo").await;
    let started = send(&setup.app, post_json_with_bearer("/api/connections", &body, &token)).await;
    let connection = started.body["connection"]["id"].as_str().unwrap().to_owned();
    authorize(started.body["linkUrl"].as_str().unwrap()).await;
    send(&setup.app, get_with_bearer("/api/connections", &token)).await;
    let unlink = format!("/api/connections/{connection}/unlink");
    let unlinked = send(&setup.app, post_json_with_bearer(&unlink, "{}", &token)).await;
    assert_eq!(unlinked.status, 200, "{}", unlinked.text);

    assert_eq!(send(&setup.app, get("/v1/merchants/m-2/consents", None)).await.status, 401);
    assert_eq!(send(&setup.app, get_with_bearer("/v1/merchants/nobody/consents", ADMIN)).await.status, 404);
    let exported = send(&setup.app, get_with_bearer("/v1/merchants/m-2/consents", ADMIN)).await;
    assert_eq!(exported.body[0]["connectionId"], connection.as_str());
    assert_eq!(exported.body[0]["withdrawal"], "unlinked");
    assert_eq!(exported.body[0]["locale"], "en");
    assert_eq!(exported.body[0]["textHash"].as_str().unwrap().len(), 64);
    let csv = send(&setup.app, get_with_bearer("/v1/merchants/m-2/consents?format=csv", ADMIN)).await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    let mut lines = csv.text.lines();
    assert!(lines.next().unwrap().starts_with("connection_id,merchant_id,platform_key"));
    let row = lines.next().unwrap();
    assert!(row.starts_with(&format!("{connection},m-2,mqjo,Sandbox,Accounting,en,")), "{row}");
    assert!(row.ends_with(",unlinked,"), "withdrawn, and no hand-off: {row}");
    let bad = send(&setup.app, get_with_bearer("/v1/merchants/m-2/consents?format=xml", ADMIN)).await;
    assert_eq!(bad.status, 400);
}
