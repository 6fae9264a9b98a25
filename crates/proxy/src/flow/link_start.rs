//! A flow delivered by link (`POST /v1/sessions` with `"delivery": "link"`): a one-time URL the
//! lender sends by e-mail or SMS, or its page sends the whole tab to. Opening it
//! (`GET /start/{code}`) shows a page with one button; pressing it (`POST /start/{code}`) uses the
//! link, starts a session in that browser and shows the platforms in a full page. The link is
//! not used by merely being fetched, since e-mail scanners open links before people do. "Done"
//! sends the owner to the lender's `returnUrl` with the outcome.

use crate::{
    db::SessionExtras,
    error::AppError,
    extract::{AppJson, SignedIn},
    session, AppState,
};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap},
    response::{Html, IntoResponse, Redirect, Response},
    Json,
};
use axum_extra::extract::CookieJar;
use codat_connect_api::{lender_events::ContinueOnComputerEvent, pages, ContinueElsewhere, OneTimeLink};
use std::time::Duration;

/// How long a link may wait to be opened.
pub const LINK_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A new link for the merchant, returning to `return_url` and carrying `wishes` (the grid's
/// featured platforms and the one to open at) into the session it starts: the URL to send.
pub async fn issue(
    state: &AppState,
    merchant_id: &str,
    return_url: &str,
    wishes: SessionExtras,
) -> Result<String, AppError> {
    let extras = SessionExtras { return_url: Some(checked_return_url(state, return_url)?), ..wishes };
    let link = NewLink::make(state);
    state.db.insert_link_start(&link.code_hash, merchant_id, &extras, LINK_LIFETIME).await?;
    Ok(link.url)
}

/// A new one-time link, before it is stored: its code's hash (all that is stored), the URL that
/// carries the code, and when it stops working.
pub struct NewLink {
    /// SHA-256 of the code.
    pub code_hash: String,
    /// `{PUBLIC_URL}/start/{code}`.
    pub url: String,
    /// When it stops working (RFC 3339), [`LINK_LIFETIME`] from now.
    pub expires_at: String,
}

impl NewLink {
    /// A fresh random code and its link on this server.
    pub fn make(state: &AppState) -> Self {
        let code = session::new_token();
        Self {
            code_hash: session::hash_secret(&code),
            url: format!("{}/start/{code}", state.settings.public_url),
            expires_at: crate::db::rfc3339(crate::db::unix_now() + LINK_LIFETIME.as_secs() as i64),
        }
    }
}

/// `POST /api/continue-elsewhere`: a one-time link that opens this merchant's flow at a
/// desktop-only platform, for the computer it is installed on (an owner on a phone copies it, and
/// the lender hears `merchant.continue_on_computer` with it, to e-mail). Who may call it: the
/// owner's session (cookie or bearer token, with the CSRF header every change needs), a few
/// times an hour. What binds the link: its own code, made here, stored only as a hash, used once
/// within a day; the session it starts carries this session's return URL and featured platforms.
pub async fn continue_elsewhere(
    State(state): State<AppState>,
    signed_in: SignedIn,
    AppJson(request): AppJson<ContinueElsewhere>,
) -> Result<Json<OneTimeLink>, AppError> {
    let key = request.platform_key.trim();
    let offered = crate::flow::integrations::offered_platform(&state, key).await?;
    let Some((platform_name, _)) = offered.filter(|_| crate::flow::integrations::is_desktop_only(key)) else {
        return Err(AppError::BadRequest(
            "Only a platform that connects from its own computer is continued there.".into(),
        ));
    };
    state.rate_limits.take_handoff_link(&signed_in.token_hash)?;
    let session_extras = state.db.session_extras(&signed_in.token_hash).await?;
    let extras = SessionExtras { opening_platform: Some(key.to_owned()), ..session_extras };
    let NewLink { code_hash, url, expires_at } = NewLink::make(&state);
    let event = ContinueOnComputerEvent {
        merchant_id: signed_in.merchant.id.clone(),
        company_id: Some(signed_in.company_id.clone()),
        platform_key: key.to_owned(),
        platform_name,
        link: url.clone(),
        expires_at,
    };
    let link = crate::facts::MadeLink { code_hash: &code_hash, extras: &extras, lifetime: LINK_LIFETIME };
    crate::facts::continue_on_computer(&state, &signed_in.merchant.id, link, event).await?;
    Ok(Json(OneTimeLink { url }))
}

/// A return URL on one of the lender's own origins (`FRAME_ANCESTORS`): the flow never sends an
/// owner anywhere else.
fn checked_return_url(state: &AppState, text: &str) -> Result<String, AppError> {
    let refused = || {
        AppError::BadRequest(
            "returnUrl is an http(s) URL on one of the lender's origins (FRAME_ANCESTORS).".into(),
        )
    };
    let url = url::Url::parse(text.trim()).map_err(|_| refused())?;
    let origin = url.origin().ascii_serialization();
    let allowed = matches!(url.scheme(), "https" | "http")
        && state
            .settings
            .frame_ancestors
            .split_whitespace()
            .any(|source| source.trim_end_matches('/') == origin);
    if !allowed {
        return Err(refused());
    }
    Ok(url.to_string())
}

/// `GET /start/{code}`: a page with one button that opens the flow (a form posting to the same
/// address), in the app's own style, in English or French as the browser prefers. Fetching it
/// uses nothing up.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, Path(code): Path<String>) -> Response {
    let french = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|languages| languages.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("fr"));
    let (lang, title, text, button) = if french {
        (
            "fr-CA",
            "Partagez vos données financières",
            "Votre prêteur vous invite à connecter les plateformes de votre entreprise. Ce lien ne sert qu'une fois.",
            "Continuer",
        )
    } else {
        (
            "en",
            "Share your financial data",
            "Your lender invites you to connect your business's platforms. This link works once.",
            "Continue",
        )
    };
    let stylesheet = state
        .settings
        .index_html
        .as_deref()
        .and_then(|html| {
            let start = html.find("href=/app-")? + "href=".len();
            let end = start + html[start..].find(".css")? + ".css".len();
            Some(format!(r#"<link rel="stylesheet" href="{}">"#, &html[start..end]))
        })
        .unwrap_or_default();
    let theme =
        if state.settings.theme_css.is_some() { r#"<link rel="stylesheet" href="/theme.css">"# } else { "" };
    // The code is URL-safe base64 (letters, digits, '-', '_'): nothing else is written back.
    let code: String =
        code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect();
    let html = format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · Codat Connect</title>{stylesheet}{theme}</head><body><header class="app-header"><span class="brand">Codat Connect</span></header><main class="app-main"><section class="panel narrow"><h1>{title}</h1><p class="lead">{text}</p><form method="post" action="/start/{code}"><button type="submit" class="button primary">{button}</button></form></section></main></body></html>"#
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// `POST /start/{code}`: uses the link once, starts a session in this browser and shows the
/// platforms; a link already used or expired leads to a page that says so. Only the link's own
/// page may post it: a post from another site is refused and uses nothing up.
pub async fn open(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    if crate::security::is_foreign_form_post(&headers, &state.settings.public_url) {
        return Err(AppError::CrossSite);
    }
    let Some((merchant_id, extras)) = state.db.use_link_start(&session::hash_secret(code.trim())).await?
    else {
        return Ok(Redirect::to(&format!("{}?problem=link", pages::SIGN_UP)).into_response());
    };
    let cookie = session::start(&state, &merchant_id, &extras).await?;
    Ok((jar.add(cookie), Redirect::to(pages::CONNECT)).into_response())
}
