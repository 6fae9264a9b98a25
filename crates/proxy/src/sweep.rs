//! Housekeeping in the background: rate-limit buckets and idle live-event channels every
//! minute; every ten minutes, the retention sweep of the database (ended sessions, old Link
//! returns and webhooks) and of merchants who never linked a platform nor sent a document, whose
//! Codat company is deleted with them (each such company was created with the lender's key and
//! holds nothing); and documents' uploads a stopped server left unrecorded, settled with Codat.

use crate::{error::AppError, AppState};
use std::time::Duration;

/// How often buckets and channels are tidied.
const TIDY_EVERY: Duration = Duration::from_secs(60);
/// How often the retention sweep runs.
const SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);
/// Merchants removed per sweep at most (each costs a Codat call).
const MERCHANTS_PER_SWEEP: i64 = 50;
/// How long after it began a document's upload left unrecorded is settled: well beyond the
/// Codat calls it makes (a connection and the upload, 30 s each at most).
const UPLOADS_SETTLED_AFTER: Duration = Duration::from_secs(5 * 60);

pub use crate::flow::documents::{settle_uploads, UploadsSettled};

/// Starts both loops; they end when the server stops.
pub fn spawn(state: &AppState) {
    let tidy = state.clone();
    tokio::spawn(async move {
        let mut stopping = tidy.shutdown_signal();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(TIDY_EVERY) => {}
                _ = stopping.wait_for(|stopping| *stopping) => return,
            }
            tidy.rate_limits.sweep();
            tidy.live.sweep();
            if let Err(error) = crate::facts::platforms_rejudged(&tidy).await {
                tracing::warn!(%error, "degraded platforms not judged again; they are next minute");
            }
        }
    });
    let sweep = state.clone();
    tokio::spawn(async move {
        let mut stopping = sweep.shutdown_signal();
        loop {
            if let Err(error) = sweep_once(&sweep).await {
                tracing::warn!(%error, "retention sweep failed; it runs again later");
            }
            tokio::select! {
                _ = tokio::time::sleep(SWEEP_EVERY) => {}
                _ = stopping.wait_for(|stopping| *stopping) => return,
            }
        }
    });
}

/// What one sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Rows of the database's own records.
    pub records: crate::db::Swept,
    /// Merchants (and their Codat companies) removed.
    pub merchants: u64,
    /// Documents' uploads left unrecorded, settled.
    pub uploads: UploadsSettled,
}

/// One retention sweep. A merchant whose Codat company cannot be deleted now is kept for the
/// next sweep, so nothing at Codat is orphaned.
pub async fn sweep_once(state: &AppState) -> Result<SweepReport, AppError> {
    let records = state.db.sweep_records(state.settings.session_idle, state.settings.retention).await?;
    state.db.forget_old_link_attempts().await?;
    let uploads = settle_uploads(state, UPLOADS_SETTLED_AFTER).await?;
    let mut merchants = 0;
    for (merchant_id, company_id) in
        state.db.abandoned_merchants(state.settings.retention, MERCHANTS_PER_SWEEP).await?
    {
        if let Some(company_id) = &company_id {
            match state.codat.delete_company(company_id).await {
                Ok(()) => {}
                Err(error) if error.status() == Some(axum::http::StatusCode::NOT_FOUND) => {}
                Err(error) => {
                    tracing::warn!(merchant = %merchant_id, %error, "abandoned merchant kept: Codat did not delete its company");
                    continue;
                }
            }
        }
        state.db.delete_merchant(&merchant_id).await?;
        // Other servers may keep its records until they read again: none lists them, as the
        // merchant has no session left to ask with.
        state.stored.forget(&merchant_id);
        merchants += 1;
    }
    if records != crate::db::Swept::default() || merchants > 0 || uploads != UploadsSettled::default() {
        tracing::info!(?records, merchants, ?uploads, "retention sweep");
    }
    Ok(SweepReport { records, merchants, uploads })
}
