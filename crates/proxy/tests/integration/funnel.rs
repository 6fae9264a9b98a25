//! The lender's funnel: steps a visitor's page reports are counted per step and per platform,
//! zero-result searches by their text, with nothing about the visitor kept.

use crate::support::router::*;
use serde_json::{json, Value};

#[tokio::test]
async fn steps_are_counted_for_the_lender_without_the_visitor() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let session =
        send(&setup.app, embed_request(Some(ADMIN), r#"{"merchantId": "m-9", "businessName": "Acme"}"#))
            .await;
    let token = session.body["sessionToken"].as_str().unwrap().to_owned();
    let started = send(
        &setup.app,
        post_json_with_bearer("/api/connections", &consented(&setup.app, "gbol").await, &token),
    )
    .await;
    let connection = started.body["connection"]["id"].as_str().unwrap().to_owned();
    let steps: Vec<Value> = vec![
        json!({"step": "grid_shown", "sourceType": "Accounting"}),
        json!({"step": "grid_shown", "sourceType": "Accounting"}),
        json!({"step": "tab_chosen", "sourceType": "Banking"}),
        json!({"step": "search_made", "sourceType": "Accounting", "results": 0, "text": "Acme Ledger Pro"}),
        json!({"step": "search_made", "sourceType": "Accounting", "results": 0, "text": "acme  ledger pro"}),
        json!({"step": "search_made", "sourceType": "Accounting", "results": 2, "text": "xero"}),
        // "Can't find your platform?": what the owner names is kept with the searches.
        json!({"step": "platform_missing", "sourceType": "Accounting", "text": " Acme Ledger PRO"}),
        json!({"step": "platform_chosen", "platformKey": "gbol"}),
        json!({"step": "consent_declined", "platformKey": "gbol"}),
        json!({"step": "consent_given", "platformKey": "gbol"}),
        json!({"step": "link_returned", "connectionId": connection, "statusCode": 200}),
        json!({"step": "link_returned", "connectionId": "someone-elses", "statusCode": 500}),
    ];
    for step in &steps {
        let recorded =
            send(&setup.app, post_json_with_bearer("/api/funnel", &step.to_string(), &token)).await;
        assert_eq!(recorded.status, 204, "{step}: {}", recorded.text);
    }
    let unknown =
        send(&setup.app, post_json_with_bearer("/api/funnel", r#"{"step": "bought_a_boat"}"#, &token)).await;
    assert_eq!((unknown.status.as_u16(), unknown.body["code"].as_str()), (400, Some("bad_request")));
    let anonymous = send(&setup.app, post("/api/funnel", &steps[0].to_string(), None)).await;
    assert_eq!(anonymous.status, 401);

    assert_eq!(send(&setup.app, get("/v1/analytics/funnel", None)).await.status, 401);
    let funnel = send(&setup.app, get_with_bearer("/v1/analytics/funnel", ADMIN)).await;
    assert_eq!(funnel.status, 200, "{}", funnel.text);
    let count = |step: &str| {
        funnel.body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == step)
            .map(|s| s["count"].clone())
    };
    assert_eq!(count("grid_shown"), Some(json!(2)));
    assert_eq!(count("search_made"), Some(json!(3)));
    assert_eq!(count("platform_missing"), Some(json!(1)));
    assert_eq!(count("link_returned"), Some(json!(2)));
    assert_eq!(count("first_read_finished"), Some(json!(0)));
    assert_eq!(funnel.body["steps"][0]["step"], "grid_shown", "in the order a visitor meets them");
    let gbol = &funnel.body["platforms"]["gbol"];
    assert_eq!((gbol["platform_chosen"].as_i64(), gbol["consent_declined"].as_i64()), (Some(1), Some(1)));
    assert_eq!(gbol["link_returned:200"], 1, "the connection's platform, found by the server");
    assert_eq!(funnel.body["zeroResultSearches"], json!([{"text": "acme ledger pro", "count": 3}]));
    assert!(!funnel.text.contains("m-9") && !funnel.text.contains(&token), "nothing about the visitor");

    let csv = send(&setup.app, get_with_bearer("/v1/analytics/funnel?format=csv", ADMIN)).await;
    assert!(csv.text.starts_with("section,key,step,count\r\nstep,,grid_shown,2\r\n"), "{}", csv.text);
    assert!(csv.text.contains("zero_result_search,acme ledger pro,search_made,3\r\n"));
    let later =
        send(&setup.app, get_with_bearer("/v1/analytics/funnel?from=2031-01-01&to=2031-01-31", ADMIN)).await;
    assert_eq!(later.body["steps"][0]["count"], 0);
    for bad in
        ["?from=yesterday", "?from=2026-02-01&to=2026-01-01", "?from=2020-01-01&to=2026-01-01", "?format=xml"]
    {
        let refused = send(&setup.app, get_with_bearer(&format!("/v1/analytics/funnel{bad}"), ADMIN)).await;
        assert_eq!(refused.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn the_funnel_does_not_believe_the_page() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let session =
        send(&setup.app, embed_request(Some(ADMIN), r#"{"merchantId": "m-8", "businessName": "Acme"}"#))
            .await;
    let token = session.body["sessionToken"].as_str().unwrap().to_owned();
    let record = |step: Value| {
        let token = token.clone();
        let app = setup.app.clone();
        async move { send(&app, post_json_with_bearer("/api/funnel", &step.to_string(), &token)).await }
    };
    let made_up = record(json!({"step": "platform_chosen", "platformKey": "zzzz"})).await;
    assert_eq!(made_up.status, 400, "a platform no grid offers: {}", made_up.text);
    // The page says "nothing found" for searches that find Xero, QuickBooks Online by an alias
    // and Xero with a typo: the server decides, as the page's search does.
    for text in ["xero", "QBO", "xeor"] {
        let planted =
            record(json!({"step": "search_made", "sourceType": "Accounting", "results": 0, "text": text}))
                .await;
        assert_eq!(planted.status, 204);
    }
    let funnel = send(&setup.app, get_with_bearer("/v1/analytics/funnel", ADMIN)).await;
    assert_eq!(funnel.body["platforms"].get("zzzz"), None);
    assert_eq!(funnel.body["zeroResultSearches"], json!([]));
    // One session cannot fill the report: a few dozen steps a minute at most.
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(record(json!({"step": "grid_shown", "sourceType": "Banking"})).await.status.as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(statuses.iter().filter(|s| **s == 204).count() < 30);
}

/// The grid puts the lender's featured platforms first, in the lender's order, then those its
/// owners chose most, then the rest by name.
#[tokio::test]
async fn the_grid_shows_the_lenders_featured_then_the_most_chosen_platforms_first() {
    let setup = setup_with(|config| config.featured_platforms = vec!["gbol".into(), "pbtz".into()]).await;
    for _ in 0..2 {
        let chosen = codat_connect_proxy::funnel::record_of(codat_connect_api::FunnelStep::PlatformChosen {
            platform_key: "fbrh".into(),
        });
        setup.state.db.record_funnel_step(&chosen).await.unwrap();
    }
    let grid = send(&setup.app, get("/api/integrations?sourceType=Accounting", None)).await;
    let keys: Vec<&str> =
        grid.body.as_array().unwrap().iter().map(|card| card["platformKey"].as_str().unwrap()).collect();
    assert_eq!(keys[..3], ["gbol", "pbtz", "fbrh"], "Xero, Wave (featured), FreeAgent (chosen twice)");
    let names: Vec<String> = grid.body.as_array().unwrap()[3..]
        .iter()
        .map(|card| card["name"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "the rest by name");
}

#[tokio::test]
async fn why_owners_left_early_is_counted_with_their_own_words_kept() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let session =
        send(&setup.app, embed_request(Some(ADMIN), r#"{"merchantId": "m-10", "businessName": "Acme"}"#))
            .await;
    let token = session.body["sessionToken"].as_str().unwrap().to_owned();
    for step in [
        json!({"step": "left_early", "reason": "no_login"}),
        json!({"step": "left_early", "reason": "no_login"}),
        json!({"step": "left_early"}),
        json!({"step": "left_early", "reason": "other", "text": "  Waiting for my ACCOUNTANT "}),
        // Words only go with "other".
        json!({"step": "left_early", "reason": "later", "text": "kept nowhere"}),
    ] {
        let recorded =
            send(&setup.app, post_json_with_bearer("/api/funnel", &step.to_string(), &token)).await;
        assert_eq!(recorded.status, 204, "{step}: {}", recorded.text);
    }
    let bad = json!({"step": "left_early", "reason": "bored"}).to_string();
    assert_eq!(send(&setup.app, post_json_with_bearer("/api/funnel", &bad, &token)).await.status, 400);
    let funnel = send(&setup.app, get_with_bearer("/v1/analytics/funnel", ADMIN)).await;
    assert_eq!(
        funnel.body["leavingReasons"],
        json!([{"reason": "no_login", "count": 2}, {"reason": "later", "count": 1},
               {"reason": "other", "count": 1}, {"reason": "unsaid", "count": 1}])
    );
    assert_eq!(funnel.body["leavingWords"], json!([{"text": "waiting for my accountant", "count": 1}]));
    assert!(!funnel.text.contains("kept nowhere"));
    let csv = send(&setup.app, get_with_bearer("/v1/analytics/funnel?format=csv", ADMIN)).await;
    assert!(csv.text.contains("leaving_reason,no_login,left_early,2\r\n"), "{}", csv.text);
    assert!(csv.text.contains("leaving_words,waiting for my accountant,left_early,1\r\n"));
}
