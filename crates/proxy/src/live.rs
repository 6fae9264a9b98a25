//! Live updates to the page: `GET /api/events`, a server-sent event stream per session, fed by
//! processed webhooks.

use crate::{session::CurrentMerchant, AppState};
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
};
use codat_connect_api::LiveEvent;
use futures_util::stream::{self, Stream};
use std::{convert::Infallible, time::Duration};
use tokio::sync::broadcast;

/// Events a slow page may fall behind by before it misses some (it then reloads its state).
const BACKLOG: usize = 256;

/// Fans events out to every open stream of the merchant they concern.
#[derive(Debug)]
pub struct LiveHub {
    sender: broadcast::Sender<(String, LiveEvent)>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self { sender: broadcast::channel(BACKLOG).0 }
    }
}

impl LiveHub {
    /// Sends an event to the merchant's open streams (none open is fine).
    pub fn publish(&self, merchant_id: &str, event: LiveEvent) {
        let _ = self.sender.send((merchant_id.to_owned(), event));
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
    let stream = stream::unfold((receiver, merchant.id), |(mut receiver, merchant_id)| async move {
        loop {
            match receiver.recv().await {
                Ok((owner, event)) if owner == merchant_id => {
                    let sse = Event::default().event(event.name()).json_data(&event).unwrap_or_default();
                    return Some((Ok(sse), (receiver, merchant_id)));
                }
                Ok(_) => continue,
                // The page missed events: tell it to reload what it shows.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some((Ok(Event::default().event("resync").data("{}")), (receiver, merchant_id)));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
