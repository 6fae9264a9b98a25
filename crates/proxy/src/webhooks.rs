//! `POST /webhooks/codat`: Codat's webhooks, verified as Codat signs them (Standard Webhooks /
//! Svix headers, either naming), stored with their id unique before they are acknowledged, then
//! processed once: each becomes a live event for the merchant whose company it concerns.

use crate::{
    error::AppError,
    facts::{self, Cause},
    flow::connections::summary,
    metrics::{WebhookProcessing, WebhookReceipt},
    AppState,
};
use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode, Json};
use codat::WebhookSecret;
use codat_connect_api::LiveEvent;
use serde::Deserialize;
use serde_json::{json, Value};

/// How far a webhook's timestamp may be from now, either way.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// Checks webhook signatures and timestamps.
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    secrets: Vec<WebhookSecret>,
}

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A header is missing or malformed.
    #[error("missing or malformed {0} header")]
    Header(&'static str),
    /// The timestamp is more than five minutes from now.
    #[error("timestamp outside the five-minute tolerance")]
    Stale,
    /// No signature matches.
    #[error("signature does not match")]
    Signature,
}

/// The verified identity of a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The `webhook-id`, stable across redeliveries.
    pub id: String,
}

impl WebhookVerifier {
    /// A verifier for one `whsec_` secret.
    pub fn new(secret: WebhookSecret) -> Self {
        Self { secrets: vec![secret] }
    }

    /// A verifier accepting either secret, while Codat's secret rotates.
    pub fn rotating(secret: WebhookSecret, previous: WebhookSecret) -> Self {
        Self { secrets: vec![secret, previous] }
    }

    /// Verifies headers and body as received, at `now` (Unix seconds).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<Verified, Refusal> {
        let id = header(headers, "id").ok_or(Refusal::Header("webhook-id"))?;
        let timestamp: i64 = header(headers, "timestamp")
            .and_then(|t| t.parse().ok())
            .ok_or(Refusal::Header("webhook-timestamp"))?;
        let signature = header(headers, "signature").ok_or(Refusal::Header("webhook-signature"))?;
        if (now - timestamp).abs() > TOLERANCE_SECONDS {
            return Err(Refusal::Stale);
        }
        if !self.secrets.iter().any(|secret| secret.verify(id, timestamp, body, signature)) {
            return Err(Refusal::Signature);
        }
        Ok(Verified { id: id.to_owned() })
    }
}

/// `webhook-{name}`, or Svix's own `svix-{name}`.
fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    [format!("webhook-{name}"), format!("svix-{name}")]
        .iter()
        .find_map(|key| headers.get(key.as_str()))
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// The envelope fields the receiver needs. Codat's spec marks none of them required, and one
/// of its own announcements names the type `type`, so that is read too.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(alias = "type")]
    event_type: String,
    #[serde(default)]
    payload: Value,
}

/// `POST /webhooks/codat`
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let received = std::time::Instant::now();
    let verified = state.webhook_verifier.verify(&headers, &body, now).map_err(|refusal| {
        state.metrics.webhook_received(WebhookReceipt::Refused);
        tracing::warn!(%refusal, "webhook refused");
        AppError::WebhookRefused(refusal.to_string())
    })?;
    let text = String::from_utf8_lossy(&body);
    let envelope = serde_json::from_str::<Envelope>(&text);
    let event_type = envelope.as_ref().map(|e| e.event_type.as_str()).unwrap_or("unreadable");
    if !state.db.insert_webhook_event(&verified.id, event_type, &text).await? {
        state.metrics.webhook_received(WebhookReceipt::Duplicate);
        return Ok((StatusCode::OK, Json(json!({"status": "duplicate"}))));
    }
    let envelope = match envelope {
        Ok(envelope) => envelope,
        // Codat signed it, so sending it again would not change it: keep it and say so.
        Err(error) => {
            let reason = format!("not a Codat event: {error}");
            tracing::error!(id = %verified.id, %reason, "webhook kept unprocessed");
            state.db.mark_webhook_failed(&verified.id, &reason).await?;
            state.metrics.webhook_received(WebhookReceipt::Kept);
            return Ok((StatusCode::OK, Json(json!({"status": "kept"}))));
        }
    };
    state.metrics.webhook_received(WebhookReceipt::Accepted);
    // Stored first, acknowledged at once, processed after: Codat wants an answer within 15 s.
    let processing = state.clone();
    tokio::spawn(async move { process(&processing, &verified.id, envelope, Some(received)).await });
    Ok((StatusCode::OK, Json(json!({"status": "accepted"}))))
}

/// Processes webhooks stored but not processed before a stop (at start-up).
pub async fn process_backlog(state: &AppState) {
    match state.db.unprocessed_webhook_events().await {
        Ok(events) => {
            for (id, body) in events {
                match serde_json::from_str::<Envelope>(&body) {
                    Ok(envelope) => process(state, &id, envelope, None).await,
                    Err(error) => {
                        let reason = format!("not a Codat event: {error}");
                        if let Err(error) = state.db.mark_webhook_failed(&id, &reason).await {
                            tracing::error!(%id, %error, "stored webhook unreadable and not marked");
                        }
                    }
                }
            }
        }
        Err(error) => tracing::error!(%error, "could not read stored webhooks"),
    }
}

/// Why a webhook was not processed.
#[derive(Debug)]
enum NotProcessed {
    /// It cannot be acted on, now or later: kept with the reason.
    Unreadable(String),
    /// Storage or Codat failed: it stays stored for the next start.
    Later(AppError),
}

impl From<AppError> for NotProcessed {
    fn from(error: AppError) -> Self {
        Self::Later(error)
    }
}

impl From<codat::CodatError> for NotProcessed {
    fn from(error: codat::CodatError) -> Self {
        match error.status() {
            Some(StatusCode::NOT_FOUND) => Self::Unreadable(format!("Codat no longer knows it: {error}")),
            _ => Self::Later(error.into()),
        }
    }
}

impl From<sqlx::Error> for NotProcessed {
    fn from(error: sqlx::Error) -> Self {
        Self::Later(error.into())
    }
}

/// How often a webhook whose processing failed for a passing reason (storage busy, Codat down)
/// is tried again before it waits for the next start, and the first wait between tries.
const PROCESS_ATTEMPTS: u32 = 4;
const FIRST_RETRY: std::time::Duration = std::time::Duration::from_millis(200);

/// Processes one stored webhook; `received` is when this server received it (for the lag
/// metric), unknown for one left from before a restart.
async fn process(state: &AppState, id: &str, envelope: Envelope, received: Option<std::time::Instant>) {
    let mut wait = FIRST_RETRY;
    for attempt in 1..=PROCESS_ATTEMPTS {
        // A failed attempt rolled its transaction back, so trying again is safe.
        let error = match publish(state, id, &envelope).await {
            Ok(()) => {
                state.metrics.webhook_processed(WebhookProcessing::Processed, received);
                return;
            }
            Err(NotProcessed::Unreadable(reason)) => {
                state.metrics.webhook_processed(WebhookProcessing::Unreadable, received);
                tracing::error!(%id, event_type = %envelope.event_type, %reason, "webhook kept unprocessed");
                if let Err(error) = state.db.mark_webhook_failed(id, &reason).await {
                    tracing::error!(%id, %error, "webhook unreadable and not marked");
                }
                return;
            }
            Err(NotProcessed::Later(error)) => error,
        };
        if attempt == PROCESS_ATTEMPTS {
            state.metrics.webhook_processed(WebhookProcessing::Deferred, received);
            tracing::error!(%id, %error, "webhook not processed; it stays stored for the next start");
            return;
        }
        tracing::warn!(%id, %error, attempt, "webhook not processed yet; trying again");
        tokio::time::sleep(wait).await;
        wait *= 4;
    }
}

/// What any company event names: the company (only its id is needed).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AboutCompany {
    reference_company: Option<Named>,
}

/// A `connection.*` payload without all the fields Codat's model requires: its connection's id.
#[derive(Debug, Deserialize)]
struct AboutConnection {
    connection: Named,
}

/// A `connection.*` payload whose connection Codat's model reads, whatever the rest holds.
#[derive(Debug, Deserialize)]
struct WithConnection {
    connection: codat::Connection,
}

#[derive(Debug, Deserialize)]
struct Named {
    id: String,
}

/// One data type's read in a `read.completed` payload, where the payload lacks fields Codat's
/// model requires.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadSummary {
    #[serde(default)]
    connection_id: String,
    data_type: String,
    status: codat::PullStatus,
}

/// Acts on a stored webhook: the change it tells of is made through [`crate::facts`] with the
/// webhook marked processed in the same transaction.
async fn publish(state: &AppState, id: &str, envelope: &Envelope) -> Result<(), NotProcessed> {
    let cause = Cause::Webhook(id);
    let about: AboutCompany =
        serde_json::from_value(envelope.payload.clone()).unwrap_or(AboutCompany { reference_company: None });
    let Some(company_id) = about.reference_company.map(|company| company.id) else {
        // Events about no company (`client.rateLimit.*`, say) concern no page.
        return Ok(facts::nothing_changed(state, cause).await?);
    };
    let Some(merchant) = state.db.merchant_by_company(&company_id).await? else {
        return Ok(facts::nothing_changed(state, cause).await?);
    };
    let event = match envelope.event_type.as_str() {
        kind if kind.starts_with("connection.") => {
            // Codat's model of the whole payload; else its model of the connection alone (the
            // company named by id only); else only the connection's id, and Codat is asked.
            let payload = serde_json::from_value::<codat::ConnectionWebhookPayload>(envelope.payload.clone())
                .map(|payload| payload.connection)
                .or_else(|_| {
                    serde_json::from_value::<WithConnection>(envelope.payload.clone())
                        .map(|with| with.connection)
                });
            let connection_id =
                match (&payload, serde_json::from_value::<AboutConnection>(envelope.payload.clone())) {
                    (Ok(connection), _) => connection.id.clone(),
                    (Err(_), Ok(about)) => about.connection.id,
                    (Err(_), Err(_)) => {
                        return Err(NotProcessed::Unreadable(format!("{kind} names no connection")))
                    }
                };
            if kind == "connection.deleted" {
                facts::connection_removed(state, &connection_id, cause).await?;
                LiveEvent::ConnectionRemoved { connection_id }
            } else {
                // Fields the spec leaves optional may be missing: then Codat is asked.
                let connection = match payload {
                    Ok(connection) => connection,
                    Err(_) => state.codat.get_connection(&company_id, &connection_id).await?,
                };
                facts::connections_seen(state, &merchant.id, std::slice::from_ref(&connection), cause)
                    .await?;
                LiveEvent::ConnectionChanged {
                    connection: Box::new(summary(connection)),
                    event_type: kind.to_owned(),
                }
            }
        }
        kind @ ("read.completed" | "read.completed.initial") => {
            let summaries: Vec<ReadSummary> =
                match serde_json::from_value::<codat::ReadCompletedPayload>(envelope.payload.clone()) {
                    Ok(payload) => payload
                        .data_types
                        .into_iter()
                        .map(|read| ReadSummary {
                            connection_id: read.connection_id,
                            data_type: read.data_type,
                            status: read.status,
                        })
                        .collect(),
                    // Entries Codat's model would refuse are read one by one; unreadable ones skipped.
                    Err(_) => envelope
                        .payload
                        .get("dataTypes")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|entry| serde_json::from_value(entry.clone()).ok())
                        .collect(),
                };
            let connection_id = summaries.first().map(|read| read.connection_id.clone()).unwrap_or_default();
            let reads: Vec<(String, codat_connect_api::SyncState)> = summaries
                .into_iter()
                .map(|read| (read.data_type, crate::flow::wire::simplify(read.status)))
                .collect();
            facts::reads_seen(state, &merchant.id, &reads, cause).await?;
            LiveEvent::SyncCompleted { connection_id, initial: kind == "read.completed.initial" }
        }
        _ => return Ok(facts::nothing_changed(state, cause).await?),
    };
    state.live.publish(&state.db, &merchant.id, event).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const BODY: &[u8] = br#"{"eventType":"connection.connected","payload":{}}"#;
    const NOW: i64 = 1_700_000_000;

    fn verifier() -> WebhookVerifier {
        WebhookVerifier::new(WebhookSecret::parse(SECRET).unwrap())
    }

    fn signed(prefix: &str, secret: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
        let signature = WebhookSecret::parse(secret).unwrap().sign("msg_1", timestamp, body);
        let mut headers = HeaderMap::new();
        let name = |n: &str| axum::http::HeaderName::from_bytes(format!("{prefix}-{n}").as_bytes()).unwrap();
        headers.insert(name("id"), HeaderValue::from_static("msg_1"));
        headers.insert(name("timestamp"), HeaderValue::from_str(&timestamp.to_string()).unwrap());
        headers.insert(name("signature"), HeaderValue::from_str(&signature).unwrap());
        headers
    }

    #[test]
    fn valid_signatures_pass_under_either_header_naming() {
        for prefix in ["webhook", "svix"] {
            let verified = verifier().verify(&signed(prefix, SECRET, NOW, BODY), BODY, NOW).unwrap();
            assert_eq!(verified.id, "msg_1");
        }
    }

    #[test]
    fn every_forgery_is_refused() {
        let v = verifier();
        let tampered = br#"{"eventType":"connection.deleted","payload":{}}"#;
        assert_eq!(v.verify(&signed("webhook", SECRET, NOW, BODY), tampered, NOW), Err(Refusal::Signature));
        let other_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        assert_eq!(v.verify(&signed("webhook", other_secret, NOW, BODY), BODY, NOW), Err(Refusal::Signature));
        let mut empty = signed("webhook", SECRET, NOW, BODY);
        empty.insert("webhook-signature", HeaderValue::from_static("v1,"));
        assert_eq!(v.verify(&empty, BODY, NOW), Err(Refusal::Signature));
        let stale = signed("webhook", SECRET, NOW - TOLERANCE_SECONDS - 1, BODY);
        assert_eq!(v.verify(&stale, BODY, NOW), Err(Refusal::Stale));
        let future = signed("webhook", SECRET, NOW + TOLERANCE_SECONDS + 1, BODY);
        assert_eq!(v.verify(&future, BODY, NOW), Err(Refusal::Stale));
        let mut missing = signed("webhook", SECRET, NOW, BODY);
        missing.remove("webhook-id");
        assert_eq!(v.verify(&missing, BODY, NOW), Err(Refusal::Header("webhook-id")));
    }

    #[test]
    fn the_edge_of_the_tolerance_is_inside_it() {
        let edge = signed("webhook", SECRET, NOW - TOLERANCE_SECONDS, BODY);
        assert!(verifier().verify(&edge, BODY, NOW).is_ok());
    }
}
