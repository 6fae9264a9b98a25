//! The emulator's Link pages: where a business owner "authorizes" a connection, then is sent
//! back to the client's redirect URL with Codat's placeholders filled.

use crate::{branding::escape, catalog::Platform, state::now, Emulator};
use axum::{
    extract::{Form, Path, Query, State},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use codat::{Connection, ConnectionStatus, DataConnectionError};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::{collections::BTreeMap, sync::Arc};

/// Everything but RFC 3986's unreserved characters is encoded in filled placeholders.
const PLACEHOLDER_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// What the owner chose on the Link page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Granted access.
    Authorize,
    /// Backed out.
    Cancel,
    /// The platform failed.
    Fail,
    /// The platform is not supported for this client.
    Unsupported,
}

impl Outcome {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "authorize" => Some(Self::Authorize),
            "cancel" => Some(Self::Cancel),
            "fail" => Some(Self::Fail),
            "unsupported" => Some(Self::Unsupported),
            _ => None,
        }
    }
}

/// `GET /link-api/companies/{companyId}/connections/{connectionId}/start`
pub async fn start(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, connection_id)): Path<(String, String)>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    let Some(connection) = emulator.store.connection(&company_id, &connection_id) else {
        return page(
            StatusCode::NOT_FOUND,
            "Link not found",
            "<p>This link is not valid or has expired.</p>",
        );
    };
    if !emulator.redeem_link(&connection_id, params.get("otp").map(String::as_str)) {
        return page(
            StatusCode::FORBIDDEN,
            "Link expired",
            "<p>This link has already been used or has expired. Go back and start again.</p>",
        );
    }
    let platform = emulator.catalog.of_connection(&connection);
    let key = platform.as_ref().map(|p| p.key.clone()).unwrap_or_default();
    let setup = platform
        .as_ref()
        .and_then(setup_step)
        .map(|(title, text)| {
            format!(r#"<div class="setup"><h2>{}</h2><p>{}</p></div>"#, escape(title), escape(&text))
        })
        .unwrap_or_default();
    let hidden: String = params
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "outcome" | "otp"))
        .map(|(name, value)| {
            format!(r#"<input type="hidden" name="{}" value="{}">"#, escape(name), escape(value))
        })
        .collect();
    let name = escape(&connection.platform_name);
    let logo = emulator.artwork_url(&key, crate::branding::Artwork::Square);
    let body = format!(
        r#"<img class="logo" src="{logo}" alt="" width="64" height="64">
<h1>Connect {name}</h1>
<p>Sign in to {name} and allow read access to your business's financial data.</p>
{setup}
<form method="post" action="complete">{hidden}
<button class="primary" type="submit" name="outcome" value="authorize">Authorize</button>
<button type="submit" name="outcome" value="cancel">Cancel</button>
<button class="quiet" type="submit" name="outcome" value="fail">Simulate a platform error</button>
<button class="quiet" type="submit" name="outcome" value="unsupported">Simulate an unsupported platform</button>
</form>"#
    );
    page(StatusCode::OK, &format!("Connect {}", connection.platform_name), &body)
}

/// `POST /link-api/companies/{companyId}/connections/{connectionId}/complete`
pub async fn complete(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, connection_id)): Path<(String, String)>,
    Form(mut fields): Form<BTreeMap<String, String>>,
) -> Response {
    let Some(outcome) = fields.remove("outcome").as_deref().and_then(Outcome::parse) else {
        return page(StatusCode::BAD_REQUEST, "Unknown choice", "<p>Choose Authorize or Cancel.</p>");
    };
    let Some(before) = emulator.store.connection(&company_id, &connection_id) else {
        return page(
            StatusCode::NOT_FOUND,
            "Link not found",
            "<p>This link is not valid or has expired.</p>",
        );
    };
    let failing = emulator.catalog.of_connection(&before).is_some_and(|p| emulator.link_fails(&p.key));
    let outcome = if failing && outcome == Outcome::Authorize { Outcome::Fail } else { outcome };
    let (connection, status_code, status_text, error_message) = match outcome {
        Outcome::Authorize if before.status == ConnectionStatus::Linked => (before, "201", "No content", ""),
        Outcome::Authorize => {
            let linked = emulator
                .store
                .set_connection_status(&company_id, &connection_id, ConnectionStatus::Linked)
                .unwrap_or(before.clone());
            if before.status == ConnectionStatus::PendingAuth {
                emulator.emit_connection("connection.connected", &company_id, &linked);
                emulator.start_sync(&company_id, &linked, true);
            } else {
                emulator.emit_connection("connection.reconnected", &company_id, &linked);
                emulator.start_sync(&company_id, &linked, false);
            }
            (linked, "200", "OK", "")
        }
        Outcome::Cancel | Outcome::Fail => {
            // What Codat records on the connection, and what its redirect says.
            let (status, status_text, recorded, said) = if outcome == Outcome::Cancel {
                ("403", "User cancelled linking", "User cancelled", "User cancelled.")
            } else {
                ("500", "Platform error", "Unknown error occurred", "Unknown error occurred.")
            };
            let failed = record_error(&emulator, &company_id, &connection_id, status, status_text, recorded)
                .unwrap_or(before);
            emulator.emit_connection("connection.failed", &company_id, &failed);
            (failed, status, status_text, said)
        }
        Outcome::Unsupported => (before, "501", "Not supported", "Not supported."),
    };
    let platform_key = emulator.catalog.of_connection(&connection).map(|p| p.key).unwrap_or_default();
    let mut values = placeholders(&connection, &company_id, &platform_key);
    values.insert("statusCode".into(), status_code.into());
    values.insert("statusText".into(), status_text.into());
    values.insert("errorMessage".into(), error_message.into());
    let template = emulator.store.profile().redirect_url;
    // Codat documents carrying the Link URL's own query parameters into the redirect only for
    // Hosted Link; by default only its reserved placeholders are filled here.
    let carried = if emulator.carries_link_query() { fields } else { BTreeMap::new() };
    Redirect::to(&fill_template(&template, &values, &carried)).into_response()
}

/// `GET /link-api/link.css`: the Link pages' stylesheet (no inline styles, for strict CSPs).
pub async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css")], include_str!("link.css"))
}

fn record_error(
    emulator: &Emulator,
    company_id: &str,
    connection_id: &str,
    status_code: &str,
    status_text: &str,
    message: &str,
) -> Option<Connection> {
    emulator.store.update_connection(company_id, connection_id, |connection| {
        connection.data_connection_errors.get_or_insert_with(Vec::new).push(DataConnectionError {
            status_code: Some(status_code.into()),
            status_text: Some(status_text.into()),
            error_message: Some(message.into()),
            errored_on_utc: Some(now()),
        });
    })
}

/// The reserved placeholders Codat fills from the connection.
fn placeholders(connection: &Connection, company_id: &str, platform_key: &str) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    values.insert("clientId".into(), crate::CLIENT_ID.into());
    values.insert("companyId".into(), company_id.into());
    values.insert("connectionId".into(), connection.id.clone());
    values.insert("integrationId".into(), connection.integration_id.clone());
    values.insert("sourceId".into(), connection.source_id.clone());
    values.insert("platform".into(), platform_key.to_owned());
    values.insert("platformName".into(), connection.platform_name.clone());
    values.insert("sourceType".into(), connection.source_type.as_str().to_lowercase());
    values
}

/// Replaces every `{name}` in `template`: reserved names from `reserved`, others from the Link
/// URL's own query parameters, anything else with an empty string. Values are percent-encoded.
pub fn fill_template(
    template: &str,
    reserved: &BTreeMap<String, String>,
    custom: &BTreeMap<String, String>,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|i| open + i) else { break };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let value = reserved.get(name).or_else(|| custom.get(name)).map(String::as_str).unwrap_or("");
        out.extend(utf8_percent_encode(value, PLACEHOLDER_VALUE));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The extra set-up step a platform asks of the owner before authorizing, from the note in
/// the platform list (Business Central's package, NetSuite's and Sage Intacct's permissions,
/// Xero's company-name confirmation, on-premise connectors).
fn setup_step(platform: &Platform) -> Option<(&'static str, String)> {
    let note = platform.setup_note.as_deref()?;
    let name = &platform.name;
    if note.contains("package") {
        Some((
            "Install the Codat package",
            format!("Install the Codat extension package in {name}, then come back here and continue."),
        ))
    } else if note.contains("permissions") {
        Some((
            "Set up permissions",
            format!("Create the Codat integration role with read permissions in {name}, then continue."),
        ))
    } else if note.contains("company name") {
        Some((
            "Confirm your company name",
            format!("Check that the company you are connecting is the one you use in {name}."),
        ))
    } else if note.contains("on-premise") {
        Some((
            "Install the desktop connector",
            format!("Install and run Codat's connector on the computer where {name} runs."),
        ))
    } else {
        None
    }
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let title = escape(title);
    let html = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Codat emulator</title><link rel="stylesheet" href="../../../../link.css"></head>
<body><main class="card">{body}</main><p class="footer">Codat emulator: no data leaves this machine.</p></body></html>"#
    );
    (status, Html(html)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_encoded_and_unknown_ones_emptied() {
        let mut reserved = BTreeMap::new();
        reserved.insert("statusCode".to_string(), "403".to_string());
        reserved.insert("errorMessage".to_string(), "User cancelled.".to_string());
        let mut custom = BTreeMap::new();
        custom.insert("state".to_string(), "a b&c".to_string());
        let url = fill_template(
            "https://x.test/cb?s={statusCode}&m={errorMessage}&state={state}&other={missing}",
            &reserved,
            &custom,
        );
        assert_eq!(url, "https://x.test/cb?s=403&m=User%20cancelled.&state=a%20b%26c&other=");
    }

    #[test]
    fn platforms_with_an_extra_step_name_it_and_others_have_none() {
        let platforms = crate::catalog::platforms();
        let step = |key: &str| setup_step(platforms.iter().find(|p| p.key == key).unwrap()).map(|s| s.0);
        assert_eq!(step("gbol"), Some("Confirm your company name"));
        assert_eq!(step("akxx"), Some("Set up permissions"));
        assert_eq!(step("trji"), Some("Install the Codat package"));
        assert_eq!(step("hbql"), Some("Install the desktop connector"));
        assert_eq!(step("mqjo"), None);
        assert_eq!(step("qhyg"), None);
    }

    #[test]
    fn a_lone_brace_is_left_as_it_is() {
        assert_eq!(fill_template("https://x.test/{", &BTreeMap::new(), &BTreeMap::new()), "https://x.test/{");
    }
}
