//! A merchant's connections: starting one, the return from Link, and how one is shown.

use serde::{Deserialize, Serialize};

use crate::{ConsentGiven, ConsentReceipt, SourceType};

/// Body of `POST /api/connections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectRequest {
    /// The platform to connect.
    pub platform_key: String,
    /// The consent the owner gave to the terms they were shown (required for a new connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentGiven>,
}

/// Authorization state of a connection, as Codat reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConnectionStatus {
    /// Created; the owner has not finished authorizing.
    PendingAuth,
    /// Authorized: data can be read.
    Linked,
    /// Severed by the lender; data kept.
    Unlinked,
    /// Access lost at the platform's side; data kept, must be re-linked.
    Deauthorized,
    /// A status Codat adds later.
    #[serde(other)]
    Unknown,
}

/// A connection as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Codat's connection id.
    pub id: String,
    /// Platform key, when Codat reports it.
    pub platform_key: Option<String>,
    /// Display name of the platform.
    pub platform_name: String,
    /// Kind of platform.
    pub source_type: SourceType,
    /// Authorization state.
    pub status: ConnectionStatus,
    /// When it was created (ISO 8601 as Codat sent it).
    pub created: String,
    /// When data was last synced, if ever.
    pub last_sync: Option<String>,
    /// The platform's square logo on our own origin, where a grid already showed it (only the
    /// connections list fills it in).
    #[serde(default)]
    pub logo_url: Option<String>,
    /// The receipt of the owner's consent for it (only the connections list fills it in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Box<ConsentReceipt>>,
    /// On a linked accounting connection whose business at the platform changed since it was
    /// first linked (Codat's company information): the business it named before and now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_was: Option<String>,
    /// The business it names now, with `company_was`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_now: Option<String>,
}

/// Body of `POST /api/callback`: what Codat's redirect brought back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackConfirmation {
    /// The `connectionId` placeholder.
    pub connection_id: String,
    /// The `state` placeholder: the value sent out with the Link URL, when Codat carried it
    /// back (absent otherwise; an empty value is a wrong one, never "no state").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// Answer to `POST /api/callback`: the connection as Codat reports it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnConfirmed {
    /// The connection named by the redirect.
    pub connection: Connection,
    /// Set only for a return without a session (an owner who came by the lender's link and
    /// whose platform's app brought them back into another browser): the lender's return URL
    /// with the merchant's outcome ([`Progress::return_address`]), the one thing that browser
    /// is given besides the connection's outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_url: Option<String>,
}

/// Answer to `POST /api/connections`: where to send the owner to authorize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectStarted {
    /// The new connection, `PendingAuth`.
    pub connection: Connection,
    /// The authorization page; the browser navigates here.
    pub link_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_source_type_and_status_deserialize_to_catch_all() {
        let json = r#"{"id":"c1","platformKey":null,"platformName":"New","sourceType":"Payroll",
            "status":"Archived","created":"2024-01-01T00:00:00Z","lastSync":null}"#;
        let connection: Connection = serde_json::from_str(json).unwrap();
        assert_eq!(connection.source_type, SourceType::Other);
        assert_eq!(connection.status, ConnectionStatus::Unknown);
    }
}
