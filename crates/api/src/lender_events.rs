//! The events the lender's webhook endpoints receive: the lender's contract. Each is signed the
//! Standard Webhooks way and carries `{"type", "timestamp", "data"}`, `data` always naming the
//! lender's own merchant id and the merchant's Codat company.

use crate::{Progress, Requirements, SourceType};
use serde::{Deserialize, Serialize};

/// One event as sent: its type and data, and when it happened (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LenderEvent {
    /// The type and its data.
    #[serde(flatten)]
    pub event: LenderEventData,
    /// When the server learnt of it.
    pub timestamp: String,
}

/// Each event type with its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum LenderEventData {
    /// A connection was authorized (or re-authorized).
    #[serde(rename = "merchant.connection.linked")]
    ConnectionLinked(ConnectionEvent),
    /// A connection was unlinked, or removed (`removed: true`).
    #[serde(rename = "merchant.connection.unlinked")]
    ConnectionUnlinked(ConnectionEvent),
    /// A connection lost its access at the platform: the owner must reconnect.
    #[serde(rename = "merchant.connection.needs_reauth")]
    ConnectionNeedsReauth(ConnectionEvent),
    /// A data type's read finished and its data is stored at Codat.
    #[serde(rename = "merchant.sync.completed")]
    SyncCompleted(SyncCompletedEvent),
    /// Every required kind of platform is linked and read once: ready for a decision.
    #[serde(rename = "merchant.ready")]
    Ready(ReadyEvent),
    /// Most businesses' recent attempts at a platform failed: owners are told it may not work.
    #[serde(rename = "platform.degraded")]
    PlatformDegraded(PlatformHealthEvent),
    /// A degraded platform's attempts no longer mostly fail.
    #[serde(rename = "platform.recovered")]
    PlatformRecovered(PlatformHealthEvent),
    /// On a phone, the owner asked for a link to continue on the computer a desktop-only
    /// platform is installed on: the lender's systems may e-mail it.
    #[serde(rename = "merchant.continue_on_computer")]
    ContinueOnComputer(ContinueOnComputerEvent),
    /// The owner asked someone else (an accountant, a bookkeeper) to link for the business:
    /// the lender's systems may e-mail them the link.
    #[serde(rename = "merchant.handoff_requested")]
    HandoffRequested(HandoffRequestedEvent),
    /// The owner sent a document instead of linking a platform of its kind (it is stored at
    /// Codat; Codat's Files API downloads it).
    #[serde(rename = "merchant.document_sent")]
    DocumentSent(DocumentSentEvent),
    /// The business at the merchant's accounting platform is not the one read before (Codat's
    /// company information: its name or registration number changed), as after a reconnect to
    /// another company.
    #[serde(rename = "merchant.connection.identity_changed")]
    IdentityChanged(IdentityChangedEvent),
}

/// Every event type's name, in the order the README lists them.
pub const LENDER_EVENT_TYPES: [&str; 11] = [
    "merchant.connection.linked",
    "merchant.connection.unlinked",
    "merchant.connection.needs_reauth",
    "merchant.sync.completed",
    "merchant.ready",
    "platform.degraded",
    "platform.recovered",
    "merchant.continue_on_computer",
    "merchant.handoff_requested",
    "merchant.document_sent",
    "merchant.connection.identity_changed",
];

impl LenderEventData {
    /// The event's type, as in its `type` field.
    pub fn event_type(&self) -> &'static str {
        let index = match self {
            Self::ConnectionLinked(_) => 0,
            Self::ConnectionUnlinked(_) => 1,
            Self::ConnectionNeedsReauth(_) => 2,
            Self::SyncCompleted(_) => 3,
            Self::Ready(_) => 4,
            Self::PlatformDegraded(_) => 5,
            Self::PlatformRecovered(_) => 6,
            Self::ContinueOnComputer(_) => 7,
            Self::HandoffRequested(_) => 8,
            Self::DocumentSent(_) => 9,
            Self::IdentityChanged(_) => 10,
        };
        LENDER_EVENT_TYPES[index]
    }
}

/// A connection's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionEvent {
    /// The lender's merchant id.
    pub merchant_id: String,
    /// The merchant's Codat company.
    pub company_id: Option<String>,
    /// The connection.
    pub connection: EventConnection,
    /// The connection was deleted (its data too), not only unlinked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// A connection as an event describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventConnection {
    /// Codat's connection id.
    pub id: String,
    /// The platform's key (absent for a removed connection, or where Codat gave none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_key: Option<String>,
    /// The platform's name (absent for a removed connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_name: Option<String>,
    /// The kind of platform (absent for a removed connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<SourceType>,
    /// Its status now.
    pub status: EventConnectionStatus,
}

/// A connection's status in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventConnectionStatus {
    /// Authorized.
    Linked,
    /// Unlinked by the owner; data kept.
    Unlinked,
    /// Access lost at the platform.
    Deauthorized,
    /// Deleted with its data.
    Deleted,
}

/// A data type's read finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncCompletedEvent {
    /// The lender's merchant id.
    pub merchant_id: String,
    /// The merchant's Codat company.
    pub company_id: Option<String>,
    /// Codat's data type, e.g. `invoices`.
    pub data_type: String,
    /// The kind of platform it is read from.
    pub source_type: SourceType,
}

/// The merchant became ready for a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadyEvent {
    /// The lender's merchant id.
    pub merchant_id: String,
    /// The merchant's Codat company.
    pub company_id: Option<String>,
    /// What the lender required.
    pub requirements: Requirements,
    /// Where each kind stands.
    pub progress: Progress,
}

/// A link to continue on a computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinueOnComputerEvent {
    /// The lender's merchant id.
    pub merchant_id: String,
    /// The merchant's Codat company.
    pub company_id: Option<String>,
    /// The desktop-only platform the link opens at.
    pub platform_key: String,
    /// Its name.
    pub platform_name: String,
    /// The one-time link (the same the owner was shown): whoever holds it may continue the
    /// merchant's flow once, so send it only to the merchant.
    pub link: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
}

/// A hand-off the owner asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoffRequestedEvent {
    /// The lender's merchant id.
    pub merchant_id: String,
    /// The merchant's Codat company.
    pub company_id: Option<String>,
    /// The hand-off's id (to revoke it: `DELETE /v1/merchants/{merchantId}/handoffs/{id}`).
    pub handoff_id: String,
    /// Whom the owner named.
    pub person: String,
    /// The owner's note to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The one-time link for them (the same the owner was shown).
    pub link: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
}

/// A document the owner sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSentEvent {
    /// The lender's merchant id.
    pub merchant_id: String,
    /// The merchant's Codat company.
    pub company_id: Option<String>,
    /// The document.
    pub document: crate::SentDocument,
    /// Documents the merchant has sent for its kind, this one included.
    pub documents_of_kind: i64,
}

/// The business at the accounting platform changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityChangedEvent {
    /// The lender's merchant id.
    pub merchant_id: String,
    /// The merchant's Codat company.
    pub company_id: Option<String>,
    /// The linked accounting connection the business was read through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The business read before.
    pub previous: CompanyIdentity,
    /// The business read now.
    pub current: CompanyIdentity,
}

/// A business as its accounting platform names it (Codat's company information).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyIdentity {
    /// Its name.
    pub company_name: String,
    /// Its registration number, where the platform holds one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
}

/// A platform's health changed: how the last hour's Link attempts at it ended, in businesses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformHealthEvent {
    /// The platform's key.
    pub platform_key: String,
    /// Its name, where a grid offers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_name: Option<String>,
    /// Its kind, likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<SourceType>,
    /// Businesses whose attempt failed at the platform in the last hour.
    pub failed_businesses: i64,
    /// Businesses whose attempt linked in the last hour.
    pub linked_businesses: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_reads_back_as_sent_with_its_type_beside_its_data() {
        let event = LenderEvent {
            event: LenderEventData::SyncCompleted(SyncCompletedEvent {
                merchant_id: "m-1".into(),
                company_id: Some("c-1".into()),
                data_type: "invoices".into(),
                source_type: SourceType::Accounting,
            }),
            timestamp: "2026-12-04T00:00:00Z".into(),
        };
        let json: serde_json::Value = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "merchant.sync.completed");
        assert_eq!(json["data"]["dataType"], "invoices");
        assert_eq!(json["data"]["merchantId"], "m-1");
        assert_eq!(serde_json::from_value::<LenderEvent>(json).unwrap(), event);
        assert_eq!(event.event.event_type(), "merchant.sync.completed");
    }
}
