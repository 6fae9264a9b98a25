//! Watching Codat while someone waits. Webhooks make a page's updates immediate, but they are
//! never required: Codat cannot reach a server on a laptop, and a webhook endpoint can be
//! misconfigured. So while an owner's page shows a connection or a first sync (its event stream
//! is open), and for a while after a return from Link, the server asks Codat itself (the
//! connections and `dataStatus`) with backoff, and feeds what changed into the same live events
//! webhooks feed. Servers sharing a PostgreSQL database watch each company once, through a
//! lease in the database.

use crate::facts::Cause;
use crate::AppState;
use codat::{ConnectionStatus, PullStatus};
use codat_connect_api::LiveEvent;
use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

/// The first wait between two looks, and the one after anything changed.
const FIRST_DELAY: Duration = Duration::from_secs(2);
/// The longest wait between two looks while nothing changes.
const LONGEST_DELAY: Duration = Duration::from_secs(30);
/// The longest pause while Codat's daily quota is used up (someone may still be waiting).
const QUOTA_PAUSE: Duration = Duration::from_secs(10 * 60);
/// How long a company is watched after a return from Link, even with no page open.
const AFTER_RETURN: Duration = Duration::from_secs(10 * 60);

/// The companies being watched on this server, and who waits on each.
#[derive(Debug, Default)]
pub struct Watchers {
    companies: Mutex<HashMap<String, Interest>>,
}

impl Watchers {
    /// How many companies are being watched.
    pub fn count(&self) -> usize {
        self.companies.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[derive(Debug)]
struct Interest {
    merchant_id: String,
    open_pages: usize,
    until: Instant,
}

/// An open page's interest in its company, given up when dropped (the stream closed).
#[derive(Debug)]
pub struct PageInterest {
    watchers: Arc<Watchers>,
    company_id: String,
}

impl Drop for PageInterest {
    fn drop(&mut self) {
        let mut companies = self.watchers.companies.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(interest) = companies.get_mut(&self.company_id) {
            interest.open_pages = interest.open_pages.saturating_sub(1);
        }
    }
}

/// What Codat last said of a company: each connection's status and each data type's read.
#[derive(Debug, Clone, Default)]
struct Snapshot {
    connections: BTreeMap<String, (ConnectionStatus, codat::Connection)>,
    reads: BTreeMap<String, PullStatus>,
    /// The latest successful read of the `company` data type.
    company_read: Option<String>,
}

/// Watches `company_id` for `AFTER_RETURN` from now (after a return from Link).
pub fn watch(state: &AppState, merchant_id: &str, company_id: &str) {
    let until = Instant::now() + AFTER_RETURN;
    if register(&state.watchers, merchant_id, company_id, until, 0) {
        spawn(state.clone(), company_id.to_owned());
    }
}

/// Watches `company_id` for as long as the returned interest is held (an open event stream).
pub fn watch_while_open(state: &AppState, merchant_id: &str, company_id: &str) -> PageInterest {
    if register(&state.watchers, merchant_id, company_id, Instant::now(), 1) {
        spawn(state.clone(), company_id.to_owned());
    }
    PageInterest { watchers: state.watchers.clone(), company_id: company_id.to_owned() }
}

/// Records an interest; true when no watcher runs for the company yet.
fn register(watchers: &Watchers, merchant_id: &str, company_id: &str, until: Instant, pages: usize) -> bool {
    let mut companies = watchers.companies.lock().unwrap_or_else(PoisonError::into_inner);
    match companies.get_mut(company_id) {
        Some(interest) => {
            interest.open_pages += pages;
            interest.until = interest.until.max(until);
            false
        }
        None => {
            let merchant_id = merchant_id.to_owned();
            companies.insert(company_id.to_owned(), Interest { merchant_id, open_pages: pages, until });
            true
        }
    }
}

/// The merchant still waiting on `company_id`, or none (and the company is forgotten).
fn still_wanted(watchers: &Watchers, company_id: &str) -> Option<String> {
    let mut companies = watchers.companies.lock().unwrap_or_else(PoisonError::into_inner);
    let wanted = companies
        .get(company_id)
        .filter(|interest| interest.open_pages > 0 || interest.until > Instant::now())
        .map(|interest| interest.merchant_id.clone());
    if wanted.is_none() {
        companies.remove(company_id);
    }
    wanted
}

fn spawn(state: AppState, company_id: String) {
    tokio::spawn(async move { run(state, company_id).await });
}

async fn run(state: AppState, company_id: String) {
    let mut stopping = state.shutdown_signal();
    let mut last: Option<Snapshot> = None;
    let mut delay = FIRST_DELAY;
    while let Some(merchant_id) = still_wanted(&state.watchers, &company_id) {
        let lease = delay + LONGEST_DELAY;
        match state.db.hold_watch_lease(&company_id, &state.settings.server_id, lease).await {
            Ok(true) => match look(&state, &company_id).await {
                Ok(now) => {
                    record(&state, &merchant_id, last.as_ref(), &now).await;
                    if let Some(read) = now.company_read.as_deref() {
                        if last.as_ref().and_then(|last| last.company_read.as_deref()) != Some(read) {
                            crate::identity::check(&state, &merchant_id, &company_id, read).await;
                        }
                    }
                    let events = changes(last.as_ref(), &now);
                    delay = if events.is_empty() { (delay * 3 / 2).min(LONGEST_DELAY) } else { FIRST_DELAY };
                    for event in events {
                        state.live.publish(&state.db, &merchant_id, event).await;
                    }
                    last = Some(now);
                }
                Err(codat::CodatError::RateLimited { retry_after, .. }) => {
                    tracing::warn!(%company_id, ?retry_after, "watching Codat: its daily quota is used up");
                    delay = retry_after.clamp(LONGEST_DELAY, QUOTA_PAUSE);
                }
                Err(error) => {
                    tracing::warn!(%company_id, %error, "watching Codat: no answer this time");
                    delay = LONGEST_DELAY;
                }
            },
            // Another server watches this company; look again later in case it stops.
            Ok(false) => delay = LONGEST_DELAY,
            Err(error) => tracing::warn!(%company_id, %error, "watch lease not taken"),
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stopping.wait_for(|stopping| *stopping) => break,
        }
    }
    if let Err(error) = state.db.release_watch_lease(&company_id, &state.settings.server_id).await {
        tracing::warn!(%company_id, %error, "watch lease not released");
    }
}

/// Stores what changed since the last look (the lender's events follow from it).
async fn record(state: &AppState, merchant_id: &str, before: Option<&Snapshot>, now: &Snapshot) {
    let changed: Vec<codat::Connection> = now
        .connections
        .iter()
        .filter(|(id, (status, _))| {
            before.and_then(|b| b.connections.get(*id)).map(|(status, _)| status) != Some(status)
        })
        .map(|(_, (_, connection))| connection.clone())
        .collect();
    if !changed.is_empty() {
        if let Err(error) = crate::facts::connections_seen(state, merchant_id, &changed, Cause::Watcher).await
        {
            tracing::warn!(%merchant_id, %error, "watching Codat: connections' changes not stored");
        }
    }
    let moved: Vec<(String, codat_connect_api::SyncState)> = now
        .reads
        .iter()
        .filter(|(data_type, status)| before.and_then(|b| b.reads.get(*data_type)) != Some(status))
        .map(|(data_type, status)| (data_type.clone(), crate::flow::wire::simplify(*status)))
        .collect();
    if let Err(error) = crate::facts::reads_seen(state, merchant_id, &moved, Cause::Watcher).await {
        tracing::warn!(%merchant_id, %error, "watching Codat: reads not stored");
    }
}

/// Asks Codat where the company's connections and reads stand (two calls).
async fn look(state: &AppState, company_id: &str) -> Result<Snapshot, codat::CodatError> {
    let connections = state.codat.list_connections(company_id).await?;
    let statuses = state.codat.data_status(company_id).await?;
    Ok(Snapshot {
        company_read: crate::identity::company_read(&statuses),
        connections: connections.into_iter().map(|c| (c.id.clone(), (c.status, c))).collect(),
        reads: statuses
            .into_iter()
            .filter_map(|(data_type, status)| status.map(|s| (data_type, s.current_status)))
            .collect(),
    })
}

/// The live events that tell a page what changed between two looks. The first look of a watch
/// reports once that the page should reload, since something may have changed before it.
fn changes(before: Option<&Snapshot>, now: &Snapshot) -> Vec<LiveEvent> {
    let Some(before) = before else {
        return vec![LiveEvent::SyncProgressed { data_types: now.reads.keys().cloned().collect() }];
    };
    let mut events = Vec::new();
    for (id, (status, connection)) in &now.connections {
        let was = before.connections.get(id).map(|(status, _)| *status);
        if was != Some(*status) {
            events.push(LiveEvent::ConnectionChanged {
                connection: Box::new(crate::flow::connections::summary(connection.clone())),
                event_type: event_type(was, *status).into(),
            });
        }
    }
    let moved: Vec<String> = now
        .reads
        .iter()
        .filter(|(data_type, status)| before.reads.get(*data_type) != Some(status))
        .map(|(data_type, _)| data_type.clone())
        .collect();
    if !moved.is_empty() {
        events.push(LiveEvent::SyncProgressed { data_types: moved });
    }
    events
}

/// The webhook Codat would have sent for a connection's change of status.
fn event_type(was: Option<ConnectionStatus>, now: ConnectionStatus) -> &'static str {
    match (was, now) {
        (None, ConnectionStatus::PendingAuth) => "connection.created",
        (Some(ConnectionStatus::PendingAuth) | None, ConnectionStatus::Linked) => "connection.connected",
        (_, ConnectionStatus::Linked) => "connection.reconnected",
        (_, ConnectionStatus::Unlinked | ConnectionStatus::Deauthorized) => "connection.disconnected",
        _ => "connection.changed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(id: &str, status: ConnectionStatus) -> codat::Connection {
        serde_json::from_value(serde_json::json!({
            "id": id, "integrationId": "i", "sourceId": "s", "platformName": "Xero",
            "linkUrl": "https://link-api.codat.io/x", "status": status, "created": "2024-01-01T00:00:00Z",
            "sourceType": "Accounting"
        }))
        .unwrap()
    }

    fn snapshot(status: ConnectionStatus, reads: &[(&str, PullStatus)]) -> Snapshot {
        Snapshot {
            connections: [("c1".to_owned(), (status, connection("c1", status)))].into(),
            reads: reads.iter().map(|(t, s)| (t.to_string(), *s)).collect(),
            company_read: None,
        }
    }

    #[test]
    fn the_first_look_asks_the_page_to_reload() {
        let now = snapshot(ConnectionStatus::Linked, &[("invoices", PullStatus::Queued)]);
        let events = changes(None, &now);
        assert_eq!(events, vec![LiveEvent::SyncProgressed { data_types: vec!["invoices".into()] }]);
    }

    #[test]
    fn nothing_changed_is_no_event() {
        let now = snapshot(ConnectionStatus::Linked, &[("invoices", PullStatus::Complete)]);
        assert!(changes(Some(&now.clone()), &now).is_empty());
    }

    #[test]
    fn a_status_change_and_a_finished_read_are_told() {
        let before = snapshot(
            ConnectionStatus::Linked,
            &[("invoices", PullStatus::Queued), ("bills", PullStatus::Queued)],
        );
        let now = snapshot(
            ConnectionStatus::Deauthorized,
            &[("invoices", PullStatus::Complete), ("bills", PullStatus::Queued)],
        );
        let events = changes(Some(&before), &now);
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(
            matches!(&events[0], LiveEvent::ConnectionChanged { event_type, .. } if event_type == "connection.disconnected")
        );
        assert_eq!(events[1], LiveEvent::SyncProgressed { data_types: vec!["invoices".into()] });
    }

    #[test]
    fn interest_ends_with_the_last_page_once_the_return_window_is_over() {
        let watchers = Arc::new(Watchers::default());
        assert!(register(&watchers, "m", "c", Instant::now(), 1));
        assert!(!register(&watchers, "m", "c", Instant::now(), 1), "one watcher per company");
        let first = PageInterest { watchers: watchers.clone(), company_id: "c".into() };
        let second = PageInterest { watchers: watchers.clone(), company_id: "c".into() };
        drop(first);
        assert_eq!(still_wanted(&watchers, "c").as_deref(), Some("m"));
        drop(second);
        assert_eq!(still_wanted(&watchers, "c"), None);
        assert!(register(&watchers, "m", "c", Instant::now(), 0), "a new watcher after the last ended");
    }
}
