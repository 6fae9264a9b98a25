//! Serves the built web app: hashed assets as files, every other path as `index.html` with a
//! fresh CSP nonce on its scripts.

use crate::{security::CspNonce, AppState};
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
    Extension,
};

/// What trunk writes where each script's nonce goes (`nonce_placeholder` in Trunk.toml).
pub const NONCE_PLACEHOLDER: &str = "__CSP_NONCE__";

/// The page for every app route (`/`, `/connect`, `/callback`, ...).
pub async fn index(
    State(state): State<AppState>,
    Extension(CspNonce(nonce)): Extension<CspNonce>,
) -> Response {
    match state.index_html() {
        Some(html) => (
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
