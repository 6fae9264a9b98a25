//! Browser-facing defences: security headers with a per-response CSP nonce, and a CSRF check
//! on every state-changing API request.

use crate::error::AppError;
use crate::AppState;
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use codat_connect_api::CSRF_HEADER;

/// A fresh nonce for one response's scripts.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Adds the nonce to the request (for the page handler) and the security headers to the response.
pub async fn security_headers(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let nonce = new_nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if can_be_a_page(headers) {
        let csp = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self'; font-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {}",
            state.settings.frame_ancestors
        );
        if let Ok(value) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    response
}

/// Whether a browser could show this answer as a document of its own (HTML, SVG, text, or a
/// type not said), which its policy then governs. A script, stylesheet, wasm module, JSON answer
/// or event stream runs under the policy of the page that asked for it, never its own: on a
/// phone's link each copy of the policy would be 300 bytes of headers for nothing, on every
/// request of the first view. `nosniff` keeps each of them from being read as anything else.
fn can_be_a_page(headers: &axum::http::HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()) else {
        return true;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    !matches!(
        essence,
        "application/json"
            | "application/wasm"
            | "text/css"
            | "text/javascript"
            | "application/javascript"
            | "text/event-stream"
    )
}

/// Refuses state-changing requests that a cross-site page could have sent: they must carry the
/// custom header (which a form or a simple cross-origin request cannot set) and must not be
/// marked cross-site by the browser.
pub async fn require_same_site(request: Request, next: Next) -> Response {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let has_header = request.headers().contains_key(CSRF_HEADER);
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site");
    if changes_state && (!has_header || cross_site) {
        return AppError::CrossSite.into_response();
    }
    next.run(request).await
}

/// Whether a form post came from another site than this server's own pages (login CSRF: a
/// foreign page posting its own one-time link would sign the visitor's browser into another
/// merchant). Fetch Metadata first (anything but `same-origin`, or `none` for what the person
/// did themselves, is foreign), then an `Origin` other than `public_url`'s.
pub fn is_foreign_form_post(headers: &axum::http::HeaderMap, public_url: &str) -> bool {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let foreign_fetch = text("sec-fetch-site").is_some_and(|site| !matches!(site, "same-origin" | "none"));
    let foreign_origin = text(header::ORIGIN.as_str()).is_some_and(|origin| {
        let ours = url::Url::parse(public_url).map(|url| url.origin().ascii_serialization());
        ours.map_or(true, |ours| origin != ours)
    });
    foreign_fetch || foreign_origin
}

/// 144 random bits in base64url: letters, digits, `-` and `_` only, so the nonce can stand
/// unquoted in the minified `index.html` (`nonce=...`) and is still a CSP `base64-value`.
fn new_nonce() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
