//! Northwind Capital, a fictional lender's website that embeds Codat Connect
//! (`examples/lender-site`), served beside the server when `EXAMPLE_LENDER_LISTEN` is set.
//!
//! It shows what a lender builds: a page that loads `embed.js` under its own strict CSP, a
//! backend route that asks the Codat Connect server for a session token with the admin token,
//! exactly as a real lender's backend calls `POST /v1/sessions` (with its requirements), and a
//! back office (`back_office`) fed by the status API and Codat Connect's webhooks.

mod back_office;

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use codat_connect_api::{
    ApiError, Delivery, EmbedSession, EmbedSessionRequest, ErrorCode, Requirement, Requirements,
};
use serde::Deserialize;
use std::sync::Arc;
use tokio::net::TcpListener;

const INDEX_HTML: &str = include_str!("../../../../examples/lender-site/index.html");
const LENDER_JS: &str = include_str!("../../../../examples/lender-site/lender.js");
const LENDER_CSS: &str = include_str!("../../../../examples/lender-site/lender.css");
const BACK_OFFICE_HTML: &str = include_str!("../../../../examples/lender-site/back-office.html");
const BACK_OFFICE_JS: &str = include_str!("../../../../examples/lender-site/back-office.js");

/// The path Codat Connect posts the lender's webhooks to.
pub const WEBHOOK_PATH: &str = "/webhooks";

/// The example lender's backend.
#[derive(Debug)]
struct Lender {
    /// The Codat Connect server as browsers reach it.
    connect_url: String,
    /// The Codat Connect server as this backend reaches it.
    internal_url: String,
    admin_token: String,
    /// What Codat Connect signs this lender's webhooks with.
    webhook_secret: codat::WebhookSecret,
    /// This site's own origin.
    site_url: String,
    http: reqwest::Client,
    inbox: back_office::Inbox,
    stopping: tokio::sync::watch::Receiver<bool>,
}

/// How the example lender reaches Codat Connect and checks its webhooks.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The Codat Connect server as browsers reach it.
    pub connect_url: String,
    /// The Codat Connect server as this backend reaches it.
    pub internal_url: String,
    /// The admin token.
    pub admin_token: String,
    /// The secret of this lender's webhook endpoint.
    pub webhook_secret: codat::WebhookSecret,
    /// This site's own origin (where the owner returns after a flow in a full page).
    pub site_url: String,
}

/// Serves the lender's site on `listener` until `stopping` turns true.
pub fn serve(listener: TcpListener, connection: Connection, stopping: tokio::sync::watch::Receiver<bool>) {
    let lender = Arc::new(Lender {
        connect_url: connection.connect_url,
        internal_url: connection.internal_url,
        admin_token: connection.admin_token,
        webhook_secret: connection.webhook_secret,
        site_url: connection.site_url,
        http: reqwest::Client::new(),
        inbox: back_office::Inbox::default(),
        stopping: stopping.clone(),
    });
    let script =
        |body: &'static str| move || async move { ([(header::CONTENT_TYPE, "text/javascript")], body) };
    let app = Router::new()
        .route("/", get(page))
        .route("/lender.js", get(script(LENDER_JS)))
        .route("/lender.css", get(|| async { ([(header::CONTENT_TYPE, "text/css")], LENDER_CSS) }))
        .route("/session", post(session))
        .route("/back-office", get(back_office_page))
        .route("/back-office.js", get(script(BACK_OFFICE_JS)))
        .route("/back-office/applicants", get(back_office::applicants))
        .route("/back-office/webhooks", get(back_office::webhooks))
        .route("/back-office/events", get(back_office::events))
        .route("/back-office/deliveries", get(back_office::deliveries))
        .route("/back-office/funnel", get(back_office::funnel))
        .route(WEBHOOK_PATH, post(back_office::receive))
        .with_state(lender);
    let mut stopping = stopping;
    tokio::spawn(async move {
        let stopped = async move {
            let _ = stopping.wait_for(|stopping| *stopping).await;
        };
        if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(stopped).await {
            tracing::error!(%error, "the example lender's site stopped");
        }
    });
}

/// The back office page, under the same strict CSP (no frames).
async fn back_office_page() -> Response {
    let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; \
               object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    let mut response = (back_office::no_store(), Html(BACK_OFFICE_HTML)).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    response
}

/// The lender's own id for an applicant: here, from the business's name (a real lender has one).
fn applicant_id(business_name: &str) -> String {
    let mut id = String::from("nw-");
    for c in business_name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.truncate(64);
    id.trim_end_matches('-').to_owned()
}

/// The application page, under a CSP as strict as a careful lender's: scripts from itself and
/// from the Codat Connect server, frames from the Codat Connect server, no inline code.
async fn page(State(lender): State<Arc<Lender>>) -> Response {
    let connect = &lender.connect_url;
    let csp = format!(
        "default-src 'self'; script-src 'self' {connect}; frame-src {connect}; style-src 'self'; \
         img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
    );
    let mut response = Html(INDEX_HTML.replace("{{CONNECT_URL}}", connect)).into_response();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartRequest {
    business_name: String,
    /// `redirect`: the whole tab goes to the flow and comes back here (no frame, no popup).
    #[serde(default)]
    mode: Option<String>,
    /// A platform the flow opens at (the lender's "Connect with Xero" button).
    #[serde(default)]
    platform: Option<String>,
}

/// The lender's backend: a session token for its merchant, from `POST /v1/sessions`.
async fn session(
    State(lender): State<Arc<Lender>>,
    crate::extract::AppJson(request): crate::extract::AppJson<StartRequest>,
) -> Result<Json<EmbedSession>, (StatusCode, Json<ApiError>)> {
    let failure =
        |status: StatusCode, message: String| (status, Json(ApiError { code: ErrorCode::Internal, message }));
    let redirect = request.mode.as_deref() == Some("redirect");
    let request = EmbedSessionRequest {
        merchant_id: applicant_id(&request.business_name),
        business_name: request.business_name,
        email: None,
        requirements: Some(Requirements {
            accounting: Requirement::Required,
            banking: Requirement::Optional,
            commerce: Requirement::Optional,
            documents_instead: Vec::new(),
        }),
        delivery: redirect.then_some(Delivery::Link),
        return_url: redirect.then(|| format!("{}/", lender.site_url)),
        featured_platforms: Vec::new(),
        platform: request.platform,
    };
    let answer = lender
        .http
        .post(format!("{}/v1/sessions", lender.internal_url))
        .bearer_auth(&lender.admin_token)
        .json(&request)
        .send()
        .await
        .map_err(|e| failure(StatusCode::BAD_GATEWAY, format!("Codat Connect is unreachable: {e}")))?;
    if !answer.status().is_success() {
        let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let error: ApiError = answer.json().await.unwrap_or(ApiError {
            code: ErrorCode::Unknown,
            message: "Codat Connect refused the session.".into(),
        });
        return Err((status, Json(error)));
    }
    let session = answer
        .json()
        .await
        .map_err(|e| failure(StatusCode::BAD_GATEWAY, format!("unreadable session: {e}")))?;
    Ok(Json(session))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_applicant_id_is_the_business_name_in_letters_digits_and_dashes() {
        assert_eq!(super::applicant_id("Maple Street Bakery"), "nw-maple-street-bakery");
        assert_eq!(super::applicant_id("  Café & Co. "), "nw-caf-co");
        assert!(super::applicant_id(&"x".repeat(100)).len() <= 64);
    }
}
