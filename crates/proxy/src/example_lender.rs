//! Northwind Capital, a fictional lender's website that embeds Codat Connect
//! (`examples/lender-site`), served beside the server when `EXAMPLE_LENDER_LISTEN` is set.
//!
//! It shows what a lender builds: a page that loads `embed.js` under its own strict CSP, and a
//! backend route that asks the Codat Connect server for a session token with the admin token,
//! exactly as a real lender's backend calls `POST /v1/sessions`.

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use codat_connect_api::{ApiError, EmbedSession, EmbedSessionRequest, ErrorCode, Requirement, Requirements};
use serde::Deserialize;
use std::sync::Arc;
use tokio::net::TcpListener;

const INDEX_HTML: &str = include_str!("../../../examples/lender-site/index.html");
const LENDER_JS: &str = include_str!("../../../examples/lender-site/lender.js");
const LENDER_CSS: &str = include_str!("../../../examples/lender-site/lender.css");

/// The example lender's one merchant: every visitor applies as this business.
const MERCHANT_ID: &str = "northwind-demo-merchant";

#[derive(Debug)]
struct Lender {
    /// The Codat Connect server as browsers reach it.
    connect_url: String,
    /// The Codat Connect server as this backend reaches it.
    internal_url: String,
    admin_token: String,
    http: reqwest::Client,
}

/// Serves the lender's site on `listener` until `stopping` turns true.
pub fn serve(
    listener: TcpListener,
    connect_url: String,
    internal_url: String,
    admin_token: String,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let lender = Arc::new(Lender { connect_url, internal_url, admin_token, http: reqwest::Client::new() });
    let app = Router::new()
        .route("/", get(page))
        .route("/lender.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], LENDER_JS) }))
        .route("/lender.css", get(|| async { ([(header::CONTENT_TYPE, "text/css")], LENDER_CSS) }))
        .route("/session", post(session))
        .with_state(lender);
    tokio::spawn(async move {
        let stopped = async move {
            let _ = stopping.wait_for(|stopping| *stopping).await;
        };
        if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(stopped).await {
            tracing::error!(%error, "the example lender's site stopped");
        }
    });
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
}

/// The lender's backend: a session token for its merchant, from `POST /v1/sessions`.
async fn session(
    State(lender): State<Arc<Lender>>,
    crate::extract::AppJson(request): crate::extract::AppJson<StartRequest>,
) -> Result<Json<EmbedSession>, (StatusCode, Json<ApiError>)> {
    let failure =
        |status: StatusCode, message: String| (status, Json(ApiError { code: ErrorCode::Internal, message }));
    let request = EmbedSessionRequest {
        merchant_id: MERCHANT_ID.into(),
        business_name: request.business_name,
        email: None,
        requirements: Some(Requirements {
            accounting: Requirement::Required,
            banking: Requirement::Optional,
            commerce: Requirement::Optional,
        }),
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
