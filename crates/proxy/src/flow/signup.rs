//! Step 1: sign-up creates the merchant, its Codat company and a session.

use crate::{
    db::{Merchant, SessionExtras},
    error::AppError,
    extract::{AppJson, SignedIn},
    flow::company::ensure_company,
    rate_limit::ClientAddress,
    session::{self, CurrentSession, MaybeSession},
    AppState,
};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    Json,
};
use axum_extra::extract::cookie::CookieJar;
use codat_connect_api::{Session, SignUpRequest, SourceType};

/// `POST /api/signup`: refused when the deployment's sign-up is closed (`SIGN_UP`), and limited
/// per address (`SIGN_UPS_PER_HOUR`): each one creates a Codat company with the lender's key.
pub async fn sign_up(
    State(state): State<AppState>,
    client: ClientAddress,
    MaybeSession(session): MaybeSession,
    jar: CookieJar,
    AppJson(request): AppJson<SignUpRequest>,
) -> Result<(CookieJar, Json<Session>), AppError> {
    if !state.settings.sign_up_open {
        return Err(AppError::SignUpClosed);
    }
    let (business_name, email) = validate(&request)?;
    // A second submit (double click, retry, back button) from a signed-up browser answers the
    // same merchant instead of creating another Codat company.
    if let Some(CurrentSession { merchant, token_hash, .. }) = session {
        if let Some(company_id) = merchant.company_id.clone() {
            let body = session_answer(&state, merchant, company_id, &token_hash, None).await?;
            return Ok((jar, Json(body)));
        }
    }
    state.rate_limits.take_sign_up(client)?;
    let merchant_id = format!("m_{}", uuid::Uuid::new_v4().simple());
    let merchant = Merchant { id: merchant_id.clone(), business_name, email, company_id: None };
    state.db.insert_merchant(&merchant).await?;
    let company_id = ensure_company(&state, &merchant_id, &merchant.business_name).await?;
    let cookie = session::start(&state, &merchant_id, &SessionExtras::default()).await?;
    tracing::info!(merchant = %merchant_id, company = %company_id, "merchant signed up");
    let body = Session {
        merchant_id,
        business_name: merchant.business_name,
        company_id,
        requirements: Default::default(),
        return_url: None,
        opening_key: None,
        opening_name: None,
        opening_kind: None,
        opening_desktop_only: false,
        documented: Vec::new(),
        documents_sent: Vec::new(),
    };
    Ok((jar.add(cookie), Json(body)))
}

/// `POST /api/logout`: ends the request's session (its event streams close) and, standalone,
/// removes the cookie. Answers 204 whether or not a session was live.
pub async fn log_out(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), AppError> {
    if let Some(session) = session {
        session::end(&state, &session.token_hash).await?;
        tracing::info!(merchant = %session.merchant.id, "signed out");
    }
    Ok((jar.add(session::removal_cookie(&state)), StatusCode::NO_CONTENT))
}

/// `GET /api/session`'s query.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SessionQuery {
    /// A platform the host page asks the page to open at (`embed.js`'s `platform`), in place
    /// of the session's own.
    #[serde(default)]
    pub platform: Option<String>,
}

/// `GET /api/session`: the session's merchant, or 204 when the request presents no session (a
/// first visit, asked by the sign-up page, is not an error).
pub async fn current(
    State(state): State<AppState>,
    Query(query): Query<SessionQuery>,
    signed_in: Option<SignedIn>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse as _;
    let Some(SignedIn { merchant, company_id, token_hash }) = signed_in else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let session = session_answer(&state, merchant, company_id, &token_hash, query.platform).await?;
    Ok(Json(session).into_response())
}

/// What the page is told of a session: its merchant, the lender's requirements, and what the
/// session carries (the return URL, the platform to open at; its featured platforms come first
/// in the grids the server sends).
async fn session_answer(
    state: &AppState,
    merchant: Merchant,
    company_id: String,
    token_hash: &str,
    asked: Option<String>,
) -> Result<Session, AppError> {
    let mut requirements = crate::lender::requirements_of(state, &merchant.id).await?;
    if state.settings.documents_platform.is_none() {
        // Nowhere to send them: the page offers none.
        requirements.documents_instead.clear();
    }
    let documents = match requirements.documents_instead.is_empty() {
        true => Vec::new(),
        false => state.db.documents(&merchant.id).await?,
    };
    let documented = crate::lender::readiness::documented(&documents);
    let extras = state.db.session_extras(token_hash).await?;
    let opening_key = asked.or(extras.opening_platform);
    let opening = match &opening_key {
        Some(key) => opening_platform(state, &merchant.id, key).await?,
        None => None,
    };
    let (opening_name, opening_kind) = opening.unzip();
    let opening_key = opening_name.is_some().then_some(opening_key).flatten();
    let opening_desktop_only = opening_key.as_deref().is_some_and(crate::flow::integrations::is_desktop_only);
    Ok(Session {
        merchant_id: merchant.id,
        business_name: merchant.business_name,
        company_id,
        requirements,
        return_url: extras.return_url,
        opening_key,
        opening_name,
        opening_kind,
        opening_desktop_only,
        documented,
        documents_sent: documents.into_iter().map(|document| document.name).collect(),
    })
}

/// The name and kind of the platform with Codat key `key`, from the grids, unless the
/// business has it linked already or no grid offers it (the page then opens at the grid).
async fn opening_platform(
    state: &AppState,
    merchant_id: &str,
    key: &str,
) -> Result<Option<(String, SourceType)>, AppError> {
    let linked = state.db.merchant_connections(merchant_id).await?;
    if linked
        .iter()
        .any(|c| c.platform_key.as_deref() == Some(key) && c.status == codat::ConnectionStatus::Linked)
    {
        return Ok(None);
    }
    crate::flow::integrations::offered_platform(state, key).await
}

/// The trimmed name and email, or the problem in words and as a code the page translates.
fn validate(request: &SignUpRequest) -> Result<(String, String), AppError> {
    request
        .checked()
        .map_err(|problem| AppError::Invalid { code: problem.code(), message: problem.message() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: &str, email: &str) -> SignUpRequest {
        SignUpRequest { business_name: name.into(), email: email.into() }
    }

    #[test]
    fn names_and_emails_are_trimmed() {
        let (name, email) = validate(&request("  Acme Ltd ", " owner@acme.test ")).unwrap();
        assert_eq!((name.as_str(), email.as_str()), ("Acme Ltd", "owner@acme.test"));
    }

    #[test]
    fn empty_names_and_implausible_emails_are_refused() {
        assert!(validate(&request(" ", "owner@acme.test")).is_err());
        for email in ["", "owner", "owner@", "@acme.test", "owner@acme", "own er@acme.test", "o@.test"] {
            assert!(validate(&request("Acme", email)).is_err(), "{email}");
        }
    }
}
