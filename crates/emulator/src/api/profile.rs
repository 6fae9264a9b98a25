//! `/profile`: the client's profile, including the redirect URL template.

use super::{bad_body, ApiResult};
use crate::Emulator;
use axum::{
    extract::{rejection::JsonRejection, State},
    Json,
};
use codat::Profile;
use std::sync::Arc;

/// `GET /profile`
pub async fn get(State(emulator): State<Arc<Emulator>>) -> Json<Profile> {
    Json(emulator.store.profile())
}

/// `PUT /profile` (every field; the profile is replaced whole).
pub async fn put(
    State(emulator): State<Arc<Emulator>>,
    body: Result<Json<Profile>, JsonRejection>,
) -> ApiResult<Json<Profile>> {
    let Json(profile) = body.map_err(bad_body)?;
    Ok(Json(emulator.store.set_profile(profile)))
}
