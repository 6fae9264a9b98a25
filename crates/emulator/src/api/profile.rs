//! `/profile`: the client's profile, including the redirect URL template.

use super::prelude::*;
use codat::{Profile, SourceType, SyncSetting, SyncSettings};

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

/// `GET /profile/syncSettings`: what a first link reads (every data type the emulator reads for
/// a connection of some kind), refreshed daily with 24 months of history; the rest not at first.
pub async fn sync_settings() -> Json<SyncSettings> {
    let first: Vec<&str> = [SourceType::Accounting, SourceType::Banking, SourceType::Commerce]
        .into_iter()
        .flat_map(crate::sync::first_sync_data_types)
        .copied()
        .collect();
    let settings = crate::sync::ALL_DATA_TYPES
        .iter()
        .enumerate()
        .map(|(order, data_type)| SyncSetting {
            data_type: (*data_type).to_owned(),
            fetch_on_first_link: first.contains(data_type),
            sync_schedule: 24,
            sync_order: order as i64,
            sync_from_utc: None,
            sync_from_window: Some(24),
            months_to_sync: Some(24),
            is_locked: Some(false),
        })
        .collect();
    Json(SyncSettings { client_id: None, settings, overrides_defaults: Some(false) })
}
