//! Sessions this server looked up lately, so most requests skip the database.

use crate::db::Merchant;
use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::Duration,
};

/// How long this server trusts what it remembers of a session before asking the database
/// again: a session ended on another server (sign-out, revocation, idle) is refused here within
/// this time, and a session in use is marked used about this often.
const RECHECK: Duration = Duration::from_secs(30);

/// Sessions this server has looked up, so most requests skip the database. A session's merchant
/// never changes, and a session is only issued once its merchant has its Codat company (the one
/// field that is ever set later); whether the session is still live is asked again after
/// [`RECHECK`].
#[derive(Debug, Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, CachedSession>>,
}

#[derive(Debug)]
struct CachedSession {
    merchant: Merchant,
    expires_at: i64,
    checked_at: i64,
}

impl CachedSession {
    /// Unexpired, and checked against the database within [`RECHECK`].
    fn is_fresh(&self, now: i64) -> bool {
        self.expires_at > now && now - self.checked_at < RECHECK.as_secs() as i64
    }
}

impl SessionCache {
    /// Most sessions remembered; beyond it, stale ones are dropped, and if none are, all.
    const CAPACITY: usize = 50_000;

    pub(super) fn get(&self, token_hash: &str, now: i64) -> Option<(Merchant, i64)> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(token_hash)
            .filter(|entry| entry.is_fresh(now))
            .map(|entry| (entry.merchant.clone(), entry.expires_at))
    }

    pub(super) fn insert(&self, token_hash: String, merchant: &Merchant, expires_at: i64, now: i64) {
        if merchant.company_id.is_none() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= Self::CAPACITY {
            entries.retain(|_, entry| entry.is_fresh(now));
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
        }
        let entry = CachedSession { merchant: merchant.clone(), expires_at, checked_at: now };
        entries.insert(token_hash, entry);
    }

    pub(super) fn forget(&self, token_hash: &str) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).remove(token_hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merchant(company_id: Option<&str>) -> Merchant {
        Merchant {
            id: "m1".into(),
            business_name: "Acme".into(),
            email: String::new(),
            company_id: company_id.map(str::to_owned),
        }
    }

    #[test]
    fn a_remembered_session_ends_when_it_expires() {
        let cache = SessionCache::default();
        cache.insert("h".into(), &merchant(Some("c1")), 100, 90);
        assert_eq!(cache.get("h", 99).unwrap().0.company_id.as_deref(), Some("c1"));
        assert!(cache.get("h", 100).is_none());
        assert!(cache.get("other", 90).is_none());
    }

    #[test]
    fn a_remembered_session_is_checked_again_after_a_while_and_can_be_forgotten() {
        let cache = SessionCache::default();
        cache.insert("h".into(), &merchant(Some("c1")), 10_000, 0);
        assert!(cache.get("h", RECHECK.as_secs() as i64 - 1).is_some());
        assert!(cache.get("h", RECHECK.as_secs() as i64).is_none(), "asked of the database again");
        cache.insert("h".into(), &merchant(Some("c1")), 10_000, 100);
        cache.forget("h");
        assert!(cache.get("h", 101).is_none());
    }

    #[test]
    fn a_merchant_without_a_company_is_not_remembered() {
        let cache = SessionCache::default();
        cache.insert("h".into(), &merchant(None), 100, 50);
        assert!(cache.get("h", 60).is_none());
    }
}
