//! Live updates to the page: `GET /api/events`, a server-sent event stream per session, fed by
//! processed webhooks and by the server's own watch of Codat (`watcher`). On PostgreSQL, events
//! go through `LISTEN/NOTIFY`, so a webhook received by one server reaches a page connected to
//! any other.

mod stream;

pub use stream::{events, ticket};

use crate::db::Db;
use codat_connect_api::LiveEvent;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};
use tokio::sync::broadcast;

/// Events a slow page may fall behind by before it misses some (it then reloads its state).
const BACKLOG: usize = 64;

/// The PostgreSQL notification channel events travel on between servers.
const CHANNEL: &str = "codat_connect_live";

/// Streams one session may hold open at once: a few tabs, and a few reconnections the server has
/// not noticed yet (a dropped connection is seen at the next keep-alive); more are refused with 429.
pub const STREAMS_PER_SESSION: usize = 8;

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

    /// Event streams open on this server.
    pub fn open_stream_count(&self) -> usize {
        self.open_streams.lock().unwrap_or_else(PoisonError::into_inner).values().sum()
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
