//! `GET /api/events`, one server-sent event stream per page, and the one-time tickets an
//! embedded page opens it with.

use super::{OpenStream, StreamMessage};
use crate::{db::unix_now, error::AppError, session::CurrentSession, AppState};
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
};
use codat_connect_api::LiveEvent;
use futures_util::stream::{self, Stream};
use std::{convert::Infallible, time::Duration};
use tokio::sync::broadcast;

/// How often an open stream asks whether its session is still live (idle, or ended on a server
/// that could not tell this one).
const SESSION_RECHECK: Duration = Duration::from_secs(60);

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
        .live
        .open_stream(&session.token_hash)
        .ok_or(AppError::RateLimited { retry_after: Duration::from_secs(30) })?;
    let receiver = state.live.subscribe(&session.merchant.id);
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
