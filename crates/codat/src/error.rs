//! What went wrong talking to Codat, and Codat's error answers read into it.

use crate::models::ErrorMessage;
use reqwest::StatusCode;

/// What went wrong talking to Codat.
#[derive(Debug, thiserror::Error)]
pub enum CodatError {
    /// Codat answered with an error status and (usually) its error body.
    #[error("Codat answered {status}: {}", .body.error.as_deref().unwrap_or("no message"))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// Codat's error body; empty when the body was not Codat's JSON. Its `correlationId` is
        /// what Codat's support asks for.
        body: Box<ErrorMessage>,
    },
    /// 429 with a `Retry-After` longer than is worth waiting in a request (Codat's daily quota).
    #[error("Codat's request quota is used up; it asks to wait {}s", .retry_after.as_secs())]
    RateLimited {
        /// How long Codat asks to wait.
        retry_after: std::time::Duration,
        /// Codat's error body.
        body: Box<ErrorMessage>,
    },
    /// No answer: connection refused, reset, or timed out.
    #[error("Codat could not be reached: {0}")]
    Transport(#[source] reqwest::Error),
    /// An answer that does not match the spec.
    #[error("Codat's answer could not be read: {0}")]
    Decode(String),
}

impl CodatError {
    /// The HTTP status Codat answered with, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } => Some(*status),
            Self::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            _ => None,
        }
    }

    /// The id Codat gave the failed request, to quote to Codat's support.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Self::Api { body, .. } => body.correlation_id.as_deref(),
            _ => None,
        }
    }

    /// True when the request timed out rather than being refused.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Transport(e) if e.is_timeout())
    }
}

/// Codat's error answer with `status`: its JSON error body, or an empty one when it is not JSON.
pub(crate) fn api_error(status: StatusCode, bytes: &[u8]) -> CodatError {
    CodatError::Api { status, body: Box::new(error_body(bytes)) }
}

/// Codat's JSON error body, or an empty one when `bytes` is not one.
pub(crate) fn error_body(bytes: &[u8]) -> ErrorMessage {
    serde_json::from_slice(bytes).unwrap_or_default()
}
