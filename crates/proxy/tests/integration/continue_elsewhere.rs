//! An owner on a phone continues a desktop-only platform on its computer: a one-time link that
//! opens the flow there at that platform, handed to the lender in the same transaction.

use crate::support::router::*;
use axum::http::StatusCode;
use serde_json::json;

const LENDER: &str = "https://lender.example";
const QUICKBOOKS_DESKTOP: &str = "pqsw";

async fn setup() -> Setup {
    setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        config.frame_ancestors = LENDER.into();
    })
    .await
}

async fn session(setup: &Setup, merchant: &str) -> String {
    let body =
        json!({"merchantId": merchant, "businessName": "Acme", "returnUrl": format!("{LENDER}/apply")});
    let issued = send(&setup.app, embed_request(Some(ADMIN), &body.to_string())).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    issued.body["sessionToken"].as_str().unwrap().to_owned()
}

async fn ask(setup: &Setup, token: &str, platform_key: &str) -> Reply {
    let body = json!({ "platformKey": platform_key }).to_string();
    send(&setup.app, post_json_with_bearer("/api/continue-elsewhere", &body, token)).await
}

#[tokio::test]
async fn a_link_to_continue_on_a_computer_opens_the_flow_there_once_at_that_platform() {
    let setup = setup().await;
    let grid = send(&setup.app, get("/api/integrations?sourceType=Accounting", None)).await;
    let card =
        |key: &str| grid.body.as_array().unwrap().iter().find(|c| c["platformKey"] == key).unwrap().clone();
    assert_eq!(card(QUICKBOOKS_DESKTOP)["desktopOnly"], true, "marked in the shipped platform data");
    assert!(card("gbol").get("desktopOnly").is_none());

    // The phone came by the lender's link (the whole tab), as phones do.
    let body = json!({"merchantId": "m-phone", "businessName": "Acme", "delivery": "link",
                      "returnUrl": format!("{LENDER}/apply")});
    let issued = send(&setup.app, embed_request(Some(ADMIN), &body.to_string())).await;
    let (phone, _) = open_start_link(&setup, issued.body["url"].as_str().unwrap()).await;
    let body = json!({ "platformKey": QUICKBOOKS_DESKTOP }).to_string();
    let asked = send(&setup.app, post("/api/continue-elsewhere", &body, phone.as_deref())).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
    let url = asked.body["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://app.test/start/"), "{url}");
    let told = stored_events(&setup, "merchant.continue_on_computer").await;
    assert_eq!(told.len(), 1);
    let data = &told[0]["data"];
    assert_eq!((data["merchantId"].as_str(), data["link"].as_str()), (Some("m-phone"), Some(url.as_str())));
    assert_eq!(data["platformName"], "QuickBooks Desktop");

    let (cookie, to) = open_start_link(&setup, &url).await;
    assert_eq!(to, "/connect");
    let computer = send(&setup.app, get("/api/session", cookie.as_deref())).await;
    assert_eq!(computer.body["openingKey"], QUICKBOOKS_DESKTOP, "{}", computer.text);
    assert_eq!(computer.body["returnUrl"], format!("{LENDER}/apply"), "the phone's session's way back");
    assert_eq!(open_start_link(&setup, &url).await, (None, "/?problem=link".to_owned()), "one time");
}

#[tokio::test]
async fn only_a_desktop_only_platform_is_continued_elsewhere_and_only_by_its_owner() {
    let setup = setup().await;
    let token = session(&setup, "m-other").await;
    for key in ["gbol", "zzzz"] {
        let refused = ask(&setup, &token, key).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{key}: {}", refused.text);
    }
    let body = json!({ "platformKey": QUICKBOOKS_DESKTOP }).to_string();
    let anonymous = send(&setup.app, post("/api/continue-elsewhere", &body, None)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(stored_events(&setup, "merchant.continue_on_computer").await.is_empty());
    // A few an hour: each is an event the lender may e-mail.
    let statuses: Vec<u16> =
        futures_util::future::join_all((0..6).map(|_| ask(&setup, &token, QUICKBOOKS_DESKTOP)))
            .await
            .iter()
            .map(|reply| reply.status.as_u16())
            .collect();
    assert_eq!(statuses.iter().filter(|status| **status == 200).count(), 5, "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
}
