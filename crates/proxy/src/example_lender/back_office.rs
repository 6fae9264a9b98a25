//! Northwind Capital's back office: its applicants and their readiness from the status API
//! (`GET /v1/merchants`, `GET /v1/merchants/{id}`), updated live from the webhooks Codat Connect
//! sends to `POST /webhooks` (each signature verified the Standard Webhooks way before it is
//! believed), and the delivery log (`GET /v1/webhook-deliveries`). What a lender's own back
//! office does, in a few routes.

use super::Lender;
use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    Json,
};
use futures_util::{Stream, StreamExt as _};
use serde_json::{json, Value};
use std::{collections::VecDeque, convert::Infallible, sync::Arc, time::Duration};
use tokio::sync::broadcast;

/// Webhooks kept for the page.
const KEPT: usize = 50;
/// How far a webhook's timestamp may be from now.
const TOLERANCE_SECONDS: i64 = 5 * 60;

/// What the back office heard: the latest webhooks, and a channel to the open pages.
#[derive(Debug)]
pub struct Inbox {
    received: std::sync::Mutex<VecDeque<Value>>,
    pages: broadcast::Sender<Value>,
}

impl Default for Inbox {
    fn default() -> Self {
        Self { received: std::sync::Mutex::default(), pages: broadcast::channel(64).0 }
    }
}

/// `POST /webhooks`: Codat Connect's events, verified with the endpoint's secret.
pub async fn receive(State(lender): State<Arc<Lender>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Ok(timestamp) = header("webhook-timestamp").parse::<i64>() else { return StatusCode::BAD_REQUEST };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let id = header("webhook-id");
    let signed = lender.webhook_secret.verify(id, timestamp, &body, header("webhook-signature"));
    if !signed || (now - timestamp).abs() > TOLERANCE_SECONDS {
        tracing::warn!(%id, "the example lender refused a webhook it could not verify");
        return StatusCode::BAD_REQUEST;
    }
    let Ok(mut event) = serde_json::from_slice::<Value>(&body) else { return StatusCode::BAD_REQUEST };
    event["id"] = id.into();
    {
        let mut received = lender.inbox.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // A redelivery of an event already shown is acknowledged and not shown twice.
        if received.iter().any(|seen| seen["id"] == event["id"]) {
            return StatusCode::NO_CONTENT;
        }
        received.push_front(event.clone());
        received.truncate(KEPT);
    }
    let _ = lender.inbox.pages.send(event);
    StatusCode::NO_CONTENT
}

/// `GET /back-office/webhooks`: the latest webhooks, newest first.
pub async fn webhooks(State(lender): State<Arc<Lender>>) -> Json<Vec<Value>> {
    let received = lender.inbox.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Json(received.iter().cloned().collect())
}

/// `GET /back-office/events`: each webhook as it arrives, for the open page, until the server stops.
pub async fn events(State(lender): State<Arc<Lender>>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut stopping = lender.stopping.clone();
    let stopped = async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
    };
    let stream = futures_util::stream::unfold(lender.inbox.pages.subscribe(), |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(event) => return Some((event, receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .map(|event| Ok(Event::default().event("webhook").data(event.to_string())))
    .take_until(Box::pin(stopped));
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// `GET /back-office/applicants`: every applicant with its status, from the status API.
pub async fn applicants(State(lender): State<Arc<Lender>>) -> Response {
    let list = match admin_get(&lender, "/v1/merchants").await {
        Ok(list) => list,
        Err(failure) => return failure,
    };
    let mut applicants = Vec::new();
    for summary in list["results"].as_array().into_iter().flatten() {
        let id = summary["merchantId"].as_str().unwrap_or_default();
        match admin_get(&lender, &format!("/v1/merchants/{id}")).await {
            Ok(status) => applicants.push(status),
            Err(failure) => return failure,
        }
    }
    Json(applicants).into_response()
}

/// `GET /back-office/funnel`: the last 30 days' funnel.
pub async fn funnel(State(lender): State<Arc<Lender>>) -> Response {
    match admin_get(&lender, "/v1/analytics/funnel").await {
        Ok(funnel) => Json(funnel).into_response(),
        Err(failure) => failure,
    }
}

/// `GET /back-office/deliveries`: the delivery log.
pub async fn deliveries(State(lender): State<Arc<Lender>>) -> Response {
    match admin_get(&lender, "/v1/webhook-deliveries").await {
        Ok(log) => Json(log).into_response(),
        Err(failure) => failure,
    }
}

/// A GET of Codat Connect's lender API with the admin token, as JSON.
async fn admin_get(lender: &Lender, path: &str) -> Result<Value, Response> {
    let failure =
        |message: String| (StatusCode::BAD_GATEWAY, Json(json!({"message": message}))).into_response();
    let answer = lender
        .http
        .get(format!("{}{path}", lender.internal_url))
        .bearer_auth(&lender.admin_token)
        .send()
        .await
        .map_err(|e| failure(format!("Codat Connect is unreachable: {e}")))?;
    if !answer.status().is_success() {
        return Err(failure(format!("Codat Connect answered {}", answer.status())));
    }
    answer.json().await.map_err(|e| failure(format!("unreadable answer: {e}")))
}

/// The back office page's headers: no caching of applicants' data.
pub fn no_store() -> [(header::HeaderName, &'static str); 1] {
    [(header::CACHE_CONTROL, "no-store")]
}
