//! The platforms' health, from what this lender's owners met: each Link attempt started here ends
//! linked or failed as Codat reports it (a connection becoming `Linked`, or a 5xx data connection
//! error on it after the attempt began, from its webhook, the watcher or any look), counted in
//! businesses over the last hour. A platform where at least `DEGRADED_AFTER_FAILURES` businesses
//! failed and failures are at least two in three is **degraded**: its card and consent step say
//! it may not work right now (owners may try anyway) and the lender hears `platform.degraded`;
//! it **recovers** when failures fall under that number or to no more than the links
//! (`platform.recovered`). Between the two the judgement stands, so it does not flap.
//!
//! Only what Codat said counts, never the page's word: an owner cannot make a platform look
//! broken for others, and one business counts once however often it fails. Codat's API says
//! nothing of a platform's health, so this is all there is to go on.
//!
//! The judgement is written by `crate::facts` in the transaction of the fact that changed the
//! tally (and once a minute for degraded platforms, whose failures age out); pages read it
//! through [`DegradedPlatforms`], re-read every ten seconds.

use crate::db::{Tally, Tx};
use codat::{Connection, ConnectionStatus};
use std::{
    collections::HashSet,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

/// The period attempts are counted over, in seconds.
pub const WINDOW: i64 = 60 * 60;
/// How long pages may see a judgement this server did not make.
const REREAD_AFTER: Duration = Duration::from_secs(10);

/// Whether a platform with `tally` is degraded, given whether it is now and the fewest failed
/// businesses that make it so (see the module's rules).
pub fn judged_degraded(tally: Tally, degraded_now: bool, degraded_after: u32) -> bool {
    let enough = tally.failed >= i64::from(degraded_after.max(1));
    if degraded_now {
        enough && tally.failed > tally.linked
    } else {
        enough && tally.failed >= 2 * tally.linked
    }
}

/// When `connection` shows the platform failing a Link attempt: the time (Unix seconds) of its
/// latest 5xx data connection error in the last [`WINDOW`], while it is not linked. An owner
/// cancelling (403) is no failure of the platform's.
pub fn failed_at(connection: &Connection, now: i64) -> Option<i64> {
    if connection.status == ConnectionStatus::Linked {
        return None;
    }
    connection
        .data_connection_errors
        .iter()
        .flatten()
        .filter(|error| error.status_code.as_deref().is_some_and(|code| code.starts_with('5')))
        .filter_map(|error| error.errored_on_utc.as_deref().and_then(codat::parse_date_time))
        .map(|at| at.unix_timestamp())
        .filter(|at| *at > now - WINDOW)
        .max()
}

/// Rejudges `platform_key` in `tx` from its tally: `Some(true)` when it has just become degraded,
/// `Some(false)` when it has just recovered (once across servers), with the tally.
pub async fn rejudge(
    tx: &mut Tx,
    platform_key: &str,
    degraded_after: u32,
) -> Result<Option<(bool, Tally)>, sqlx::Error> {
    let tally = tx.platform_tally(platform_key, crate::db::unix_now() - WINDOW).await?;
    let degraded_now = tx.degraded_since(platform_key).await?.is_some();
    let degraded = judged_degraded(tally, degraded_now, degraded_after);
    if degraded == degraded_now || !tx.set_platform_degraded(platform_key, degraded).await? {
        return Ok(None);
    }
    Ok(Some((degraded, tally)))
}

/// The platforms judged degraded, as pages see them: read again after ten seconds, or at once
/// after this server changed a judgement.
#[derive(Debug, Clone, Default)]
pub struct DegradedPlatforms {
    read: Arc<Mutex<Option<Read>>>,
}

/// When the degraded platforms were read, and their keys.
type Read = (Instant, Arc<HashSet<String>>);

impl DegradedPlatforms {
    /// The degraded platforms' keys (none if they cannot be read: the grid then shows none).
    pub async fn get(&self, db: &crate::db::Db) -> Arc<HashSet<String>> {
        if let Some((at, keys)) = &*self.read.lock().unwrap_or_else(PoisonError::into_inner) {
            if at.elapsed() < REREAD_AFTER {
                return keys.clone();
            }
        }
        let keys = match db.degraded_platforms().await {
            Ok(keys) => Arc::new(keys.into_iter().collect::<HashSet<_>>()),
            Err(error) => {
                tracing::warn!(%error, "the platforms' health could not be read; no platform is shown degraded");
                return Arc::default();
            }
        };
        *self.read.lock().unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), keys.clone()));
        keys
    }

    /// Forgets what was read: a judgement changed.
    pub fn forget(&self) {
        *self.read.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(failed: i64, linked: i64) -> Tally {
        Tally { failed, linked }
    }

    #[test]
    fn a_platform_is_degraded_when_enough_businesses_fail_and_failures_are_two_in_three() {
        assert!(judged_degraded(tally(3, 1), false, 3));
        assert!(judged_degraded(tally(4, 2), false, 3));
        assert!(!judged_degraded(tally(2, 0), false, 3), "too few businesses");
        assert!(!judged_degraded(tally(3, 2), false, 3), "failures under two in three");
        assert!(judged_degraded(tally(1, 0), false, 1), "a lender may judge on one failure");
    }

    #[test]
    fn a_degraded_platform_recovers_only_when_failures_no_longer_outnumber_links() {
        assert!(judged_degraded(tally(3, 2), true, 3), "between the two rules the judgement stands");
        assert!(!judged_degraded(tally(3, 3), true, 3));
        assert!(!judged_degraded(tally(2, 0), true, 3), "failures aged out");
    }

    fn connection(status: ConnectionStatus, errors: &[(&str, &str)]) -> Connection {
        let mut connection: Connection = serde_json::from_value(serde_json::json!({
            "id": "c", "integrationId": "i", "sourceId": "s", "platformName": "Xero",
            "linkUrl": "https://link.test", "status": "PendingAuth", "created": "2026-12-05T10:00:00Z",
            "sourceType": "Accounting",
        }))
        .unwrap();
        connection.status = status;
        connection.data_connection_errors = Some(
            errors
                .iter()
                .map(|(code, at)| codat::DataConnectionError {
                    status_code: Some((*code).into()),
                    status_text: None,
                    error_message: None,
                    errored_on_utc: Some((*at).into()),
                })
                .collect(),
        );
        connection
    }

    #[test]
    fn only_a_recent_platform_error_on_a_connection_not_linked_is_a_failure() {
        let now = codat::parse_date_time("2026-12-05T12:00:00Z").unwrap().unix_timestamp();
        let recent = "2026-12-05T11:30:00Z";
        let failed =
            connection(ConnectionStatus::PendingAuth, &[("500", "2026-12-05T09:00:00Z"), ("500", recent)]);
        assert_eq!(failed_at(&failed, now), Some(now - 30 * 60), "the latest error counts");
        let cancelled = connection(ConnectionStatus::PendingAuth, &[("403", recent)]);
        assert_eq!(failed_at(&cancelled, now), None, "an owner cancelling is no failure");
        let old = connection(ConnectionStatus::PendingAuth, &[("500", "2026-12-05T09:00:00Z")]);
        assert_eq!(failed_at(&old, now), None, "older than the window");
        let linked = connection(ConnectionStatus::Linked, &[("500", recent)]);
        assert_eq!(failed_at(&linked, now), None, "linked after all");
    }
}
