//! Delivers stored events to the lender's endpoints, signed the Standard Webhooks way (the same
//! signer Codat's webhooks are verified with): at least once, a merchant's events in order per
//! endpoint, each attempt with a fresh timestamp and signature under the event's stable id,
//! retried on the configured schedule. A 2xx answer is the only acknowledgement; redirects are
//! not followed.

use crate::{config::LenderEndpoint, db::DueDelivery, AppState};
use futures_util::future::join_all;
use std::time::Duration;

/// Deliveries sent at once (each to a different merchant or endpoint).
const BATCH: i64 = 32;
/// How long an idle server waits before looking for events another server stored.
const IDLE_LOOK: Duration = Duration::from_secs(5);
/// Longest part of an endpoint's answer read (for the log).
const LOGGED_ANSWER: usize = 200;

/// Runs the delivery until the server stops.
pub fn spawn(state: AppState) {
    tokio::spawn(async move { run(state).await });
}

async fn run(state: AppState) {
    let http = match reqwest::Client::builder()
        .timeout(state.settings.lender_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("codat-connect/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(http) => http,
        Err(error) => {
            tracing::error!(%error, "no HTTP client for the lender's webhooks");
            return;
        }
    };
    let mut stopping = state.shutdown_signal();
    loop {
        let now = crate::db::unix_now_ms();
        let wait = match state.db.due_deliveries(now, BATCH).await {
            Ok(due) if !due.is_empty() => {
                join_all(due.into_iter().map(|delivery| attempt(&state, &http, delivery))).await;
                continue;
            }
            Ok(_) => match state.db.next_delivery_due_ms().await {
                Ok(Some(due_ms)) => {
                    Duration::from_millis(due_ms.saturating_sub(now).max(1) as u64).min(IDLE_LOOK)
                }
                Ok(None) => IDLE_LOOK,
                Err(error) => {
                    tracing::warn!(%error, "lender's webhooks: storage unavailable");
                    IDLE_LOOK
                }
            },
            Err(error) => {
                tracing::warn!(%error, "lender's webhooks: storage unavailable");
                IDLE_LOOK
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = state.lender_outbox.notified() => {}
            _ = stopping.wait_for(|stopping| *stopping) => break,
        }
    }
}

/// One attempt of one delivery, once this server has claimed it.
async fn attempt(state: &AppState, http: &reqwest::Client, delivery: DueDelivery) {
    let now = crate::db::unix_now_ms();
    let claim_until = now + (state.settings.lender_timeout + Duration::from_secs(30)).as_millis() as i64;
    match state.db.claim_delivery(&delivery.id, now, claim_until).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(%error, id = %delivery.id, "delivery not claimed");
            return;
        }
    }
    let Some(endpoint) = state.settings.lender_endpoints.iter().find(|e| e.url == delivery.endpoint) else {
        let outcome =
            state.db.delivery_attempt_failed(&delivery.id, None, "endpoint no longer configured", None);
        if let Err(error) = outcome.await {
            tracing::warn!(%error, id = %delivery.id, "delivery to a removed endpoint not marked");
        }
        return;
    };
    let outcome = send(http, endpoint, &delivery).await;
    let recorded = match outcome {
        Ok(status) => {
            tracing::info!(id = %delivery.id, event = %delivery.event_id, status, "delivered to the lender");
            state.metrics.lender_delivery("delivered");
            state.db.delivery_succeeded(&delivery.id, status).await
        }
        Err((status, error)) => {
            let retry =
                state.settings.lender_retries.get(usize::try_from(delivery.attempts).unwrap_or(usize::MAX));
            let retry_at = retry.map(|wait| crate::db::unix_now_ms() + wait.as_millis() as i64);
            tracing::warn!(id = %delivery.id, event = %delivery.event_id, %error, retry_at, "lender's endpoint refused");
            state.metrics.lender_delivery(if retry_at.is_some() { "retry" } else { "failed" });
            state.db.delivery_attempt_failed(&delivery.id, status, &error, retry_at).await
        }
    };
    if let Err(error) = recorded {
        // The claim lapses and the delivery is attempted again: at least once.
        tracing::error!(%error, id = %delivery.id, "delivery outcome not recorded");
    }
}

/// Posts the event; the endpoint's status when it acknowledged, else its status (if it answered)
/// and why it failed.
async fn send(
    http: &reqwest::Client,
    endpoint: &LenderEndpoint,
    delivery: &DueDelivery,
) -> Result<u16, (Option<u16>, String)> {
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut request = http.post(&endpoint.url).header("content-type", "application/json");
    for (name, value) in signed_headers(&endpoint.secrets(), &delivery.event_id, timestamp, &delivery.body) {
        request = request.header(name, value);
    }
    let answer = request.body(delivery.body.clone()).send().await.map_err(|error| (None, describe(error)))?;
    let status = answer.status().as_u16();
    if answer.status().is_success() {
        return Ok(status);
    }
    let text = answer.text().await.unwrap_or_default();
    let excerpt: String = text.chars().take(LOGGED_ANSWER).collect();
    Err((Some(status), format!("answered {status}: {excerpt}")))
}

/// The Standard Webhooks headers of one attempt: the event's id, the attempt's time and the
/// signature of `{id}.{timestamp}.{body}`, one per secret (two while a secret rotates, so the
/// lender's verifier accepts whichever it holds).
fn signed_headers(
    secrets: &[&codat::WebhookSecret],
    event_id: &str,
    timestamp: i64,
    body: &str,
) -> [(&'static str, String); 3] {
    [
        ("webhook-id", event_id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        (
            "webhook-signature",
            secrets
                .iter()
                .map(|secret| secret.sign(event_id, timestamp, body.as_bytes()))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ]
}

fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer in time".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        // reqwest names the URL, which may hold the endpoint's credentials.
        format!("request failed: {}", error.without_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard Webhooks' published test vector (its specification and every reference library).
    #[test]
    fn deliveries_sign_the_standard_webhooks_test_vector() {
        let secret = codat::WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let headers =
            signed_headers(&[&secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#);
        assert_eq!(headers[0], ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek".to_owned()));
        assert_eq!(headers[1], ("webhook-timestamp", "1614265330".to_owned()));
        assert_eq!(
            headers[2],
            ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_owned())
        );
    }

    #[test]
    fn while_a_secret_rotates_each_delivery_verifies_with_either() {
        let new = codat::WebhookSecret::parse(&codat::WebhookSecret::generate()).unwrap();
        let old = codat::WebhookSecret::parse(&codat::WebhookSecret::generate()).unwrap();
        let stranger = codat::WebhookSecret::parse(&codat::WebhookSecret::generate()).unwrap();
        let [_, _, (_, signature)] = signed_headers(&[&new, &old], "msg_1", 1614265330, "{}");
        assert!(new.verify("msg_1", 1614265330, b"{}", &signature));
        assert!(old.verify("msg_1", 1614265330, b"{}", &signature));
        assert!(!stranger.verify("msg_1", 1614265330, b"{}", &signature));
    }
}
