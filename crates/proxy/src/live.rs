//! Live updates to the page: `GET /api/events`, a server-sent event stream per session, fed by
//! processed webhooks and by the server's own watch of Codat (`watcher`). On PostgreSQL, events
//! go through `LISTEN/NOTIFY`, so a webhook received by one server reaches a page connected to
//! any other.

use crate::{
    db::{unix_now, Db},
    error::AppError,
    session::CurrentSession,
    AppState,
};
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
};
use codat_connect_api::LiveEvent;
use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};
use tokio::sync::broadcast;

/// Events a slow page may fall behind by before it misses some (it then reloads its state).
const BACKLOG: usize = 64;

/// The PostgreSQL notification channel events travel on between servers.
const CHANNEL: &str = "codat_connect_live";

/// Streams one session may hold open at once (a few tabs); more are refused with 429.
pub const STREAMS_PER_SESSION: usize = 4;

/// How often an open stream asks whether its session is still live (idle, or ended on a server
/// that could not tell this one).
const SESSION_RECHECK: Duration = Duration::from_secs(60);

/// What reaches a merchant's open streams.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StreamMessage {
    /// Something the page shows changed.
    Event(LiveEvent),
    /// The session with this token hash was signed out or revoked: its streams end.
    SessionEnded(String),
}

/// Fans messages out to the open streams of the merchant they concern: one channel per merchant
/// with a stream open, so a stream wakes only for its own merchant.
#[derive(Debug)]
pub struct LiveHub {
    channels: Arc<Mutex<HashMap<String, broadcast::Sender<StreamMessage>>>>,
    open_streams: Arc<Mutex<HashMap<String, usize>>>,
    shared: bool,
}

/// A message on its way between servers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    merchant_id: String,
    message: StreamMessage,
}

impl LiveHub {
    /// A hub for one server (SQLite).
    pub fn local() -> Self {
        Self { channels: Arc::default(), open_streams: Arc::default(), shared: false }
    }

    /// A hub shared by every server on the PostgreSQL database at `url`: it listens for the
    /// others' notifications for as long as the process runs.
    pub async fn shared(url: &str) -> Result<Self, sqlx::Error> {
        let hub = Self { shared: true, ..Self::local() };
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        let channels = hub.channels.clone();
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(notification) => match serde_json::from_str::<Notification>(notification.payload()) {
                        Ok(n) => deliver(&channels, &n.merchant_id, n.message),
                        Err(error) => tracing::warn!(%error, "unreadable live notification"),
                    },
                    // The listener reconnects by itself; wait a little so a down database is not spun on.
                    Err(error) => {
                        tracing::warn!(%error, "live notifications interrupted");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(hub)
    }

    /// Sends an event to the merchant's open streams, on every server when shared.
    pub async fn publish(&self, db: &Db, merchant_id: &str, event: LiveEvent) {
        self.send(db, merchant_id, StreamMessage::Event(event)).await;
    }

    /// Ends the open streams of a session, on every server when shared.
    pub async fn end_session(&self, db: &Db, merchant_id: &str, token_hash: &str) {
        self.send(db, merchant_id, StreamMessage::SessionEnded(token_hash.to_owned())).await;
    }

    async fn send(&self, db: &Db, merchant_id: &str, message: StreamMessage) {
        if !self.shared {
            deliver(&self.channels, merchant_id, message);
            return;
        }
        let notification = Notification { merchant_id: merchant_id.to_owned(), message };
        match serde_json::to_string(&notification) {
            Ok(payload) => {
                if let Err(error) = db.notify(CHANNEL, &payload).await {
                    tracing::error!(%error, "live event not sent to the other servers");
                }
            }
            Err(error) => tracing::error!(%error, "live event not serialisable"),
        }
    }

    /// A receiver of the merchant's messages.
    pub fn subscribe(&self, merchant_id: &str) -> broadcast::Receiver<StreamMessage> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels.entry(merchant_id.to_owned()).or_insert_with(|| broadcast::channel(BACKLOG).0).subscribe()
    }

    /// Counts a stream opened by a session, or refuses it when the session has
    /// [`STREAMS_PER_SESSION`] open already; the stream is uncounted when the guard drops.
    pub fn open_stream(&self, token_hash: &str) -> Option<OpenStream> {
        let mut open = self.open_streams.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(token_hash.to_owned()).or_default();
        if *count >= STREAMS_PER_SESSION {
            return None;
        }
        *count += 1;
        Some(OpenStream { open_streams: self.open_streams.clone(), token_hash: token_hash.to_owned() })
    }

    /// Merchants with a channel (an open stream, or one since the last sweep), for tests.
    pub fn channels_held(&self) -> usize {
        self.channels.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Drops the channels no stream listens to any more.
    pub fn sweep(&self) {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels.retain(|_, sender| sender.receiver_count() > 0);
    }
}

/// Hands a message to the merchant's streams on this server, if it has any.
fn deliver(
    channels: &Mutex<HashMap<String, broadcast::Sender<StreamMessage>>>,
    merchant_id: &str,
    message: StreamMessage,
) {
    let mut channels = channels.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(sender) = channels.get(merchant_id) {
        if sender.send(message).is_err() {
            channels.remove(merchant_id);
        }
    }
}

/// One open event stream of a session, counted until dropped.
#[derive(Debug)]
pub struct OpenStream {
    open_streams: Arc<Mutex<HashMap<String, usize>>>,
    token_hash: String,
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        let mut open = self.open_streams.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.token_hash) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.token_hash);
            }
        }
    }
}

/// `POST /api/events/ticket`: a one-time ticket for the session's event stream.
pub async fn ticket(
    State(state): State<AppState>,
    session: CurrentSession,
) -> Result<axum::Json<codat_connect_api::StreamTicket>, AppError> {
    let ticket = crate::session::issue_stream_ticket(&state, &session).await?;
    let expires_in = crate::session::STREAM_TICKET_LIFETIME.as_secs();
    Ok(axum::Json(codat_connect_api::StreamTicket { ticket, expires_in }))
}

/// What an open stream holds between events.
struct StreamState {
    receiver: broadcast::Receiver<StreamMessage>,
    session: CurrentSession,
    state: AppState,
    shutdown: tokio::sync::watch::Receiver<bool>,
    _interest: Option<crate::watcher::PageInterest>,
    next_recheck: tokio::time::Instant,
    _counted: OpenStream,
}

/// Why a stream stops waiting.
enum Wake {
    Message(Result<StreamMessage, broadcast::error::RecvError>),
    Stop,
    Recheck,
}

/// `GET /api/events`: the session's merchant's events until the page leaves, the server stops,
/// or the session ends (expiry, sign-out, revocation, idle).
pub async fn events(
    State(state): State<AppState>,
    session: CurrentSession,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let counted = state
        .live()
        .open_stream(&session.token_hash)
        .ok_or(AppError::RateLimited { retry_after: Duration::from_secs(30) })?;
    let receiver = state.live().subscribe(&session.merchant.id);
    let shutdown = state.shutdown_signal();
    // While this stream is open the server watches the company at Codat itself, so the page
    // moves on even when no webhook comes.
    let interest = session
        .merchant
        .company_id
        .as_deref()
        .map(|company| crate::watcher::watch_while_open(&state, &session.merchant.id, company));
    let next_recheck = tokio::time::Instant::now() + SESSION_RECHECK;
    let start = StreamState {
        receiver,
        session,
        state,
        shutdown,
        _interest: interest,
        _counted: counted,
        next_recheck,
    };
    let stream = stream::unfold(start, |mut open| async move {
        loop {
            let expires_in =
                Duration::from_secs(open.session.expires_at.saturating_sub(unix_now()).max(0) as u64);
            let wake = tokio::select! {
                received = open.receiver.recv() => Wake::Message(received),
                // A stopping server ends its streams so the graceful shutdown can finish; the
                // browser's EventSource reconnects to another server.
                _ = open.shutdown.wait_for(|stopping| *stopping) => Wake::Stop,
                _ = tokio::time::sleep(expires_in) => Wake::Stop,
                _ = tokio::time::sleep_until(open.next_recheck) => Wake::Recheck,
            };
            match wake {
                Wake::Stop => return None,
                Wake::Recheck => {
                    open.next_recheck = tokio::time::Instant::now() + SESSION_RECHECK;
                    if !crate::session::is_live(&open.state, &open.session.token_hash).await {
                        return None;
                    }
                }
                Wake::Message(Ok(StreamMessage::Event(event))) => {
                    let sse = Event::default().event(event.name()).json_data(&event).unwrap_or_default();
                    return Some((Ok(sse), open));
                }
                Wake::Message(Ok(StreamMessage::SessionEnded(token_hash))) => {
                    if token_hash == open.session.token_hash {
                        return None;
                    }
                }
                // The page missed events: tell it to reload what it shows.
                Wake::Message(Err(broadcast::error::RecvError::Lagged(_))) => {
                    return Some((Ok(Event::default().event(LiveEvent::RESYNC).data("{}")), open));
                }
                Wake::Message(Err(broadcast::error::RecvError::Closed)) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_hears_only_its_own_merchant() {
        let hub = LiveHub::local();
        let mut first = hub.subscribe("m1");
        let _second = hub.subscribe("m2");
        deliver(&hub.channels, "m2", StreamMessage::SessionEnded("h2".into()));
        assert!(first.try_recv().is_err(), "woken for another merchant");
        deliver(&hub.channels, "m1", StreamMessage::SessionEnded("h1".into()));
        assert!(matches!(first.try_recv(), Ok(StreamMessage::SessionEnded(hash)) if hash == "h1"));
    }

    #[test]
    fn channels_nobody_listens_to_are_dropped() {
        let hub = LiveHub::local();
        let listening = hub.subscribe("m1");
        drop(hub.subscribe("m2"));
        hub.sweep();
        assert_eq!(hub.channels_held(), 1);
        drop(listening);
        deliver(&hub.channels, "m1", StreamMessage::SessionEnded("h".into()));
        assert_eq!(hub.channels_held(), 0, "a message nobody hears drops the channel");
    }

    #[test]
    fn a_session_holds_at_most_a_few_streams_and_a_closed_one_frees_its_place() {
        let hub = LiveHub::local();
        let open: Vec<_> = (0..STREAMS_PER_SESSION).map(|_| hub.open_stream("h").unwrap()).collect();
        assert!(hub.open_stream("h").is_none());
        assert!(hub.open_stream("other").is_some());
        drop(open);
        assert!(hub.open_stream("h").is_some());
    }
}
