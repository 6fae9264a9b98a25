//! Codat's own "Hosted Link" page for a company, where a company's `redirect` points: the owner
//! picks a platform from every enabled integration and is taken to that connection's Link page.
//! Codat Connect replaces this page with its own; the emulator serves it so the field leads
//! somewhere, as it does at Codat.

use crate::{api::connections, branding::escape, Emulator};
use axum::{
    extract::{Form, Path, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use codat::SourceType;
use serde::Deserialize;
use std::sync::Arc;

/// `GET /link/company/{companyId}`
pub async fn page(State(emulator): State<Arc<Emulator>>, Path(company_id): Path<String>) -> Response {
    let Some(company) = emulator.store.company(&company_id) else {
        return html(StatusCode::NOT_FOUND, "Company not found", "<p>This link names no company.</p>");
    };
    let mut sections = String::new();
    for (kind, heading) in [
        (SourceType::Accounting, "Accounting software"),
        (SourceType::Banking, "Banks"),
        (SourceType::Commerce, "Commerce platforms"),
    ] {
        let buttons: String = emulator
            .catalog
            .all()
            .into_iter()
            .filter(|platform| platform.enabled && platform.source_type == kind)
            .map(|platform| {
                format!(
                    r#"<button type="submit" name="platformKey" value="{}">{}</button>"#,
                    escape(&platform.key),
                    escape(&platform.name)
                )
            })
            .collect();
        if !buttons.is_empty() {
            sections.push_str(&format!(
                r#"<h2>{heading}</h2><form method="post" action="{}/connect">{buttons}</form>"#,
                escape(&company_id)
            ));
        }
    }
    let body = format!(
        "<h1>Connect {}</h1><p>Choose the platforms to share data from.</p>{sections}",
        escape(&company.name)
    );
    html(StatusCode::OK, "Connect your business", &body)
}

/// The platform chosen on the hosted page.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    platform_key: String,
}

/// `POST /link/company/{companyId}/connect`: starts the connection and opens its Link page.
pub async fn connect(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    Form(choice): Form<Choice>,
) -> Response {
    match connections::open(&emulator, &company_id, &choice.platform_key) {
        Ok(connection) => Redirect::to(&connection.link_url).into_response(),
        Err(error) => error.into_response(),
    }
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{} · Codat emulator</title><link rel="stylesheet" href="../../link-api/link.css"></head>
<body><main class="card">{body}</main><p class="footer">Codat emulator: no data leaves this machine.</p></body></html>"#,
        escape(title)
    );
    (status, Html(page)).into_response()
}
