//! Serves the built web app: hashed assets as files, every other path as `index.html` with a
//! fresh CSP nonce on its scripts.

use crate::{security::CspNonce, AppState};
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode, Uri},
    middleware::Next,
    response::{Html, IntoResponse, Response},
    Extension,
};
use codat_connect_api::pages;

/// What trunk writes where each script's nonce goes (`nonce_placeholder` in Trunk.toml).
pub const NONCE_PLACEHOLDER: &str = "__CSP_NONCE__";

/// What is served where the web app should be when this server was built without it.
const NOT_BUILT: &str = "<!doctype html><title>Codat Connect</title><p>This server was built without \
the web app. Build it with <code>cargo xtask run</code> (development) or <code>cargo xtask dist</code> \
(a release binary and image carrying it), or point <code>DIST_DIR</code> at trunk's output.</p>";

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
    match state.settings.index_html.as_deref() {
        Some(html) => (
            status,
            // Asked again each time: each answer has its own nonce.
            [(header::CACHE_CONTROL, "no-cache")],
            Html(html.replace(NONCE_PLACEHOLDER, &nonce)),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response(),
    }
}

/// Any path no route took: one of the app's files (its hashed assets, `assets/embed.js`), else
/// the app itself with the status [`index`] gives it.
pub async fn file_or_index(
    State(state): State<AppState>,
    nonce: Extension<CspNonce>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    match state.settings.web_app.file(&parts).await {
        Some(file) => file,
        None => index(State(state), nonce, parts.uri).await,
    }
}

/// Cache rules for the app's files: a name trunk hashed (`app-3f2a...e1.css`) never changes
/// content, so it is kept a year; any other file (`/assets/embed.js`, which lenders' pages load
/// by a fixed name) is checked again each time. Answers that set their own rule keep it. Each
/// says it varies with `Accept-Encoding`.
pub async fn asset_caching(request: Request, next: Next) -> Response {
    let immutable = is_hashed_name(request.uri().path());
    let mut response = next.run(request).await;
    let ok =
        matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT);
    if ok && !response.headers().contains_key(header::CACHE_CONTROL) {
        let rule = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(rule));
    }
    // The same path answers brotli, gzip or plain bytes: caches must key on what was accepted.
    if ok && !response.headers().contains_key(header::VARY) {
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether the last path segment carries trunk's content hash: `name-<hash>.ext` or
/// `name-<hash>_bg.wasm`, the hash 15 or more hex digits.
fn is_hashed_name(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let Some((_, tail)) = stem.rsplit_once('-') else { return false };
    let hash = tail.strip_suffix("_bg").unwrap_or(tail);
    hash.len() >= 15 && hash.chars().all(|c| c.is_ascii_hexdigit())
}

/// `GET /theme.css`: the lender's theme, or nothing.
pub async fn theme(State(state): State<AppState>) -> Response {
    let css = match state.settings.theme_css.as_deref() {
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

#[cfg(test)]
mod tests {
    #[test]
    fn trunks_hashed_names_are_recognised_and_fixed_names_are_not() {
        let hashed = [
            "/app-f258fcecfd0f3bf.css",
            "/codat-connect-7f0af1e07320252a_bg.wasm",
            "/codat-connect-7f0af1e07320252a.js",
        ];
        for name in hashed {
            assert!(super::is_hashed_name(name), "{name}");
        }
        for name in ["/assets/embed.js", "/assets/powered-by-codat.svg", "/favicon.svg", "/a-b.css"] {
            assert!(!super::is_hashed_name(name), "{name}");
        }
    }
}
