//! Webhook consumers and the events Codat sends to them (the spec's `webhooks:` section).

use crate::{Company, Connection, PullStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The events about connections and reads: what an auth flow listens to.
pub const CONNECTION_EVENT_TYPES: [&str; 8] = [
    "connection.created",
    "connection.connected",
    "connection.failed",
    "connection.disconnected",
    "connection.reconnected",
    "connection.deleted",
    "read.completed.initial",
    "read.completed",
];

/// The events about companies.
pub const COMPANY_EVENT_TYPES: [&str; 2] = ["company.created", "company.deleted"];

/// A webhook consumer: an endpoint subscribed to event types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookConsumer {
    /// Its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where events are sent.
    pub url: String,
    /// No events are sent while `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// The event types it receives.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Only companies with one of these `key:value` tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_tags: Option<Vec<String>>,
}

/// `GET /webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookConsumers {
    /// Every consumer.
    pub results: Vec<WebhookConsumer>,
}

/// The envelope of every event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent<P> {
    /// Unique id of the event.
    pub id: String,
    /// e.g. `connection.connected`.
    pub event_type: String,
    /// When Codat generated it.
    pub generated_date: String,
    /// The event's details.
    pub payload: P,
}

/// A short reference to a company, as events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyReference {
    /// The company's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Links to the company in Codat's portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<CompanyLinks>,
    /// Its tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// Links to a company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyLinks {
    /// The company in Codat's portal.
    pub portal: String,
}

impl CompanyReference {
    /// The reference to `company`.
    pub fn of(company: &Company) -> Self {
        Self {
            id: company.id.clone(),
            name: company.name.clone(),
            description: company.description.clone(),
            links: Some(CompanyLinks {
                portal: format!("https://app.codat.io/companies/{}/summary", company.id),
            }),
            tags: company.tags.clone(),
        }
    }
}

/// Payload of `connection.*` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionWebhookPayload {
    /// The company.
    pub reference_company: CompanyReference,
    /// The connection as it is now.
    pub connection: Connection,
}

/// Payload of `read.completed` and `read.completed.initial`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadCompletedPayload {
    /// The company.
    pub reference_company: CompanyReference,
    /// Records modified since this time were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_from_date: Option<String>,
    /// One entry per data type read.
    pub data_types: Vec<DataTypeReadSummary>,
}

/// How the read of one data type went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataTypeReadSummary {
    /// The connection read from.
    pub connection_id: String,
    /// The data type.
    pub data_type: String,
    /// Whether records changed.
    pub records_modified: bool,
    /// How the read ended.
    pub status: PullStatus,
    /// Problems found, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issues: Option<Vec<serde_json::Value>>,
}
