//! Every owner finishes: one whose accountant holds the logins hands the linking to them from
//! the consent step (the owner's browser makes a link, the accountant's follows it and links,
//! and the owner's page and the lender see it done, with the accountant named on the consent);
//! one who comes back to a platform is offered the connection they started rather than a
//! second; one whose software no platform covers sends documents instead, where the lender
//! takes them; one who reconnects to another company is told.

mod support;

use support::{axe_violations, lender_api, Harness, ADMIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_hands_the_linking_to_their_accountant_who_links_in_their_own_name() {
    let mut harness = Harness::start_with("handoff", |config| {
        config.admin_token = Some(ADMIN.into());
        config.sign_up = Some(codat_connect_proxy::config::SignUp::Open);
    })
    .await;
    harness.open("/").await;
    harness.fill("Business name", "Birch Lane Bakery").await;
    harness.fill("Work email", "owner@example.com").await;
    harness.button("Continue").await.click().await.expect("signing up");
    harness.heading("Connect your accounting software").await;
    // From the consent step: the owner does not hold the logins.
    harness.button("Connect Sandbox").await.click().await.expect("choosing Sandbox");
    harness.button("Someone else handles your books?").await.click().await.expect("handing it on");
    harness.fill("Their name", "Dana Patel").await;
    harness.fill("A note to them (optional)", "Our Sandbox books, please").await;
    harness.button("Make a link for them").await.click().await.expect("making the link");
    let link = harness.find("//p[contains(@class,'one-time-link')]/a").await;
    let url = link.attr("href").await.unwrap().expect("the link");
    assert!(url.starts_with(&harness.url("/start/")), "{url}");
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    harness.screenshot("01-link-for-the-accountant").await;
    let merchants = lender_api(&harness, "/v1/merchants").await;
    let merchant_id = merchants["results"][0]["merchantId"].as_str().unwrap().to_owned();
    let status = lender_api(&harness, &format!("/v1/merchants/{merchant_id}")).await;
    assert_eq!(status["waitingOn"]["person"], "Dana Patel", "{status}");

    // The accountant, in their own browser.
    harness.start_second_browser().await;
    harness.browser.goto(&url).await.expect("opening the link");
    harness.button("Continue").await.click().await.expect("opening the flow");
    harness.button("Connect Sandbox").await.click().await.expect("choosing Sandbox");
    harness.agree().await;
    harness.button("Authorize").await.click().await.expect("authorizing");
    assert_eq!(harness.heading("is connected").await, "Sandbox is connected");
    harness.screenshot("02-the-accountant-linked").await;

    // The owner's page shows it; the lender's receipt names the accountant.
    harness.swap_browsers();
    harness.open("/connections").await;
    let row = harness.find("//li[contains(@class,'connection-row')]").await;
    assert!(row.text().await.unwrap().contains("Sandbox"));
    let receipt = harness.find_within(&row, ".connection-receipt").await.text().await.unwrap();
    assert!(receipt.starts_with("Dana Patel agreed on"), "{receipt}");
    harness.screenshot("03-the-owner-sees-it").await;
    let receipts = lender_api(&harness, &format!("/v1/merchants/{merchant_id}/consents")).await;
    assert_eq!(receipts[0]["handoffPerson"], "Dana Patel", "{receipts}");
    harness.finish().await;
}

/// An owner who left Link without finishing and chooses the platform again is offered to
/// continue the same connection: one row in their connections, linked; choosing a linked bank
/// again asks before another account, and one that lost its access is offered to reconnect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choosing_a_platform_again_continues_the_connection_started_rather_than_a_second() {
    let harness = Harness::start("continued").await;
    harness.open("/").await;
    harness.fill("Business name", "Maple Joinery").await;
    harness.fill("Work email", "owner@example.com").await;
    harness.button("Continue").await.click().await.expect("signing up");
    // A bank: nothing else would stop a second connection to it.
    harness.button("Banking").await.click().await.expect("the banking tab");
    harness.button("Connect Plaid").await.click().await.expect("choosing Plaid");
    harness.agree().await;
    harness.button("Cancel").await.click().await.expect("leaving Link");
    harness.link("Try again").await.click().await.expect("trying again");
    harness.button("Banking").await.click().await.expect("the banking tab");
    harness.button("Connect Plaid").await.click().await.expect("choosing Plaid again");
    // Offered as what it is: the connection started, continued.
    harness
        .find(
            "//dialog//p[normalize-space()='You started connecting Plaid: this continues that connection.']",
        )
        .await;
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    harness.screenshot("continue-offered").await;
    harness.button("Finish connecting").await.click().await.expect("continuing");
    harness.button("Authorize").await.click().await.expect("authorizing");
    assert_eq!(harness.heading("is connected").await, "Plaid is connected");
    // A linked bank asks before another account.
    harness.open("/connect").await;
    harness.button("Banking").await.click().await.expect("the banking tab");
    harness.button("Connect Plaid").await.click().await.expect("choosing Plaid once more");
    harness.find("//dialog//p[starts-with(normalize-space(), 'Plaid is connected already.')]").await;
    harness.screenshot("another-account-asked").await;
    harness.button("Decline").await.click().await.expect("keeping the one account");
    // Plaid revokes the access: choosing it again offers to reconnect it.
    let emulator = harness.proxy.as_ref().and_then(|proxy| proxy.state.emulator.clone()).expect("emulator");
    let company = emulator.store.companies().remove(0).id;
    let plaid = emulator.store.connections(&company).unwrap().remove(0).id;
    emulator.store.set_connection_status(&company, &plaid, codat::ConnectionStatus::Deauthorized);
    harness.open("/connect").await;
    harness.button("Banking").await.click().await.expect("the banking tab");
    harness.button("Connect Plaid").await.click().await.expect("choosing Plaid after it lost its access");
    harness
        .find("//dialog//p[normalize-space()='Plaid is connected but lost its access: this reconnects it.']")
        .await;
    harness.screenshot("reconnect-offered").await;
    harness.press_in_dialog("Reconnect").await;
    harness.button("Authorize").await.click().await.expect("authorizing again");
    assert_eq!(harness.heading("is connected").await, "Plaid is connected");
    harness.open("/connections").await;
    harness.find("//li[contains(@class,'connection-row')]").await;
    let rows = harness.browser.find_all(fantoccini::Locator::Css(".connection-row")).await.unwrap();
    assert_eq!(rows.len(), 1, "one connection to Plaid");
    assert!(rows[0].text().await.unwrap().contains("Connected"));
    harness.screenshot("one-connection").await;
    harness.finish().await;
}

/// Where the lender takes documents instead of accounting software, an owner sends a statement
/// (its progress bar filled by the upload's own progress) and a program the page refuses before
/// sending; the statement counts as accounting done, for the page and the lender.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_without_a_platform_sends_documents_instead_and_a_refused_file_is_not_sent() {
    let harness = Harness::start_with("documents", |config| {
        config.admin_token = Some(ADMIN.into());
        config.frame_ancestors = "https://lender.example".into();
    })
    .await;
    let session = serde_json::json!({
        "merchantId": "m-documents",
        "businessName": "Cedar Books",
        "requirements": {"Accounting": "required", "documentsInstead": ["Accounting"]},
        "delivery": "link",
        "returnUrl": "https://lender.example/apply",
    });
    let issued: serde_json::Value = reqwest::Client::new()
        .post(harness.url("/v1/sessions"))
        .bearer_auth(ADMIN)
        .json(&session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    harness.browser.goto(issued["url"].as_str().expect("a link")).await.expect("opening the link");
    harness.button("Continue").await.click().await.expect("opening the flow");
    harness.heading("Connect your accounting software").await;

    let files = tempfile::tempdir().unwrap();
    let statement = files.path().join("statement.pdf");
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(3 * 1024 * 1024, b' ');
    std::fs::write(&statement, pdf).unwrap();
    let program = files.path().join("setup.exe");
    std::fs::write(&program, b"MZ").unwrap();
    let summary = "//summary[normalize-space()='No software for this? Send documents instead']";
    harness.find(summary).await.click().await.unwrap();
    let chooser = harness.find("//input[@type='file']").await;
    let paths = format!("{}\n{}", statement.display(), program.display());
    chooser.send_keys(&paths).await.expect("choosing the files");
    harness.find("//div[@role='alert']/p[starts-with(., 'setup.exe was not sent')]").await;
    harness.find("//ul[@class='documents-sent']/li[normalize-space()='statement.pdf']").await;
    let share =
        harness.browser.execute("return document.querySelector('progress').value", vec![]).await.unwrap();
    assert_eq!(share.as_f64(), Some(100.0), "the upload's progress reached the end");
    harness.find("//ul[@class='checklist']/li[contains(@class,'done')][contains(., 'Accounting')]").await;
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    let section = "document.querySelector('details.documents').scrollIntoView({block: 'end'})";
    harness.browser.execute(section, vec![]).await.unwrap();
    harness.screenshot("01-statement-sent-program-refused").await;

    let status = lender_api(&harness, "/v1/merchants/m-documents").await;
    assert_eq!(status["ready"], true, "{status}");
    let names: Vec<&str> =
        status["documents"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["statement.pdf"], "the program was never sent");

    harness.open("/connect?locale=fr-CA").await;
    harness
        .find("//summary[normalize-space()='Pas de logiciel pour cela? Envoyez plutôt des documents']")
        .await
        .click()
        .await
        .unwrap();
    harness.find("//ul[@class='documents-sent']/li[normalize-space()='statement.pdf']").await;
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    let section = "document.querySelector('details.documents').scrollIntoView({block: 'end'})";
    harness.browser.execute(section, vec![]).await.unwrap();
    harness.screenshot("02-in-french").await;
    harness.finish().await;
}

/// An owner who reconnects their accounting platform to another company sees it said on the
/// connection, in both languages, and the lender hears it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_to_another_company_is_said_on_the_connection() {
    let harness = Harness::start_with("identity", |config| {
        config.admin_token = Some(ADMIN.into());
        config.sign_up = Some(codat_connect_proxy::config::SignUp::Open);
    })
    .await;
    harness.open("/").await;
    harness.fill("Business name", "Willow Dental").await;
    harness.fill("Work email", "owner@example.com").await;
    harness.button("Continue").await.click().await.expect("signing up");
    harness.button("Connect Sandbox").await.click().await.expect("choosing Sandbox");
    harness.agree().await;
    harness.button("Authorize").await.click().await.expect("authorizing");
    harness.heading("is connected").await;
    let merchants = lender_api(&harness, "/v1/merchants").await;
    let merchant = merchants["results"][0]["merchantId"].as_str().unwrap().to_owned();
    let company = merchants["results"][0]["companyId"].as_str().unwrap().to_owned();
    let status = format!("/v1/merchants/{merchant}");
    // The page follows the first read; the business it names is kept.
    until(&harness, &status, |status| !status["companyIdentity"].is_null()).await;

    // At the platform, the owner picks another company when they connect again.
    let emulator = harness.proxy.as_ref().and_then(|proxy| proxy.state.emulator.clone()).expect("emulator");
    let other = codat_emulator::state::CompanyInfo {
        company_name: "Willow Dental Group Ltd".into(),
        registration_number: "55501234".into(),
    };
    emulator.store.set_platform_info(&company, other);
    harness.link("View your connections").await.click().await.expect("opening the connections");
    harness.button("Disconnect").await.click().await.expect("disconnecting");
    harness.press_in_dialog("Disconnect").await;
    harness.button("Reconnect").await.click().await.expect("reconnecting");
    harness.button("Authorize").await.click().await.expect("authorizing again");
    harness.heading("is connected").await;
    let changed = until(&harness, &status, |status| !status["companyIdentity"]["previous"].is_null()).await;
    assert_eq!(changed["companyIdentity"]["companyName"], "Willow Dental Group Ltd", "{changed}");

    harness.open("/connections").await;
    let notice = "//p[@class='connection-identity'][contains(., 'now shows the business Willow Dental Group Ltd (55501234)')]";
    harness.find(notice).await;
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    harness.screenshot("01-another-company").await;
    harness.open("/connections?locale=fr-CA").await;
    harness.find("//p[@class='connection-identity'][contains(., 'Willow Dental Group Ltd (55501234)')][contains(., 'entreprise')]").await;
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    harness.screenshot("02-another-company-in-french").await;
    harness.finish().await;
}

/// The lender's view of a merchant at `path` once `done` holds of it (the server compares what
/// the platform names as the page follows the read), for at most fifteen seconds.
async fn until(
    harness: &Harness,
    path: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let status = lender_api(harness, path).await;
        if done(&status) {
            return status;
        }
        assert!(std::time::Instant::now() < deadline, "never: {status}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
