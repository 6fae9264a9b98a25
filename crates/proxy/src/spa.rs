//! Serves the built web app: hashed assets as files, every other path as `index.html` with a
//! fresh CSP nonce on its scripts.

use crate::{security::CspNonce, AppState};
use axum::{
    extract::State,
    http::{header, StatusCode, Uri},
    response::{Html, IntoResponse, Response},
    Extension,
};
use codat_connect_api::pages;

/// What trunk writes where each script's nonce goes (`nonce_placeholder` in Trunk.toml).
pub const NONCE_PLACEHOLDER: &str = "__CSP_NONCE__";

/// The app, for its pages (`/`, `/connect`, `/callback`, `/connections`) with 200 and for any
/// other path with 404 (the app then says the page does not exist).
pub async fn index(
    State(state): State<AppState>,
    Extension(CspNonce(nonce)): Extension<CspNonce>,
    uri: Uri,
) -> Response {
    let status = if pages::page(uri.path()).is_some() || uri.path() == "/index.html" {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    match state.index_html() {
        Some(html) => (
            status,
            [(header::CACHE_CONTROL, "no-store")],
            Html(html.replace(NONCE_PLACEHOLDER, &nonce)),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html("<!doctype html><title>Codat Connect</title><p>The web app is not built yet: run <code>cargo xtask run</code>.</p>"),
        )
            .into_response(),
    }
}

/// `GET /theme.css`: the lender's theme, or nothing.
pub async fn theme(State(state): State<AppState>) -> Response {
    let css = match state.theme_css_path() {
        // Read on each request: a lender can change its theme without a restart.
        Some(path) => tokio::fs::read_to_string(path).await.unwrap_or_else(|error| {
            tracing::warn!(path = %path.display(), %error, "THEME_CSS not readable; serving no theme");
            String::new()
        }),
        None => String::new(),
    };
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], css)
        .into_response()
}
