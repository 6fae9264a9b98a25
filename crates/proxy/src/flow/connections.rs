//! Steps 3 to 5: start a connection, confirm it after the redirect, list the merchant's.

use crate::{
    connections_cache::StoredRecords,
    db::{NewPendingLink, NewReceipt},
    error::AppError,
    extract::{AppJson, SignedIn},
    facts::{self, Cause},
    flow::wire,
    AppState,
};
use axum::{
    extract::{Path, State},
    Json,
};
use codat_connect_api::{
    ConnectRequest, ConnectStarted, Connection, ConnectionStatus, Requirement, Requirements, SourceType,
};

/// `POST /api/connections`: creates a connection and answers its Link URL. A platform the
/// business already has a connection to that waits for authorization or lost its access is
/// continued (that connection's Link URL) rather than connected a second time.
pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    AppJson(request): AppJson<ConnectRequest>,
) -> Result<Json<ConnectStarted>, AppError> {
    let key = request.platform_key.trim();
    if key.len() != 4 || !key.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(AppError::BadRequest("A platform key is four lower-case letters, such as gbol.".into()));
    }
    let kind = kind_of_platform(&state, &signed_in.merchant.id, key).await?;
    let (terms, text_hash) = crate::flow::consent::check(&state, kind, request.consent.as_ref()).await?;
    let company_id = &signed_in.company_id;
    let connection = match super::starting::continued(&state, &signed_in, key).await? {
        Some(connection) => Ok(connection),
        None => state.codat.create_connection(company_id, key).await,
    };
    let connection = match connection {
        Err(refusal) if refusal.status() == Some(axum::http::StatusCode::BAD_REQUEST) => {
            super::starting::make_room_for(&state, company_id, key, refusal).await?;
            state.codat.create_connection(company_id, key).await?
        }
        answer => answer?,
    };
    let data_types = serde_json::to_string(&terms.data_types).unwrap_or_else(|_| "[]".to_owned());
    let handoff_person = crate::flow::handoff::person_of_session(&state, &signed_in.token_hash).await?;
    let receipt = NewReceipt {
        merchant_id: &signed_in.merchant.id,
        connection_id: &connection.id,
        platform_key: key,
        platform_name: &connection.platform_name,
        source_type: kind.as_str(),
        locale: &terms.locale,
        version: &terms.version,
        text_hash: &text_hash,
        data_types: &data_types,
        handoff_person: handoff_person.as_deref(),
    };
    facts::connection_started(&state, &signed_in.merchant.id, &connection, receipt).await?;
    issue_link(&state, &signed_in, connection).await
}

/// The kind of an enabled platform (from the grids); none of a kind the lender hid from this
/// merchant is connected.
async fn kind_of_platform(
    state: &AppState,
    merchant_id: &str,
    platform_key: &str,
) -> Result<SourceType, AppError> {
    let requirements = crate::lender::requirements_of(state, merchant_id).await?;
    for kind in Requirements::KINDS {
        let grid = state.integrations.grid(state, kind).await?;
        if grid.iter().any(|card| card.platform_key == platform_key) {
            if requirements.of(kind) == Requirement::Hidden {
                return Err(AppError::BadRequest(
                    "Your lender does not ask for this kind of platform.".into(),
                ));
            }
            return Ok(kind);
        }
    }
    Err(AppError::NotFound("There is no enabled platform with that key.".into()))
}

/// `GET /api/connections`
pub async fn list(
    State(state): State<AppState>,
    SignedIn { merchant, company_id, .. }: SignedIn,
) -> Result<Json<Vec<Connection>>, AppError> {
    // Codat and the store asked at once: what is stored decides whether anything is written.
    let (connections, stored) = tokio::try_join!(
        async { state.codat.list_connections(&company_id).await.map_err(AppError::from) },
        stored_records(&state, &merchant.id),
    )?;
    let StoredRecords { connections: stored, mut receipts } = stored;
    facts::connections_seen_against(&state, &merchant.id, &connections, &stored, Cause::Page).await?;
    let mut shown = Vec::with_capacity(connections.len());
    // The file upload connection documents go through is no platform the owner linked: the
    // page lists the documents themselves.
    let documents_platform = state.settings.documents_platform.as_deref();
    for connection in connections {
        if documents_platform.is_some() && connection.integration_key.as_deref() == documents_platform {
            continue;
        }
        let mut connection = summary(connection);
        if let Some(key) = &connection.platform_key {
            connection.logo_url = state.integrations.known_logo(&state, connection.source_type, key).await;
        }
        let receipt = receipts.iter().position(|r| r.connection_id == connection.id);
        connection.consent = receipt.map(|index| Box::new(receipts.swap_remove(index).receipt()));
        shown.push(connection);
    }
    mark_identity_change(&state, &merchant.id, &mut shown).await?;
    Ok(Json(shown))
}

/// Marks the linked accounting connection with the business the platform named before and now,
/// when the latest read of it named another (`crate::identity`).
async fn mark_identity_change(
    state: &AppState,
    merchant_id: &str,
    shown: &mut [Connection],
) -> Result<(), AppError> {
    let linked =
        |c: &&mut Connection| c.source_type == SourceType::Accounting && c.status == ConnectionStatus::Linked;
    let Some(connection) = shown.iter_mut().rev().find(linked) else { return Ok(()) };
    if let Some(identity) = state.db.identity(merchant_id).await? {
        if let Some(previous) = identity.previous_name.filter(|_| identity.changed_at.is_some()) {
            let named = |name: String, number: Option<String>| match number {
                Some(number) => format!("{name} ({number})"),
                None => name,
            };
            connection.company_was = Some(named(previous, identity.previous_number));
            connection.company_now = Some(named(identity.company_name, identity.registration_number));
        }
    }
    Ok(())
}

/// The merchant's stored connections and receipts: as this server kept them, or read (both at
/// once) and kept.
async fn stored_records(state: &AppState, merchant_id: &str) -> Result<StoredRecords, AppError> {
    let begun = match state.stored.get(merchant_id) {
        Ok(records) => return Ok(records),
        Err(begun) => begun,
    };
    let (connections, receipts) =
        tokio::try_join!(state.db.merchant_connections(merchant_id), state.db.consent_receipts(merchant_id))?;
    let records = StoredRecords { connections, receipts };
    state.stored.keep(merchant_id, begun, &records);
    Ok(records)
}

/// `GET /api/connections/{id}`: the connection's status as Codat reports it now.
pub async fn get(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(connection_id): Path<String>,
) -> Result<Json<Connection>, AppError> {
    // The lookup is scoped to the merchant's own company, so another merchant's id is unknown.
    let company_id = own_connection(&state, &signed_in, &connection_id).await?;
    let connection = state.codat.get_connection(company_id, &connection_id).await?;
    Ok(Json(summary(connection)))
}

/// `POST /api/connections/{id}/unlink`: stop syncing; data already read is kept.
pub async fn unlink(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(connection_id): Path<String>,
) -> Result<Json<Connection>, AppError> {
    let company_id = own_connection(&state, &signed_in, &connection_id).await?;
    let connection = state.codat.unlink_connection(company_id, &connection_id).await.map_err(not_linked)?;
    facts::connection_unlinked(&state, &signed_in.merchant.id, &connection).await?;
    Ok(Json(summary(connection)))
}

/// `DELETE /api/connections/{id}`: revoke access and delete the data read through it.
pub async fn delete(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(connection_id): Path<String>,
) -> Result<axum::http::StatusCode, AppError> {
    let company_id = own_connection(&state, &signed_in, &connection_id).await?;
    state.codat.delete_connection(company_id, &connection_id).await?;
    facts::connection_removed(&state, &connection_id, Cause::Page).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `POST /api/connections/{id}/link`: a fresh Link URL to finish (`PendingAuth`) or renew
/// (`Deauthorized`, `Unlinked`) the connection. Codat's links can be one-time, so it is fetched
/// at the moment the owner asks for it.
pub async fn link(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(connection_id): Path<String>,
) -> Result<Json<ConnectStarted>, AppError> {
    let company_id = own_connection(&state, &signed_in, &connection_id).await?;
    let connection = state.codat.get_connection(company_id, &connection_id).await?;
    if connection.status == codat::ConnectionStatus::Linked {
        return Err(AppError::BadRequest("This connection is already working.".into()));
    }
    issue_link(&state, &signed_in, connection).await
}

/// How long a return from Link is accepted after the Link URL was handed out.
pub const PENDING_LINK_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Hands the session a connection's Link URL, once its host is known to be Codat's, and
/// records the pending link the owner's return will be checked against. A fresh `state` value
/// is added to the URL too: Codat may copy it into the redirect (`{state}`), and when it does,
/// it must match; when it does not, the pending link alone binds the return to this session.
async fn issue_link(
    state: &AppState,
    session: &SignedIn,
    connection: codat::Connection,
) -> Result<Json<ConnectStarted>, AppError> {
    if !state.is_trusted_link(&connection.link_url) {
        tracing::warn!(link = %connection.link_url, "Codat returned a link to a host not on the allow-list");
        return Err(AppError::UntrustedUpstream("link host not allowed".into()));
    }
    let mut url = url::Url::parse(&connection.link_url)
        .map_err(|_| AppError::UntrustedUpstream("link is not a URL".into()))?;
    let value = crate::session::new_token();
    let state_hash = crate::session::hash_secret(&value);
    state
        .db
        .insert_pending_link(NewPendingLink {
            session_hash: &session.token_hash,
            merchant_id: &session.merchant.id,
            connection_id: &connection.id,
            state_hash: &state_hash,
            lifetime: PENDING_LINK_LIFETIME,
        })
        .await?;
    url.query_pairs_mut().append_pair("state", &value);
    Ok(Json(ConnectStarted { link_url: url.into(), connection: summary(connection) }))
}

/// The merchant's company, once the connection is known to be the merchant's: another
/// merchant's id (or any id we never handed out) is not found, without asking Codat.
async fn own_connection<'a>(
    state: &AppState,
    signed_in: &'a SignedIn,
    connection_id: &str,
) -> Result<&'a str, AppError> {
    let not_found = || AppError::NotFound("There is no such connection.".into());
    if uuid::Uuid::parse_str(connection_id).is_err() {
        return Err(not_found());
    }
    if !state.db.owns_connection(&signed_in.merchant.id, connection_id).await? {
        return Err(not_found());
    }
    Ok(&signed_in.company_id)
}

/// Codat refuses to unlink a connection that is not `Linked`.
fn not_linked(error: codat::CodatError) -> AppError {
    match error.status() {
        Some(axum::http::StatusCode::BAD_REQUEST) => {
            AppError::BadRequest("Only a working connection can be disconnected.".into())
        }
        _ => AppError::Codat(error),
    }
}

/// A Codat connection as the app shows it.
pub fn summary(connection: codat::Connection) -> Connection {
    Connection {
        id: connection.id,
        platform_key: connection.integration_key,
        platform_name: connection.platform_name,
        source_type: wire::source_type(connection.source_type),
        status: wire::connection_status(connection.status),
        created: connection.created,
        last_sync: connection.last_sync,
        logo_url: None,
        consent: None,
        company_was: None,
        company_now: None,
    }
}
