//! Live updates to the page: `GET /api/events`, a server-sent event stream per session, fed by
//! processed webhooks and by the server's own watch of Codat (`watcher`). On PostgreSQL, events
//! go through `LISTEN/NOTIFY`, so a webhook received by one server reaches a page connected to
//! any other.

use crate::{db::Db, session::CurrentMerchant, AppState};
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
};
use codat_connect_api::LiveEvent;
use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use std::{convert::Infallible, time::Duration};
use tokio::sync::broadcast;

/// Events a slow page may fall behind by before it misses some (it then reloads its state).
const BACKLOG: usize = 256;

/// The PostgreSQL notification channel events travel on between servers.
const CHANNEL: &str = "codat_connect_live";

/// Fans events out to every open stream of the merchant they concern.
#[derive(Debug)]
pub struct LiveHub {
    sender: broadcast::Sender<(String, LiveEvent)>,
    shared: bool,
}

/// An event on its way between servers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    merchant_id: String,
    event: LiveEvent,
}

impl LiveHub {
    /// A hub for one server (SQLite).
    pub fn local() -> Self {
        Self { sender: broadcast::channel(BACKLOG).0, shared: false }
    }

    /// A hub shared by every server on the PostgreSQL database at `url`: it listens for the
    /// others' notifications for as long as the process runs.
    pub async fn shared(url: &str) -> Result<Self, sqlx::Error> {
        let hub = Self { sender: broadcast::channel(BACKLOG).0, shared: true };
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        let sender = hub.sender.clone();
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(notification) => match serde_json::from_str::<Notification>(notification.payload()) {
                        Ok(n) => {
                            let _ = sender.send((n.merchant_id, n.event));
                        }
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
        if self.shared {
            let notification = Notification { merchant_id: merchant_id.to_owned(), event };
            match serde_json::to_string(&notification) {
                Ok(payload) => {
                    if let Err(error) = db.notify(CHANNEL, &payload).await {
                        tracing::error!(%error, "live event not sent to the other servers");
                    }
                }
                Err(error) => tracing::error!(%error, "live event not serialisable"),
            }
        } else {
            let _ = self.sender.send((merchant_id.to_owned(), event));
        }
    }

    /// A receiver of every merchant's events.
    pub fn subscribe(&self) -> broadcast::Receiver<(String, LiveEvent)> {
        self.sender.subscribe()
    }
}

/// `GET /api/events`
pub async fn events(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.live().subscribe();
    let shutdown = state.shutdown_signal();
    // While this stream is open the server watches the company at Codat itself, so the page
    // moves on even when no webhook comes.
    let interest = merchant
        .company_id
        .as_deref()
        .map(|company| crate::watcher::watch_while_open(&state, &merchant.id, company));
    let stream = stream::unfold(
        (receiver, merchant.id, shutdown, interest),
        |(mut receiver, merchant_id, mut shutdown, interest)| async move {
            loop {
                let received = tokio::select! {
                    received = receiver.recv() => received,
                    // A stopping server ends its streams so the graceful shutdown can finish; the
                    // browser's EventSource reconnects to another server.
                    _ = shutdown.wait_for(|stopping| *stopping) => return None,
                };
                match received {
                    Ok((owner, event)) if owner == merchant_id => {
                        let sse = Event::default().event(event.name()).json_data(&event).unwrap_or_default();
                        return Some((Ok(sse), (receiver, merchant_id, shutdown, interest)));
                    }
                    Ok(_) => continue,
                    // The page missed events: tell it to reload what it shows.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((
                            Ok(Event::default().event(LiveEvent::RESYNC).data("{}")),
                            (receiver, merchant_id, shutdown, interest),
                        ));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
