//! Webhook consumers and signed, at-least-once delivery of events to them, as Codat's webhook
//! service does it: the same `webhook-id` on every attempt, a fresh timestamp and signature per
//! attempt, and retries with growing delays until a 2xx answer.

use codat::{WebhookConsumer, WebhookEvent, WebhookSecret};
use serde::Serialize;
use std::{
    collections::BTreeMap,
    sync::{Mutex, PoisonError},
    time::Duration,
};

/// Codat's retry schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
pub const CODAT_RETRY_DELAYS: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// Most consumers Codat allows.
pub const MAX_CONSUMERS: usize = 50;

/// The consumers and the means to deliver to them.
#[derive(Debug)]
pub struct WebhookDispatcher {
    consumers: Mutex<Vec<WebhookConsumer>>,
    secret: WebhookSecret,
    retry_delays: Vec<Duration>,
    http: reqwest::Client,
}

impl WebhookDispatcher {
    /// A dispatcher signing with `secret` and retrying after each of `retry_delays`.
    pub fn new(secret: WebhookSecret, retry_delays: Vec<Duration>, consumers: Vec<WebhookConsumer>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self { consumers: Mutex::new(consumers), secret, retry_delays, http }
    }

    fn consumers_lock(&self) -> std::sync::MutexGuard<'_, Vec<WebhookConsumer>> {
        self.consumers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every consumer.
    pub fn consumers(&self) -> Vec<WebhookConsumer> {
        self.consumers_lock().clone()
    }

    /// Adds a consumer; `None` when the limit is reached.
    pub fn add(&self, mut consumer: WebhookConsumer) -> Option<WebhookConsumer> {
        let mut consumers = self.consumers_lock();
        if consumers.len() >= MAX_CONSUMERS {
            return None;
        }
        consumer.id = Some(uuid::Uuid::new_v4().to_string());
        consumer.disabled.get_or_insert(false);
        consumers.push(consumer.clone());
        Some(consumer)
    }

    /// Removes a consumer; false when there is none with that id.
    pub fn remove(&self, id: &str) -> bool {
        let mut consumers = self.consumers_lock();
        let before = consumers.len();
        consumers.retain(|c| c.id.as_deref() != Some(id));
        consumers.len() != before
    }

    /// Sends an event to every enabled consumer subscribed to its type (and, where a consumer
    /// filters by company tag, to those whose tags match). Delivery runs in the background.
    pub fn emit<P: Serialize>(&self, event_type: &str, payload: &P, company_tags: &BTreeMap<String, String>) {
        let event = WebhookEvent {
            id: uuid::Uuid::new_v4().to_string(),
            event_type: event_type.to_owned(),
            generated_date: crate::state::now(),
            payload,
        };
        let Ok(body) = serde_json::to_vec(&event) else { return };
        let message_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        for consumer in self.consumers().into_iter().filter(|c| wants(c, event_type, company_tags)) {
            let delivery = Delivery {
                http: self.http.clone(),
                secret: self.secret.clone(),
                url: consumer.url,
                message_id: message_id.clone(),
                body: body.clone(),
                retry_delays: self.retry_delays.clone(),
            };
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(delivery.run());
            }
        }
    }
}

fn wants(consumer: &WebhookConsumer, event_type: &str, company_tags: &BTreeMap<String, String>) -> bool {
    let enabled = consumer.disabled != Some(true);
    let subscribed = consumer.event_types.iter().any(|t| t == event_type);
    let tagged = match consumer.company_tags.as_deref() {
        None | Some([]) => true,
        Some(filters) => filters.iter().any(|filter| {
            filter
                .split_once(':')
                .is_some_and(|(key, value)| company_tags.get(key).is_some_and(|v| v == value))
        }),
    };
    enabled && subscribed && tagged
}

/// One message on its way to one consumer.
struct Delivery {
    http: reqwest::Client,
    secret: WebhookSecret,
    url: String,
    message_id: String,
    body: Vec<u8>,
    retry_delays: Vec<Duration>,
}

impl Delivery {
    async fn run(self) {
        let waits = std::iter::once(Duration::ZERO).chain(self.retry_delays.iter().copied());
        for (attempt, wait) in waits.enumerate() {
            tokio::time::sleep(wait).await;
            let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
            let signature = self.secret.sign(&self.message_id, timestamp, &self.body);
            let outcome = self
                .http
                .post(&self.url)
                .header("content-type", "application/json")
                .header("webhook-id", &self.message_id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", signature)
                .body(self.body.clone())
                .send()
                .await;
            match outcome {
                Ok(response) if response.status().is_success() => return,
                Ok(response) => {
                    tracing::debug!(url = %self.url, attempt, status = %response.status(), "webhook refused")
                }
                Err(error) => tracing::debug!(url = %self.url, attempt, %error, "webhook not delivered"),
            }
        }
        tracing::warn!(url = %self.url, message = %self.message_id, "webhook given up after every retry");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consumer(types: &[&str], tags: Option<Vec<&str>>) -> WebhookConsumer {
        WebhookConsumer {
            id: None,
            url: "http://x.test".into(),
            disabled: None,
            event_types: types.iter().map(|t| t.to_string()).collect(),
            company_tags: tags.map(|t| t.into_iter().map(String::from).collect()),
        }
    }

    #[test]
    fn consumers_get_only_their_event_types_and_tags() {
        let mut tags = BTreeMap::new();
        tags.insert("region".to_string(), "uk".to_string());
        assert!(wants(&consumer(&["connection.connected"], None), "connection.connected", &tags));
        assert!(!wants(&consumer(&["connection.created"], None), "connection.connected", &tags));
        assert!(wants(&consumer(&["read.completed"], Some(vec!["region:uk"])), "read.completed", &tags));
        assert!(!wants(&consumer(&["read.completed"], Some(vec!["region:us"])), "read.completed", &tags));
        let mut disabled = consumer(&["read.completed"], None);
        disabled.disabled = Some(true);
        assert!(!wants(&disabled, "read.completed", &tags));
    }
}
