//! Serving connections with limits that slow or idle clients cannot outlast: at most
//! `MAX_CONNECTIONS` at once (further ones wait to be accepted), a request's headers within
//! `HEADER_READ_TIMEOUT_SECONDS` (hyper closes the connection otherwise), and its whole body
//! within `BODY_READ_TIMEOUT_SECONDS` (408). axum's own `serve` has none of these; this is its
//! accept loop with them, in the shape of axum's `serve-with-hyper` example.

use crate::{error::AppError, AppState};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json, Router,
};
use codat_connect_api::{ApiError, ErrorCode};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use std::{future::Future, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt as _;

/// Largest request body accepted; the flow's bodies and Codat's webhooks are far smaller.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// How a server's connections are limited.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Time to send a request's headers.
    pub header_read_timeout: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish.
/// Each request carries its peer's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        // A connection beyond the cap waits in the kernel's queue, not in our memory.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers go out as soon as they are written, not held back for more (Nagle).
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(request.map(Body::new))
            });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A `POST` of a document to `POST /api/documents`: its body is read by its handler
/// (`flow::documents::upload`), once the session and the rate limit have let it through, never
/// here for whoever sends the headers.
fn is_document_upload(parts: &axum::http::request::Parts) -> bool {
    parts.method == axum::http::Method::POST && parts.uri.path() == codat_connect_api::paths::DOCUMENTS
}

/// A `POST` of files to the embedded emulator's Files API with one of its API keys: the proxy's
/// own upload of a document goes through this server when the emulator is embedded (no Codat
/// key), in a multipart form a little larger than the document.
fn is_upload_to_embedded_emulator(parts: &axum::http::request::Parts, state: &AppState) -> bool {
    let path = parts.uri.path();
    let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    parts.method == axum::http::Method::POST
        && path.starts_with("/emulator/companies/")
        && path.ends_with("/files")
        && state.emulator.as_ref().is_some_and(|emulator| emulator.accepts(authorization))
}

/// Why a request's body was not read.
#[derive(Debug)]
pub enum BodyUnread {
    /// Longer than the limit (413).
    TooLarge,
    /// The connection failed while it was read (400).
    Broken,
    /// Not all there within the time allowed (408; the connection is closed).
    Late,
}

impl IntoResponse for BodyUnread {
    fn into_response(self) -> Response {
        match self {
            Self::TooLarge => AppError::TooLarge.into_response(),
            Self::Broken => {
                AppError::BadRequest("The request body could not be read.".into()).into_response()
            }
            Self::Late => {
                let message = "The request body did not arrive in time.".into();
                let mut response =
                    (StatusCode::REQUEST_TIMEOUT, Json(ApiError { code: ErrorCode::BadRequest, message }))
                        .into_response();
                response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
                response
            }
        }
    }
}

/// A whole body of at most `limit` bytes, read within `timeout`; one whose `Content-Length`
/// already says it is longer is refused before a byte is read.
pub async fn read_within(
    headers: &axum::http::HeaderMap,
    body: Body,
    limit: usize,
    timeout: Duration,
) -> Result<axum::body::Bytes, BodyUnread> {
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(BodyUnread::TooLarge);
    }
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) if error.to_string().contains("length limit exceeded") => Err(BodyUnread::TooLarge),
        Ok(Err(_)) => Err(BodyUnread::Broken),
        Err(_) => Err(BodyUnread::Late),
    }
}

/// Middleware: the request's whole body, read within `BODY_READ_TIMEOUT_SECONDS` and at most
/// `MAX_BODY_BYTES`, before any handler runs (408 or 413 otherwise). Bodies here are small JSON
/// and form posts, so holding one in memory costs little, and no handler waits on a slow sender.
/// A document's upload is left to its handler, which reads a larger body only for a signed-in
/// owner; the embedded emulator's Files API gets the larger limit only with its API key.
pub async fn read_body_in_time(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    if is_document_upload(&parts) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let (limit, timeout) = if is_upload_to_embedded_emulator(&parts, &state) {
        (DOCUMENT_FORM_BYTES, state.settings.document_read_timeout)
    } else {
        (MAX_BODY_BYTES, state.settings.body_read_timeout)
    };
    match read_within(&parts.headers, body, limit, timeout).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(unread) => unread.into_response(),
    }
}

/// The largest multipart form carrying one document on its way to the embedded emulator.
const DOCUMENT_FORM_BYTES: usize = codat_connect_api::MAX_DOCUMENT_BYTES as usize + 64 * 1024;
