//! Codat's error body, as the emulator answers it.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use codat::ErrorMessage;

/// An error answered with Codat's `ErrorMessage` body and the matching status.
#[derive(Debug)]
pub struct CodatErrorResponse {
    status: StatusCode,
    message: String,
}

impl CodatErrorResponse {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }

    /// 400 with Codat's wording for a bad request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 for an unknown resource.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 401 for a missing or wrong API key.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized")
    }
}

impl IntoResponse for CodatErrorResponse {
    fn into_response(self) -> Response {
        let body = ErrorMessage {
            status_code: Some(self.status.as_u16()),
            service: Some("PublicApi".into()),
            error: Some(self.message),
            correlation_id: Some(uuid::Uuid::new_v4().simple().to_string()),
            validation: None,
            can_be_retried: Some("Unknown".into()),
            detailed_error_code: Some(0),
        };
        (self.status, Json(body)).into_response()
    }
}
