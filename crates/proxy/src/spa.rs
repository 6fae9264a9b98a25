//! Serves the built web app: hashed assets as files, every other path as `index.html` with a
//! fresh CSP nonce on its scripts.

use crate::{first_view, security::CspNonce, AppState};
use axum::{
    extract::{Request, State},
    http::{header, request::Parts, HeaderValue, StatusCode},
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
    request: Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let status = if pages::page(&path).is_some() || path == "/index.html" {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let Some(html) = state.settings.index_html.as_deref() else {
        return (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response();
    };
    let html = html.replace(NONCE_PLACEHOLDER, &nonce);
    if path == pages::CONNECT && parts.method == axum::http::Method::GET {
        // The answers go at the start of the body (or, in a page without one, at its end).
        let split = html.find("<body>").map_or(html.len(), |at| at + "<body>".len());
        return picker_page(state, &mut parts, html, split).await;
    }
    // Asked again each time: each answer has its own nonce.
    (status, [(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

/// The picker's page with its first view's answers ([`first_view`]): the document up to
/// `<body>` at once, the answers and the rest when they are ready.
async fn picker_page(state: AppState, parts: &mut Parts, html: String, split_at: usize) -> Response {
    let encoding = crate::web_app::Encoding::best_accepted(&parts.headers);
    let signed_in = crate::session::presents_session(parts, &state);
    let mut rest = html;
    let head = rest.drain(..split_at).collect::<String>();
    let mut parts = parts.clone();
    let answers = async move {
        let answers = first_view::answers(&state, &mut parts).await;
        format!("{}{rest}", first_view::element(pages::CONNECT, &answers))
    };
    let body = first_view::two_part_body(encoding, head, answers);
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // An owner's own data is in it: no cache may keep it.
    let rule = if signed_in { "no-store" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(rule));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding, cookie"));
    if let Some(encoding) = encoding.header() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// Any path no route took: one of the app's files (its hashed assets, `assets/embed.js`), else
/// the app itself with the status [`index`] gives it.
pub async fn file_or_index(
    State(state): State<AppState>,
    nonce: Extension<CspNonce>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    match state.settings.web_app.file(&parts).await {
        Some(file) => file,
        None => index(State(state), nonce, Request::from_parts(parts, body)).await,
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

/// The app's `index.html` as this server sends it: with the lender's words (`TEXT_OVERRIDES`,
/// checked here) and, without `THEME_CSS`, no link to the theme; `None` when the app is not built.
pub fn prepared_index(
    web_app: &crate::web_app::WebApp,
    config: &crate::config::Config,
) -> anyhow::Result<Option<String>> {
    use anyhow::Context as _;
    let overrides = match &config.text_overrides {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read TEXT_OVERRIDES {}", path.display()))?;
            Some(crate::texts::checked(&json)?)
        }
        None => None,
    };
    let Some(html) = web_app.index_html() else {
        tracing::warn!(
            dist = %web_app.describe(),
            "the web app is not built (`cargo xtask dist` embeds it); only the API is served"
        );
        return Ok(None);
    };
    let html = match &overrides {
        Some(overrides) => crate::texts::into_index(&html, overrides),
        None => html,
    };
    Ok(Some(if config.theme_css.is_some() { html } else { without_theme_link(&html) }))
}

/// `index.html` without its link to `/theme.css`, for a server with no `THEME_CSS`: a phone
/// would otherwise spend a request and its headers on an empty stylesheet in the first view.
/// The link is found in trunk's minified form and in the source's; a page without it is kept.
pub fn without_theme_link(html: &str) -> String {
    let Some(at) = html.find("/theme.css") else { return html.to_owned() };
    let (Some(start), Some(length)) = (html[..at].rfind("<link"), html[at..].find('>')) else {
        return html.to_owned();
    };
    let end = at + length + 1;
    if html[start..end].contains("stylesheet") {
        format!("{}{}", &html[..start], &html[end..])
    } else {
        html.to_owned()
    }
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
    use super::without_theme_link;

    #[test]
    fn the_theme_link_goes_in_either_form_and_nothing_else_does() {
        let minified =
            "<link href=/app-1.css rel=stylesheet><link href=/theme.css rel=stylesheet><link rel=icon>";
        assert_eq!(without_theme_link(minified), "<link href=/app-1.css rel=stylesheet><link rel=icon>");
        let source = "<head>\n    <link rel=\"stylesheet\" href=\"/theme.css\">\n</head>";
        assert_eq!(without_theme_link(source), "<head>\n    \n</head>");
        let no_link = "<p>Set /theme.css in THEME_CSS</p>";
        assert_eq!(without_theme_link(no_link), no_link);
    }

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
