//! "Someone else handles our books": the owner names the person (an accountant, a bookkeeper)
//! and may add a note; the server makes a one-time link to this merchant's flow that carries the
//! hand-off into the session it starts, so the person links in their own name (their consent
//! receipts say it came through the hand-off) and the owner's page and the lender's events
//! follow as for the owner's own links.

use crate::{
    db::SessionExtras,
    error::AppError,
    extract::{AppJson, SignedIn},
    facts::MadeLink,
    flow::link_start::{NewLink, LINK_LIFETIME},
    AppState,
};
use axum::{extract::State, Json};
use codat_connect_api::{lender_events::HandoffRequestedEvent, HandoffRequest, OneTimeLink};

/// Longest name of the person handed to.
const MAX_PERSON: usize = 80;
/// Longest note to them.
const MAX_NOTE: usize = 300;

/// `POST /api/handoffs`: a one-time link for the person the owner names, good for a day, shown
/// to the owner to share and sent to the lender with `merchant.handoff_requested` (to e-mail).
/// Who may call it: the owner's session (cookie or bearer token, with the CSRF header every change
/// needs), a few times an hour, shared with the links to continue on a computer. What binds the
/// link: its own code, made here, stored only as a hash, used once; the lender may revoke it.
/// A session a hand-off started cannot hand off again.
pub async fn request(
    State(state): State<AppState>,
    signed_in: SignedIn,
    AppJson(request): AppJson<HandoffRequest>,
) -> Result<Json<OneTimeLink>, AppError> {
    let person = request.person.split_whitespace().collect::<Vec<_>>().join(" ");
    let note = request.note.as_deref().map(str::trim).filter(|note| !note.is_empty());
    if person.is_empty() || person.chars().count() > MAX_PERSON {
        return Err(AppError::BadRequest(format!("person is 1 to {MAX_PERSON} characters.")));
    }
    if note.is_some_and(|note| note.chars().count() > MAX_NOTE) {
        return Err(AppError::BadRequest(format!("note is at most {MAX_NOTE} characters.")));
    }
    let session_extras = state.db.session_extras(&signed_in.token_hash).await?;
    if session_extras.handoff_id.is_some() {
        return Err(AppError::BadRequest("A hand-off's own session cannot hand off again.".into()));
    }
    state.rate_limits.take_handoff_link(&signed_in.token_hash)?;
    let handoff_id = format!("hof_{}", uuid::Uuid::new_v4().simple());
    let extras =
        SessionExtras { handoff_id: Some(handoff_id.clone()), opening_platform: None, ..session_extras };
    let NewLink { code_hash, url, expires_at } = NewLink::make(&state);
    let event = HandoffRequestedEvent {
        merchant_id: signed_in.merchant.id.clone(),
        company_id: Some(signed_in.company_id.clone()),
        handoff_id,
        person,
        note: note.map(str::to_owned),
        link: url.clone(),
        expires_at,
    };
    let link = MadeLink { code_hash: &code_hash, extras: &extras, lifetime: LINK_LIFETIME };
    crate::facts::handoff_requested(&state, &signed_in.merchant.id, link, event).await?;
    Ok(Json(OneTimeLink { url }))
}

/// The person a hand-off in force named, when its link started this session (who agrees to
/// the terms in this session, for the consent receipt).
pub async fn person_of_session(state: &AppState, token_hash: &str) -> Result<Option<String>, AppError> {
    match state.db.session_extras(token_hash).await?.handoff_id {
        Some(id) => Ok(state.db.handoff_person(&id).await?),
        None => Ok(None),
    }
}
