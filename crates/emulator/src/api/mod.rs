//! The emulator's Codat API endpoints, one module per resource.

pub mod companies;
pub mod connections;
pub mod consumers;
pub mod data;
pub mod files;
pub mod info;
pub mod integrations;
pub mod profile;

use crate::error::CodatErrorResponse;
use axum::{extract::rejection::JsonRejection, http::StatusCode};

/// The names every resource module's handlers use: axum's extractors and answers, the emulator,
/// its paging and its errors. Each module adds only what is its own.
mod prelude {
    pub(super) use super::{bad_body, company_not_found, ApiResult};
    pub(super) use crate::{
        error::CodatErrorResponse,
        paging::{paginate, ListParams},
        Emulator,
    };
    pub(super) use axum::{
        extract::{rejection::JsonRejection, Path, Query, State},
        http::StatusCode,
        response::{IntoResponse, Response},
        Json,
    };
    pub(super) use std::sync::Arc;
}

/// What every handler answers on failure.
pub type ApiResult<T> = Result<T, CodatErrorResponse>;

/// Any path the emulator does not know.
pub async fn unknown_route() -> CodatErrorResponse {
    CodatErrorResponse::new(StatusCode::NOT_FOUND, "The requested resource was not found.")
}

/// A body that is not JSON of the expected shape.
pub fn bad_body(rejection: JsonRejection) -> CodatErrorResponse {
    CodatErrorResponse::bad_request(format!("The request body is not valid: {}", rejection.body_text()))
}

/// Codat's 404 for a company.
pub fn company_not_found(id: &str) -> CodatErrorResponse {
    CodatErrorResponse::not_found(format!("Company {id} not found."))
}

/// Codat's 404 for a connection.
pub fn connection_not_found(id: &str) -> CodatErrorResponse {
    CodatErrorResponse::not_found(format!("Data connection {id} not found."))
}

/// Codat's 404 for a platform key.
pub fn integration_not_found(key: &str) -> CodatErrorResponse {
    CodatErrorResponse::not_found(format!("Integration with key '{key}' not found."))
}
