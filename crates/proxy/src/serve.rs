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

/// A `POST` of a document with the CSRF header and a session cookie or token (present: the
/// handler checks it); or, with an API key, its way on to the embedded emulator's Files API
/// (only when that emulator is served, without a Codat key).
fn is_document_upload(parts: &axum::http::request::Parts, emulator: bool) -> bool {
    let path = parts.uri.path();
    let to_emulator = emulator && path.starts_with("/emulator/companies/") && path.ends_with("/files");
    parts.method == axum::http::Method::POST
        && ((path == codat_connect_api::paths::DOCUMENTS
            && parts.headers.contains_key(codat_connect_api::CSRF_HEADER)
            && (parts.headers.contains_key(header::COOKIE)
                || parts.headers.contains_key(header::AUTHORIZATION)))
            || (to_emulator && parts.headers.contains_key(header::AUTHORIZATION)))
}

/// Middleware: the request's whole body, read within `BODY_READ_TIMEOUT_SECONDS` and at most
/// `limit` bytes, before any handler runs (408 or 413 otherwise). Bodies here are small JSON and
/// form posts, so holding one in memory costs little, and no handler waits on a slow sender.
/// A document's upload (`POST /api/documents`) may be larger and slower, when it carries the
/// CSRF header and a session (checked by the handler; a stranger's bytes stay under the small
/// limit).
pub async fn read_body_in_time(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let (limit, timeout) = if is_document_upload(&parts, state.emulator.is_some()) {
        // The document, and the multipart form around it on its way to the embedded emulator.
        (codat_connect_api::MAX_DOCUMENT_BYTES as usize + 64 * 1024, state.settings.document_read_timeout)
    } else {
        (MAX_BODY_BYTES, state.settings.body_read_timeout)
    };
    let declared =
        parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return AppError::TooLarge.into_response();
    }
    let read = axum::body::to_bytes(body, limit);
    match tokio::time::timeout(timeout, read).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(error)) if error.to_string().contains("length limit exceeded") => {
            AppError::TooLarge.into_response()
        }
        Ok(Err(_)) => AppError::BadRequest("The request body could not be read.".into()).into_response(),
        Err(_) => {
            let message = "The request body did not arrive in time.".into();
            let mut response =
                (StatusCode::REQUEST_TIMEOUT, Json(ApiError { code: ErrorCode::BadRequest, message }))
                    .into_response();
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}
