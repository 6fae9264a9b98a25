//! The one writer of a merchant's facts. Each change the server learns of (a connection's
//! status, a data type's read, a removal, consent given or withdrawn, new requirements, a
//! document sent instead of a platform) is one
//! function here that, in **one database transaction** holding the merchant's lock, writes the
//! new state (a conditional write, so two servers, or a webhook and the watcher, seeing the same
//! change store it once), the readiness that follows, the lender's events with their deliveries
//! (the outbox), the funnel's step and the consent receipt, the end of a Link attempt and the
//! platform's health that follows (`crate::platform_health`), and marks the Codat webhook that
//! caused it processed. A process killed between any two statements leaves all of it or none;
//! a webhook then processed again finds its change not yet made, and makes it with its events.
//! Nothing reaches the lender before the commit: the delivery task reads only committed events.
//!
//! Codat's webhooks, the watcher, the page's flow and the lender's API call these; none of them
//! writes those tables itself.

use crate::{
    db::{
        AttemptOutcome, ConnectionFacts, DataRead, LockedMerchant, NewDocument, NewLenderEvent, NewReceipt,
        StoredConnection, StoredIdentity, Tally, Tx, Withdrawal,
    },
    error::AppError,
    lender::readiness::{assess, kind_of_data_type},
    AppState,
};
use codat::ConnectionStatus;
use codat_connect_api::{
    lender_events::{
        CompanyIdentity, ConnectionEvent, ContinueOnComputerEvent, DocumentSentEvent, EventConnection,
        EventConnectionStatus, HandoffRequestedEvent, IdentityChangedEvent, LenderEvent, LenderEventData,
        PlatformHealthEvent, ReadyEvent, SyncCompletedEvent,
    },
    Requirements, SourceType, SyncState,
};

/// What caused a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause<'a> {
    /// The owner's page: a return from Link, unlink, delete, the sync's progress.
    Page,
    /// The watcher's look at Codat.
    Watcher,
    /// The lender's backend (`POST /v1/sessions`).
    Lender,
    /// A stored Codat webhook, by id: marked processed in the same transaction.
    Webhook(&'a str),
    /// The sweep, settling what a stopped server left unfinished.
    Sweep,
}

/// Codat said where some of the merchant's connections stand.
pub async fn connections_seen(
    state: &AppState,
    merchant_id: &str,
    connections: &[codat::Connection],
    cause: Cause<'_>,
) -> Result<(), AppError> {
    // Most looks (every view of the connections list) find what is stored already: a plain
    // read answers them, without the merchant's lock or a commit to disk. A status that differs
    // is written below with the conditional write, which stays the judge across servers.
    if !connections.is_empty() {
        let stored = state.db.merchant_connections(merchant_id).await?;
        if already_stored(&stored, connections) {
            return nothing_changed(state, cause).await;
        }
    }
    record_connections(state, merchant_id, connections, cause).await
}

/// [`connections_seen`] with the merchant's connections as stored read already (alongside the
/// question to Codat, by a page that needs both).
pub async fn connections_seen_against(
    state: &AppState,
    merchant_id: &str,
    connections: &[codat::Connection],
    stored: &[StoredConnection],
    cause: Cause<'_>,
) -> Result<(), AppError> {
    if already_stored(stored, connections) {
        return nothing_changed(state, cause).await;
    }
    record_connections(state, merchant_id, connections, cause).await
}

/// Records each connection in one change (see [`connections_seen`]).
async fn record_connections(
    state: &AppState,
    merchant_id: &str,
    connections: &[codat::Connection],
    cause: Cause<'_>,
) -> Result<(), AppError> {
    let Some(mut change) = Change::begin(state, merchant_id).await? else {
        return nothing_changed(state, cause).await;
    };
    for connection in connections {
        change.record_connection(connection).await?;
    }
    change.reassess().await?;
    change.finish(cause).await
}

/// The owner started a connection, having agreed to the terms in `receipt`.
pub async fn connection_started(
    state: &AppState,
    merchant_id: &str,
    connection: &codat::Connection,
    receipt: NewReceipt<'_>,
) -> Result<(), AppError> {
    let Some(mut change) = Change::begin(state, merchant_id).await? else {
        return Err(AppError::NotSignedIn);
    };
    change.record_connection(connection).await?;
    change.tx.insert_receipt(receipt).await?;
    change.tx.start_link_attempt(&connection.id, merchant_id, receipt.platform_key).await?;
    change.records_changed = true;
    change.reassess().await?;
    change.finish(Cause::Page).await
}

/// The owner unlinked a connection (Codat's answer is `connection`): consent is withdrawn.
pub async fn connection_unlinked(
    state: &AppState,
    merchant_id: &str,
    connection: &codat::Connection,
) -> Result<(), AppError> {
    let Some(mut change) = Change::begin(state, merchant_id).await? else {
        return Err(AppError::NotSignedIn);
    };
    change.record_connection(connection).await?;
    change.tx.withdraw_receipt(&connection.id, Withdrawal::Unlinked).await?;
    change.records_changed = true;
    change.reassess().await?;
    change.finish(Cause::Page).await
}

/// A connection was deleted (by the owner here, or at Codat): forgotten, consent withdrawn, and
/// the lender told, once across servers.
pub async fn connection_removed(
    state: &AppState,
    connection_id: &str,
    cause: Cause<'_>,
) -> Result<(), AppError> {
    let Some(merchant_id) = state.db.connection_owner(connection_id).await? else {
        return nothing_changed(state, cause).await;
    };
    let Some(mut change) = Change::begin(state, &merchant_id).await? else {
        return nothing_changed(state, cause).await;
    };
    change.tx.withdraw_receipt(connection_id, Withdrawal::Removed).await?;
    change.records_changed = true;
    if change.tx.delete_connection(connection_id).await? {
        let connection = EventConnection {
            id: connection_id.to_owned(),
            platform_key: None,
            platform_name: None,
            source_type: None,
            status: EventConnectionStatus::Deleted,
        };
        let event = change.connection_event(connection, true);
        change.emit(LenderEventData::ConnectionUnlinked(event)).await?;
    }
    change.reassess().await?;
    change.finish(cause).await
}

/// Codat said where some of the merchant's data types' reads stand.
pub async fn reads_seen(
    state: &AppState,
    merchant_id: &str,
    reads: &[(String, SyncState)],
    cause: Cause<'_>,
) -> Result<(), AppError> {
    if reads.is_empty() {
        return nothing_changed(state, cause).await;
    }
    // A page following the sync asks often and mostly finds nothing new: a read answers it.
    let stored = state.db.data_reads(merchant_id).await?;
    let known = |(data_type, read): &(String, SyncState)| {
        stored.iter().any(|s| &s.data_type == data_type && s.status == *read)
    };
    if reads.iter().all(known) {
        return nothing_changed(state, cause).await;
    }
    let Some(mut change) = Change::begin(state, merchant_id).await? else {
        return nothing_changed(state, cause).await;
    };
    let mut changed = false;
    for (data_type, read) in reads {
        if !change.tx.record_read(merchant_id, data_type, *read).await? {
            continue;
        }
        changed = true;
        if *read == SyncState::Complete {
            let event = SyncCompletedEvent {
                merchant_id: merchant_id.to_owned(),
                company_id: change.merchant.company_id.clone(),
                data_type: data_type.clone(),
                source_type: kind_of_data_type(data_type),
            };
            change.emit(LenderEventData::SyncCompleted(event)).await?;
        }
    }
    if changed {
        let reads = change.tx.data_reads(merchant_id).await?;
        if reads.iter().all(|read| read.status.is_finished()) {
            change.tx.mark_first_read(merchant_id).await?;
        }
        change.reassess_with(&reads).await?;
    }
    change.finish(cause).await
}

/// The lender set what it needs from the merchant: readiness follows the new requirements.
pub async fn requirements_set(
    state: &AppState,
    merchant_id: &str,
    requirements: &Requirements,
) -> Result<(), AppError> {
    let Some(mut change) = Change::begin(state, merchant_id).await? else {
        return Err(AppError::NotFound("There is no such merchant.".into()));
    };
    // Three enum fields always serialise.
    let text = serde_json::to_string(requirements).unwrap_or_else(|_| "{}".to_owned());
    change.tx.set_requirements(merchant_id, &text).await?;
    change.merchant.requirements = text;
    change.reassess().await?;
    change.finish(Cause::Lender).await
}

/// A one-time link the owner asked for: its code's hash, what the session it starts carries,
/// and how long it may wait.
#[derive(Debug, Clone, Copy)]
pub struct MadeLink<'a> {
    /// SHA-256 of the link's code.
    pub code_hash: &'a str,
    /// What the session it starts carries.
    pub extras: &'a crate::db::SessionExtras,
    /// How long it may wait to be opened.
    pub lifetime: std::time::Duration,
}

/// The owner asked for a link to continue on a computer: the link and the lender's event that
/// hands it on, in one transaction.
pub async fn continue_on_computer(
    state: &AppState,
    merchant_id: &str,
    link: MadeLink<'_>,
    event: ContinueOnComputerEvent,
) -> Result<(), AppError> {
    let Some(mut change) = Change::begin(state, merchant_id).await? else {
        return Err(AppError::NotSignedIn);
    };
    change.tx.insert_link_start(link.code_hash, merchant_id, link.extras, link.lifetime).await?;
    change.emit(LenderEventData::ContinueOnComputer(event)).await?;
    change.finish(Cause::Page).await
}

/// The owner handed the business's linking to someone else: the hand-off, its link (which
/// carries the hand-off's id) and the lender's `merchant.handoff_requested`, in one transaction.
pub async fn handoff_requested(
    state: &AppState,
    merchant_id: &str,
    link: MadeLink<'_>,
    event: HandoffRequestedEvent,
) -> Result<(), AppError> {
    let Some(mut change) = Change::begin(state, merchant_id).await? else {
        return Err(AppError::NotSignedIn);
    };
    let (id, person, note) = (&event.handoff_id, &event.person, event.note.as_deref());
    change.tx.insert_handoff(id, merchant_id, person, note).await?;
    change.tx.insert_link_start(link.code_hash, merchant_id, link.extras, link.lifetime).await?;
    change.emit(LenderEventData::HandoffRequested(event)).await?;
    change.finish(Cause::Page).await
}

/// The owner sent a document instead of linking a platform (Codat took it): recorded, with its
/// upload settled, `merchant.document_sent` and the readiness it brings, in one transaction.
/// From the sweep (`Cause::Sweep`), only an upload still unsettled is recorded, so a document is
/// recorded once whoever gets there first.
pub async fn document_sent(
    state: &AppState,
    merchant_id: &str,
    document: NewDocument<'_>,
    sent: codat_connect_api::SentDocument,
    cause: Cause<'_>,
) -> Result<(), AppError> {
    let Some(mut change) = Change::begin(state, merchant_id).await? else {
        return Err(AppError::NotSignedIn);
    };
    let settled = change.tx.settle_upload(document.id).await?;
    if !settled && cause == Cause::Sweep {
        return change.finish(cause).await;
    }
    change.tx.insert_document(merchant_id, document).await?;
    let documents = change.tx.documents(merchant_id).await?;
    let documents_of_kind = documents.iter().filter(|d| d.kind() == document.kind).count() as i64;
    let event = DocumentSentEvent {
        merchant_id: merchant_id.to_owned(),
        company_id: change.merchant.company_id.clone(),
        document: sent,
        documents_of_kind,
    };
    change.emit(LenderEventData::DocumentSent(event)).await?;
    change.reassess().await?;
    change.finish(cause).await
}

/// Codat's company information named the business at the merchant's accounting platform after
/// the read `read_id` of its `company` data type: stored, and when it names another business
/// than the one stored, kept with the one before it and told to the lender
/// (`merchant.connection.identity_changed`), in one transaction. A read already stored changes
/// nothing.
pub async fn identity_seen(
    state: &AppState,
    merchant_id: &str,
    seen: CompanyIdentity,
    read_id: &str,
) -> Result<(), AppError> {
    let Some(mut change) = Change::begin(state, merchant_id).await? else { return Ok(()) };
    let stored = change.tx.identity(merchant_id).await?;
    let now = crate::db::unix_now();
    let identity = match stored {
        Some(stored) if stored.read_id == read_id => return change.finish(Cause::Watcher).await,
        Some(stored)
            if stored.company_name != seen.company_name
                || stored.registration_number != seen.registration_number =>
        {
            // The accounting connection it was read through: the linked one, else the latest (its
            // status may not be stored yet when the read is seen first).
            let connections = change.tx.merchant_connections(merchant_id).await?;
            let accounting = || connections.iter().rev().filter(|c| c.kind() == SourceType::Accounting);
            let linked =
                accounting().find(|c| c.status == ConnectionStatus::Linked).or_else(|| accounting().next());
            let previous = CompanyIdentity {
                company_name: stored.company_name,
                registration_number: stored.registration_number,
            };
            let event = IdentityChangedEvent {
                merchant_id: merchant_id.to_owned(),
                company_id: change.merchant.company_id.clone(),
                connection_id: linked.map(|c| c.id.clone()),
                previous: previous.clone(),
                current: seen.clone(),
            };
            change.emit(LenderEventData::IdentityChanged(event)).await?;
            // The owner's list of connections shows it.
            change.records_changed = true;
            StoredIdentity {
                previous_name: Some(previous.company_name),
                previous_number: previous.registration_number,
                changed_at: Some(now),
                ..StoredIdentity::of(seen, read_id)
            }
        }
        // The same business read again: an earlier change stays on record.
        Some(stored) => StoredIdentity { read_id: read_id.to_owned(), ..stored },
        None => StoredIdentity::of(seen, read_id),
    };
    change.tx.store_identity(merchant_id, &identity, now).await?;
    change.finish(Cause::Watcher).await
}

/// The lender revoked a hand-off: its unused link and the sessions it started go, in one
/// transaction. The ended sessions' token hashes (their streams close after the commit); `None`
/// when there was no such hand-off in force.
pub async fn handoff_revoked(
    state: &AppState,
    merchant_id: &str,
    handoff_id: &str,
) -> Result<Option<Vec<String>>, AppError> {
    let Some(mut change) = Change::begin(state, merchant_id).await? else {
        return Ok(None);
    };
    let ended = change.tx.revoke_handoff(merchant_id, handoff_id).await?;
    change.finish(Cause::Lender).await?;
    Ok(ended)
}

/// Rejudges the platforms judged degraded, whose failures age out of the hour counted: each that
/// recovers is written with its `platform.recovered` event, once across servers.
pub async fn platforms_rejudged(state: &AppState) -> Result<(), AppError> {
    for platform_key in state.db.degraded_platforms().await? {
        let described = crate::flow::integrations::offered_platform(state, &platform_key).await?;
        let mut tx = state.db.begin().await?;
        let judged =
            crate::platform_health::rejudge(&mut tx, &platform_key, state.settings.degraded_after).await?;
        if let Some((degraded, tally)) = judged {
            let health = health_event(&platform_key, described, tally);
            store_event(state, &mut tx, &ordering_key(&platform_key), health_change(degraded, health))
                .await?;
        }
        tx.commit().await?;
        if judged.is_some() {
            state.degraded_platforms.forget();
            state.lender_outbox.notify_one();
        }
    }
    Ok(())
}

/// A cause that changed nothing: a webhook about no merchant of ours is still processed.
pub async fn nothing_changed(state: &AppState, cause: Cause<'_>) -> Result<(), AppError> {
    if let Cause::Webhook(id) = cause {
        state.db.mark_webhook_processed(id).await?;
    }
    Ok(())
}

/// Whether every connection Codat gave is stored as the merchant's with the same status, so
/// that recording them would change nothing (and readiness, which follows from what is stored,
/// neither).
/// A connection whose open Link attempt Codat now shows failed is not stored yet either.
fn already_stored(stored: &[StoredConnection], connections: &[codat::Connection]) -> bool {
    let now = crate::db::unix_now();
    connections.iter().all(|connection| {
        let failed = crate::platform_health::failed_at(connection, now);
        stored.iter().any(|known| {
            let attempt_failed =
                matches!((known.attempt_started_at, failed), (Some(start), Some(at)) if at >= start);
            known.id == connection.id && known.status == connection.status && !attempt_failed
        })
    })
}

/// The events of one platform are delivered in order among themselves (merchant ids cannot hold
/// a colon, so this key is no merchant's).
fn ordering_key(platform_key: &str) -> String {
    format!("platform:{platform_key}")
}

fn health_event(
    platform_key: &str,
    described: Option<(String, SourceType)>,
    tally: Tally,
) -> PlatformHealthEvent {
    let (platform_name, source_type) =
        described.map_or((None, None), |(name, kind)| (Some(name), Some(kind)));
    PlatformHealthEvent {
        platform_key: platform_key.to_owned(),
        platform_name,
        source_type,
        failed_businesses: tally.failed,
        linked_businesses: tally.linked,
    }
}

fn health_change(degraded: bool, event: PlatformHealthEvent) -> LenderEventData {
    if degraded {
        LenderEventData::PlatformDegraded(event)
    } else {
        LenderEventData::PlatformRecovered(event)
    }
}

/// Stores an event with a delivery to each of the lender's endpoints, in the transaction; events
/// with one `ordering_key` are delivered in the order stored.
async fn store_event(
    state: &AppState,
    tx: &mut Tx,
    ordering_key: &str,
    event: LenderEventData,
) -> Result<(), AppError> {
    let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    let event_type = event.event_type();
    let timestamp = crate::db::rfc3339(crate::db::unix_now());
    let body = serde_json::to_string(&LenderEvent { event, timestamp })
        .map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    let deliveries: Vec<(String, String)> = state
        .settings
        .lender_endpoints
        .iter()
        .map(|endpoint| (crate::lender::new_delivery_id(), endpoint.url.clone()))
        .collect();
    let stored = NewLenderEvent { id: &id, merchant_id: ordering_key, event_type, body: &body };
    tx.enqueue_lender_event(stored, &deliveries, crate::db::unix_now_ms()).await?;
    tracing::info!(%ordering_key, %event_type, %id, "event for the lender stored");
    Ok(())
}

/// One change in the making: a transaction holding the merchant's lock.
struct Change<'s> {
    state: &'s AppState,
    tx: Tx,
    merchant_id: String,
    merchant: LockedMerchant,
    events: usize,
    /// Whether a connection or a consent receipt was written: servers then forget what they
    /// kept of them ([`crate::connections_cache`]).
    records_changed: bool,
    /// Platforms whose Link attempt ended in this change, with the name and kind Codat gave:
    /// their health is judged again before the commit.
    attempts_ended: Vec<(String, String, SourceType)>,
    /// Whether a platform's health was judged anew.
    health_changed: bool,
}

impl<'s> Change<'s> {
    /// Opens the transaction and locks the merchant; `None` when there is no such merchant.
    async fn begin(state: &'s AppState, merchant_id: &str) -> Result<Option<Self>, AppError> {
        let mut tx = state.db.begin().await?;
        let Some(merchant) = tx.lock_merchant(merchant_id).await? else { return Ok(None) };
        Ok(Some(Self {
            state,
            tx,
            merchant_id: merchant_id.to_owned(),
            merchant,
            events: 0,
            records_changed: false,
            attempts_ended: Vec::new(),
            health_changed: false,
        }))
    }

    /// Stores a connection as Codat gave it and, when its status changed to one the lender
    /// hears of, the event.
    async fn record_connection(&mut self, connection: &codat::Connection) -> Result<(), AppError> {
        self.end_attempt(connection).await?;
        if !self.tx.upsert_connection(&self.merchant_id, ConnectionFacts::of(connection)).await? {
            return Ok(());
        }
        self.records_changed = true;
        let (status, wrap): (_, fn(ConnectionEvent) -> LenderEventData) = match connection.status {
            ConnectionStatus::Linked => (EventConnectionStatus::Linked, LenderEventData::ConnectionLinked),
            ConnectionStatus::Unlinked => {
                (EventConnectionStatus::Unlinked, LenderEventData::ConnectionUnlinked)
            }
            ConnectionStatus::Deauthorized => {
                (EventConnectionStatus::Deauthorized, LenderEventData::ConnectionNeedsReauth)
            }
            ConnectionStatus::PendingAuth | ConnectionStatus::Unknown => return Ok(()),
        };
        let described = EventConnection {
            id: connection.id.clone(),
            platform_key: connection.integration_key.clone(),
            platform_name: Some(connection.platform_name.clone()),
            source_type: Some(crate::flow::wire::source_type(connection.source_type)),
            status,
        };
        let event = self.connection_event(described, false);
        self.emit(wrap(event)).await
    }

    /// Ends the connection's Link attempt when Codat shows it linked or failed at the platform.
    async fn end_attempt(&mut self, connection: &codat::Connection) -> Result<(), AppError> {
        let now = crate::db::unix_now();
        let (outcome, at) = match (connection.status, crate::platform_health::failed_at(connection, now)) {
            (codat::ConnectionStatus::Linked, _) => (AttemptOutcome::Linked, now),
            (_, Some(at)) => (AttemptOutcome::Failed, at),
            (_, None) => return Ok(()),
        };
        if let Some(platform_key) = self.tx.end_link_attempt(&connection.id, outcome, at).await? {
            self.records_changed = true;
            let kind = crate::flow::wire::source_type(connection.source_type);
            self.attempts_ended.push((platform_key, connection.platform_name.clone(), kind));
        }
        Ok(())
    }

    /// Judges again the health of each platform whose attempt ended, with its event.
    async fn rejudge_platforms(&mut self) -> Result<(), AppError> {
        for (platform_key, name, kind) in std::mem::take(&mut self.attempts_ended) {
            let degraded_after = self.state.settings.degraded_after;
            let Some((degraded, tally)) =
                crate::platform_health::rejudge(&mut self.tx, &platform_key, degraded_after).await?
            else {
                continue;
            };
            let event = health_change(degraded, health_event(&platform_key, Some((name, kind)), tally));
            store_event(self.state, &mut self.tx, &ordering_key(&platform_key), event).await?;
            self.events += 1;
            self.health_changed = true;
        }
        Ok(())
    }

    fn connection_event(&self, connection: EventConnection, removed: bool) -> ConnectionEvent {
        ConnectionEvent {
            merchant_id: self.merchant_id.clone(),
            company_id: self.merchant.company_id.clone(),
            connection,
            removed,
        }
    }

    /// Readiness as this transaction sees the merchant; `merchant.ready` when it has just
    /// become ready.
    async fn reassess(&mut self) -> Result<(), AppError> {
        let reads = self.tx.data_reads(&self.merchant_id).await?;
        self.reassess_with(&reads).await
    }

    async fn reassess_with(&mut self, reads: &[DataRead]) -> Result<(), AppError> {
        let requirements: Requirements =
            serde_json::from_str(&self.merchant.requirements).unwrap_or_default();
        let connections = self.tx.merchant_connections(&self.merchant_id).await?;
        let documents = self.tx.documents(&self.merchant_id).await?;
        let documented = crate::lender::readiness::documented(&documents);
        let assessment = assess(&requirements, &connections, reads, &documented);
        if self.tx.mark_ready(&self.merchant_id, assessment.ready).await? && assessment.ready {
            let event = ReadyEvent {
                merchant_id: self.merchant_id.clone(),
                company_id: self.merchant.company_id.clone(),
                requirements,
                progress: assessment.progress,
            };
            self.emit(LenderEventData::Ready(event)).await?;
        }
        Ok(())
    }

    /// Stores an event about the merchant with its deliveries, in the transaction.
    async fn emit(&mut self, event: LenderEventData) -> Result<(), AppError> {
        store_event(self.state, &mut self.tx, &self.merchant_id, event).await?;
        self.events += 1;
        Ok(())
    }

    /// Marks the webhook that caused the change processed, commits, and then wakes the delivery.
    async fn finish(mut self, cause: Cause<'_>) -> Result<(), AppError> {
        if let Cause::Webhook(id) = cause {
            self.tx.mark_webhook_processed(id).await?;
        }
        self.rejudge_platforms().await?;
        if self.records_changed {
            self.tx.notify_on_commit(crate::connections_cache::CHANNEL, &self.merchant_id).await?;
        }
        self.tx.commit().await?;
        if self.records_changed {
            self.state.stored.forget(&self.merchant_id);
        }
        if self.health_changed {
            self.state.degraded_platforms.forget();
        }
        if self.events > 0 {
            self.state.lender_outbox.notify_one();
        }
        Ok(())
    }
}
