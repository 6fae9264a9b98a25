//! The one error type of the proxy's handlers, answered as `ApiError` JSON.

use axum::{
    extract::rejection::JsonRejection,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use codat::CodatError;
use codat_connect_api::{ApiError, ErrorCode};

/// Everything a handler can fail with. 5xx details are logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed or fails validation.
    #[error("{0}")]
    BadRequest(String),
    /// A field fails validation in a way the page words itself (400 with this code).
    #[error("{message}")]
    Invalid {
        /// The machine-readable code.
        code: ErrorCode,
        /// The English message.
        message: String,
    },
    /// No valid session.
    #[error("not signed in")]
    NotSignedIn,
    /// Missing CSRF proof on a state-changing request.
    #[error("cross-site request refused")]
    CrossSite,
    /// The resource does not exist (or belongs to another merchant).
    #[error("{0}")]
    NotFound(String),
    /// Codat answered with an error or could not be reached.
    #[error(transparent)]
    Codat(#[from] CodatError),
    /// Codat answered something unsafe to pass on (e.g. a link to an unknown host).
    #[error("{0}")]
    UntrustedUpstream(String),
    /// Too many requests from one client or session; come back after `retry_after`.
    #[error("rate limited")]
    RateLimited {
        /// How long until the next request would be accepted.
        retry_after: std::time::Duration,
    },
    /// This deployment takes no sign-ups (`SIGN_UP=closed`).
    #[error("sign-up closed")]
    SignUpClosed,
    /// The body is over the size limit.
    #[error("request body too large")]
    TooLarge,
    /// `/v1/*` without the admin token.
    #[error("admin token required")]
    AdminTokenRequired,
    /// A webhook failed verification.
    #[error("webhook refused: {0}")]
    WebhookRefused(String),
    /// Storage failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        // A body cut off at the size limit can surface as a buffering error rather than a 413.
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE
            || rejection.body_text().contains("length limit exceeded")
        {
            return Self::TooLarge;
        }
        Self::BadRequest(format!(
            "The request body is not valid JSON for this endpoint: {}",
            rejection.body_text()
        ))
    }
}

impl AppError {
    fn parts(&self) -> (StatusCode, ErrorCode, String) {
        match self {
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message.clone()),
            Self::Invalid { code, message } => (StatusCode::BAD_REQUEST, *code, message.clone()),
            Self::NotSignedIn => {
                (StatusCode::UNAUTHORIZED, ErrorCode::NotSignedIn, "Please sign up or sign in first.".into())
            }
            Self::CrossSite => (
                StatusCode::FORBIDDEN,
                ErrorCode::CrossSiteRequest,
                "This request did not come from the Codat Connect page.".into(),
            ),
            Self::NotFound(message) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, message.clone()),
            Self::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "Too many requests. Please wait a moment and try again.".into(),
            ),
            Self::SignUpClosed => (
                StatusCode::FORBIDDEN,
                ErrorCode::SignUpClosed,
                "Sign-up is not offered here. Please start from your lender's website.".into(),
            ),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::TooLarge,
                "The request is larger than this service accepts.".into(),
            ),
            Self::AdminTokenRequired => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::AdminTokenRequired,
                "Send the admin token as `Authorization: Bearer <ADMIN_TOKEN>`.".into(),
            ),
            Self::WebhookRefused(reason) => {
                (StatusCode::UNAUTHORIZED, ErrorCode::WebhookRefused, format!("Webhook refused: {reason}."))
            }
            Self::Codat(error) => codat_parts(error),
            Self::UntrustedUpstream(_) => (
                StatusCode::BAD_GATEWAY,
                ErrorCode::CodatBadAnswer,
                "Codat gave an answer we could not use. Please try again.".into(),
            ),
            Self::Database(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "Something went wrong on our side. Please try again.".into(),
            ),
        }
    }
}

fn codat_parts(error: &CodatError) -> (StatusCode, ErrorCode, String) {
    match error.status() {
        // Codat's daily quota is used up: no point retrying before it resets.
        _ if matches!(error, CodatError::RateLimited { .. }) => (
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::CodatQuota,
            "Codat is too busy to connect platforms right now. Please try again later.".into(),
        ),
        Some(StatusCode::NOT_FOUND) => {
            (StatusCode::NOT_FOUND, ErrorCode::NotFound, "Codat does not know that item.".into())
        }
        Some(StatusCode::TOO_MANY_REQUESTS) => (
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::CodatBusy,
            "Codat is busy right now. Please try again in a minute.".into(),
        ),
        _ if error.is_timeout() => (
            StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::CodatTimeout,
            "Codat took too long to answer. Please try again.".into(),
        ),
        _ => (
            StatusCode::BAD_GATEWAY,
            ErrorCode::CodatUnavailable,
            "Codat could not complete the request. Please try again.".into(),
        ),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = %self, code = code.as_str(), "request failed");
        }
        let mut response = (status, Json(ApiError { code, message })).into_response();
        if let Self::Codat(CodatError::RateLimited { retry_after, .. }) | Self::RateLimited { retry_after } =
            &self
        {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after_header(*retry_after));
        }
        response
    }
}

/// The `Retry-After` value for a wait: whole seconds, at least one.
pub fn retry_after_header(wait: std::time::Duration) -> axum::http::HeaderValue {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    axum::http::HeaderValue::from(seconds.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_header(Duration::from_millis(1)), "1");
        assert_eq!(retry_after_header(Duration::from_millis(1500)), "2");
        assert_eq!(retry_after_header(Duration::from_secs(60)), "60");
    }
}
