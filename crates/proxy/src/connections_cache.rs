//! What this server last read of each merchant's stored connections and consent receipts, so
//! that `GET /api/connections` (asked on every view of the picker and the connections page)
//! does not read them from the database each time.
//!
//! Nothing stale is ever served:
//! - the one writer (`facts`) forgets a merchant here once its change is committed;
//! - on PostgreSQL the same change sends a notification *inside its transaction*, delivered to
//!   every server only if it commits, and each server forgets the merchant when it arrives;
//! - a read is kept only if nothing was forgotten while it ran (an epoch, bumped by every
//!   forgetting), so an answer read before a change cannot be stored after it;
//! - while this server's listener is down (PostgreSQL restarting, a network fault) nothing is
//!   served from here or kept, and once it listens again everything read before is dropped.
//!
//! An entry is also read again after [`RECHECK`], as a last guard.

use crate::db::{StoredConnection, StoredReceipt};
use sqlx::postgres::PgListener;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

/// The PostgreSQL channel a committed change names its merchant on.
pub const CHANNEL: &str = "codat_connect_stored";

/// Longest an entry is used without reading it again.
const RECHECK: Duration = Duration::from_secs(60);

/// Most merchants remembered; beyond it, everything is dropped and read again.
const CAPACITY: usize = 20_000;

/// A merchant's connections and receipts as stored.
#[derive(Debug, Clone)]
pub struct StoredRecords {
    /// The connections, with their last status.
    pub connections: Vec<StoredConnection>,
    /// The consent receipts.
    pub receipts: Vec<StoredReceipt>,
}

/// See the module's documentation.
#[derive(Debug, Clone, Default)]
pub struct ConnectionsCache {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Bumped by every forgetting: a read begun under an older epoch is not kept.
    epoch: u64,
    /// Off while changes made on other servers may not be heard of.
    serving: bool,
    entries: HashMap<String, (Instant, StoredRecords)>,
}

/// Where a read began, for [`ConnectionsCache::keep`].
#[derive(Debug, Clone, Copy)]
pub struct ReadBegun(u64);

impl ConnectionsCache {
    /// A cache for a server alone on its database (SQLite): every change is made here.
    pub fn local() -> Self {
        let cache = Self::default();
        cache.lock().serving = true;
        cache
    }

    /// A cache for a server sharing PostgreSQL at `url`: it serves once it listens for the
    /// other servers' changes, and stops whenever it may miss one.
    pub async fn shared(url: &str) -> Result<Self, sqlx::Error> {
        let cache = Self::default();
        let listener = listen(url).await?;
        cache.start_serving();
        tokio::spawn(cache.clone().follow(listener, url.to_owned()));
        Ok(cache)
    }

    /// What is kept for `merchant_id`, if anything may be served; with the mark to keep a read
    /// by otherwise.
    pub fn get(&self, merchant_id: &str) -> Result<StoredRecords, ReadBegun> {
        let inner = self.lock();
        match inner.entries.get(merchant_id) {
            Some((read_at, records)) if inner.serving && read_at.elapsed() < RECHECK => Ok(records.clone()),
            _ => Err(ReadBegun(inner.epoch)),
        }
    }

    /// Keeps what was read for `merchant_id`, unless something was forgotten since `begun`.
    pub fn keep(&self, merchant_id: &str, begun: ReadBegun, records: &StoredRecords) {
        let mut inner = self.lock();
        if !inner.serving || inner.epoch != begun.0 {
            return;
        }
        if inner.entries.len() >= CAPACITY {
            inner.entries.clear();
        }
        inner.entries.insert(merchant_id.to_owned(), (Instant::now(), records.clone()));
    }

    /// Drops what is kept for `merchant_id`: its connections or receipts changed.
    pub fn forget(&self, merchant_id: &str) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.entries.remove(merchant_id);
    }

    fn start_serving(&self) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.entries.clear();
        inner.serving = true;
    }

    fn stop_serving(&self) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.entries.clear();
        inner.serving = false;
    }

    /// Forgets each merchant another server names; when the listener fails, stops serving,
    /// listens anew (each second until it can) and serves again from empty.
    async fn follow(self, mut listener: PgListener, url: String) {
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => self.forget(notification.payload()),
                lost => {
                    self.stop_serving();
                    let error =
                        lost.err().map_or_else(|| "connection lost".to_owned(), |error| error.to_string());
                    tracing::warn!(%error, "stored connections are read from the database until changes are heard again");
                    listener = loop {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        match listen(&url).await {
                            Ok(listener) => break listener,
                            Err(error) => tracing::warn!(%error, "cannot listen for stored changes"),
                        }
                    };
                    self.start_serving();
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

async fn listen(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(connection_ids: &[&str]) -> StoredRecords {
        let connections = connection_ids
            .iter()
            .map(|id| StoredConnection {
                id: (*id).to_owned(),
                platform_key: None,
                platform_name: None,
                source_type: None,
                status: codat::ConnectionStatus::Linked,
                created_at: None,
                updated_at: 0,
                attempt_started_at: None,
            })
            .collect();
        StoredRecords { connections, receipts: Vec::new() }
    }

    fn ids(records: &StoredRecords) -> Vec<&str> {
        records.connections.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn a_read_is_served_until_its_merchant_changes() {
        let cache = ConnectionsCache::local();
        let begun = cache.get("m1").unwrap_err();
        cache.keep("m1", begun, &records(&["c1"]));
        assert_eq!(ids(&cache.get("m1").unwrap()), ["c1"]);
        cache.forget("m1");
        assert!(cache.get("m1").is_err());
    }

    #[test]
    fn a_read_begun_before_a_change_is_not_kept() {
        let cache = ConnectionsCache::local();
        let begun = cache.get("m1").unwrap_err();
        // Another request's change commits while this read is under way.
        cache.forget("m1");
        cache.keep("m1", begun, &records(&["old"]));
        assert!(cache.get("m1").is_err());
    }

    #[test]
    fn nothing_is_served_or_kept_while_changes_may_go_unheard() {
        let cache = ConnectionsCache::local();
        let begun = cache.get("m1").unwrap_err();
        cache.keep("m1", begun, &records(&["c1"]));
        cache.stop_serving();
        let begun = cache.get("m1").unwrap_err();
        cache.keep("m1", begun, &records(&["c1"]));
        assert!(cache.get("m1").is_err());
        cache.start_serving();
        assert!(cache.get("m1").is_err(), "what was read before is dropped");
    }
}
