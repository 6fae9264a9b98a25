//! `POST /webhooks/codat`: Codat's webhooks, verified as Codat signs them (Standard Webhooks /
//! Svix headers, either naming), stored with their id unique before they are acknowledged, then
//! processed once: each becomes a live event for the merchant whose company it concerns.

use crate::{error::AppError, flow::connections::summary, AppState};
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
    secret: WebhookSecret,
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
        Self { secret }
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
        if !self.secret.verify(id, timestamp, body, signature) {
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
    let verified = state.webhook_verifier.verify(&headers, &body, now).map_err(|refusal| {
        tracing::warn!(%refusal, "webhook refused");
        AppError::WebhookRefused(refusal.to_string())
    })?;
    let text = String::from_utf8_lossy(&body);
    let envelope = serde_json::from_str::<Envelope>(&text);
    let event_type = envelope.as_ref().map(|e| e.event_type.as_str()).unwrap_or("unreadable");
    if !state.db.insert_webhook_event(&verified.id, event_type, &text).await? {
        return Ok((StatusCode::OK, Json(json!({"status": "duplicate"}))));
    }
    let envelope = match envelope {
        Ok(envelope) => envelope,
        // Codat signed it, so sending it again would not change it: keep it and say so.
        Err(error) => {
            let reason = format!("not a Codat event: {error}");
            tracing::error!(id = %verified.id, %reason, "webhook kept unprocessed");
            state.db.mark_webhook_failed(&verified.id, &reason).await?;
            return Ok((StatusCode::OK, Json(json!({"status": "kept"}))));
        }
    };
    // Stored first, acknowledged at once, processed after: Codat wants an answer within 15 s.
    let processing = state.clone();
    tokio::spawn(async move { process(&processing, &verified.id, envelope).await });
    Ok((StatusCode::OK, Json(json!({"status": "accepted"}))))
}

/// Processes webhooks stored but not processed before a stop (at start-up).
pub async fn process_backlog(state: &AppState) {
    match state.db.unprocessed_webhook_events().await {
        Ok(events) => {
            for (id, body) in events {
                match serde_json::from_str::<Envelope>(&body) {
                    Ok(envelope) => process(state, &id, envelope).await,
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

async fn process(state: &AppState, id: &str, envelope: Envelope) {
    let marked = match publish(state, &envelope).await {
        Ok(()) => state.db.mark_webhook_processed(id).await,
        Err(NotProcessed::Unreadable(reason)) => {
            tracing::error!(%id, event_type = %envelope.event_type, %reason, "webhook kept unprocessed");
            state.db.mark_webhook_failed(id, &reason).await
        }
        Err(NotProcessed::Later(error)) => {
            tracing::error!(%id, %error, "webhook not processed; it stays stored for the next start");
            return;
        }
    };
    if let Err(error) = marked {
        tracing::error!(%id, %error, "webhook processed but not marked");
    }
}

async fn publish(state: &AppState, envelope: &Envelope) -> Result<(), NotProcessed> {
    let company_id = envelope.payload.pointer("/referenceCompany/id").and_then(Value::as_str);
    let Some(company_id) = company_id else {
        // Events about no company (`client.rateLimit.*`, say) concern no page.
        return Ok(());
    };
    let Some(merchant) = state.db.merchant_by_company(company_id).await? else { return Ok(()) };
    let event = match envelope.event_type.as_str() {
        kind if kind.starts_with("connection.") => {
            let Some(connection_id) = envelope.payload.pointer("/connection/id").and_then(Value::as_str)
            else {
                return Err(NotProcessed::Unreadable(format!("{kind} names no connection")));
            };
            if kind == "connection.deleted" {
                crate::flow::connections::forget(state, connection_id).await?;
                LiveEvent::ConnectionRemoved { connection_id: connection_id.to_owned() }
            } else {
                // Fields the spec leaves optional may be missing: then Codat is asked.
                let connection = match envelope.payload.get("connection").cloned().map(serde_json::from_value)
                {
                    Some(Ok(connection)) => connection,
                    _ => state.codat.get_connection(company_id, connection_id).await?,
                };
                crate::flow::connections::remember(state, &merchant.id, &connection).await?;
                LiveEvent::ConnectionChanged { connection: summary(connection), event_type: kind.to_owned() }
            }
        }
        kind @ ("read.completed" | "read.completed.initial") => {
            let connection_id = envelope
                .payload
                .pointer("/dataTypes/0/connectionId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let reads =
                envelope.payload.get("dataTypes").and_then(Value::as_array).into_iter().flatten().filter_map(
                    |summary| {
                        let data_type = summary.get("dataType")?.as_str()?.to_owned();
                        let status: codat::PullStatus =
                            serde_json::from_value(summary.get("status")?.clone()).ok()?;
                        Some((data_type, crate::flow::sync::simplify(status)))
                    },
                );
            crate::lender::events::reads_seen(state, &merchant.id, reads.collect::<Vec<_>>()).await?;
            LiveEvent::SyncCompleted { connection_id, initial: kind == "read.completed.initial" }
        }
        _ => return Ok(()),
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
