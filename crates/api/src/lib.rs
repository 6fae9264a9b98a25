//! Wire types between the Codat Connect web app and its proxy.
//!
//! The proxy exposes one small JSON endpoint per step of the flow (`/api/*`); these types are
//! the bodies of those endpoints. They depend on serde only, so the same definitions compile
//! into the wasm app and the native server and the two can never drift apart.

use serde::{Deserialize, Serialize};

/// Paths of the proxy's JSON API, so the app and the server name them once.
pub mod paths {
    /// `POST`: sign up (creates the merchant, its Codat company and a session).
    pub const SIGN_UP: &str = "/api/signup";
    /// `GET`: the signed-in merchant.
    pub const SESSION: &str = "/api/session";
    /// `GET`: the integration grid (`?sourceType=Accounting`).
    pub const INTEGRATIONS: &str = "/api/integrations";
    /// `GET`: the merchant's connections; `POST`: start a new one.
    pub const CONNECTIONS: &str = "/api/connections";
    /// `POST`: confirm the connection Codat's redirect names, with the state sent out with it.
    pub const CALLBACK: &str = "/api/callback";
    /// `GET`: the first data sync's progress, per data type.
    pub const SYNC: &str = "/api/sync";
    /// `POST`: read every data type again (after some could not be read).
    pub const SYNC_REFRESH: &str = "/api/sync/refresh";
    /// `GET`: server-sent events about the merchant's connections and syncs.
    pub const EVENTS: &str = "/api/events";
}

/// The web app's pages: the proxy answers these with the app and 200, any other path with the
/// app (which says "page not found") and 404.
pub mod pages {
    /// Step 1: sign-up.
    pub const SIGN_UP: &str = "/";
    /// Steps 2 and 3: the integration picker.
    pub const CONNECT: &str = "/connect";
    /// Step 4: where Codat's Link redirects back to.
    pub const CALLBACK: &str = "/callback";
    /// Step 5: the merchant's connections.
    pub const CONNECTIONS: &str = "/connections";

    /// The page `path` names, as one of the constants above (a trailing slash makes no
    /// difference), or `None` for any other path.
    pub fn page(path: &str) -> Option<&'static str> {
        let path = match path.trim_end_matches('/') {
            "" => SIGN_UP,
            other => other,
        };
        [SIGN_UP, CONNECT, CALLBACK, CONNECTIONS].into_iter().find(|page| *page == path)
    }
}

/// Name of the header every state-changing request carries; a cross-site form cannot set it.
pub const CSRF_HEADER: &str = "x-codat-connect";

/// Body of `POST /api/signup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpRequest {
    /// The business's trading name, shown back to the owner.
    pub business_name: String,
    /// Where the lender can reach the owner.
    pub email: String,
}

/// Longest business name accepted, in characters.
pub const MAX_BUSINESS_NAME: usize = 200;

/// Longest email address accepted, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;

/// What is wrong with a sign-up. The page checks before sending and the proxy again on arrival,
/// with the same rules; each problem has a code the page shows in its own language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpProblem {
    /// The business name is blank.
    MissingName,
    /// The business name is longer than [`MAX_BUSINESS_NAME`].
    NameTooLong,
    /// The email address cannot be one.
    ImplausibleEmail,
}

impl SignUpProblem {
    /// The `code` of the proxy's error answer.
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingName => "missing_business_name",
            Self::NameTooLong => "business_name_too_long",
            Self::ImplausibleEmail => "implausible_email",
        }
    }

    /// The proxy's (English) message.
    pub fn message(self) -> String {
        match self {
            Self::MissingName => "Enter your business's name.".into(),
            Self::NameTooLong => format!("A business name has at most {MAX_BUSINESS_NAME} characters."),
            Self::ImplausibleEmail => "Enter an email address such as name@business.com.".into(),
        }
    }
}

impl SignUpRequest {
    /// The trimmed business name and email, or the first problem with them.
    pub fn checked(&self) -> Result<(String, String), SignUpProblem> {
        let name = self.business_name.trim();
        let email = self.email.trim();
        if name.is_empty() {
            return Err(SignUpProblem::MissingName);
        }
        if name.chars().count() > MAX_BUSINESS_NAME {
            return Err(SignUpProblem::NameTooLong);
        }
        let plausible = email.len() <= MAX_EMAIL
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(char::is_whitespace);
        if !plausible {
            return Err(SignUpProblem::ImplausibleEmail);
        }
        Ok((name.to_owned(), email.to_owned()))
    }
}

/// The merchant a session belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The lender's identifier for the merchant; also the Codat company's name.
    pub merchant_id: String,
    /// The business's trading name.
    pub business_name: String,
    /// The Codat company created for the merchant.
    pub company_id: String,
}

/// The kind of platform an integration connects to, as Codat names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceType {
    /// Accounting software (Xero, QuickBooks, ...). A company has at most one.
    Accounting,
    /// Bank feeds (Plaid, TrueLayer).
    Banking,
    /// Commerce platforms (Shopify, Stripe, ...).
    Commerce,
    /// Anything Codat adds later; shown, never rejected.
    #[serde(other)]
    Other,
}

impl SourceType {
    /// Codat's spelling, as used in query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accounting => "Accounting",
            Self::Banking => "Banking",
            Self::Commerce => "Commerce",
            Self::Other => "Other",
        }
    }
}

/// One card of the integration grid: a platform with its branding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationCard {
    /// Codat's four-letter platform key, e.g. `gbol` for Xero.
    pub platform_key: String,
    /// Display name.
    pub name: String,
    /// What kind of platform it is.
    pub source_type: SourceType,
    /// Square logo.
    pub logo_url: String,
    /// Alternative text for the logo.
    pub logo_alt: String,
    /// The platform's own connect button, where it has one.
    pub button_url: Option<String>,
    /// The button's hover state (required by Intuit for QuickBooks).
    pub button_hover_url: Option<String>,
    /// Codat marks the integration as beta.
    pub is_beta: bool,
}

/// Body of `POST /api/connections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectRequest {
    /// The platform to connect.
    pub platform_key: String,
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
}

/// Body of `POST /api/callback`: what Codat's redirect brought back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackConfirmation {
    /// The `connectionId` placeholder.
    pub connection_id: String,
    /// The `state` placeholder: the value sent out with the Link URL.
    pub state: String,
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

/// Where the read of one data type stands, simplified from Codat's many statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncState {
    /// Waiting to start.
    Queued,
    /// Being read.
    Fetching,
    /// Read.
    Complete,
    /// The read failed.
    Failed,
    /// The platform does not offer this data.
    NotSupported,
}

impl SyncState {
    /// The read has ended, well or badly.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Complete | Self::Failed | Self::NotSupported)
    }
}

/// The read of one data type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataTypeProgress {
    /// Codat's name, e.g. `invoices` or `banking-accounts`.
    pub data_type: String,
    /// Where it stands.
    pub state: SyncState,
}

/// Something that happened to the merchant's connections, pushed to the page as a server-sent
/// event (`event:` is the variant name, `data:` the JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum LiveEvent {
    /// A connection was created, linked, failed, disconnected, reconnected or deleted.
    ConnectionChanged {
        /// The connection as it now is.
        connection: Connection,
        /// Codat's event type, e.g. `connection.connected`.
        event_type: String,
    },
    /// A connection was deleted.
    ConnectionRemoved {
        /// Codat's id of the connection.
        connection_id: String,
    },
    /// A read of the merchant's data finished (the first one after linking, or a later one).
    SyncCompleted {
        /// The connection read from.
        connection_id: String,
        /// True for the first read after linking.
        initial: bool,
    },
    /// Reads of these data types moved on (seen by the server watching Codat itself).
    SyncProgressed {
        /// Codat's names of the data types whose read changed state.
        data_types: Vec<String>,
    },
}

impl LiveEvent {
    /// The SSE `event:` name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ConnectionChanged { .. } => "connectionChanged",
            Self::ConnectionRemoved { .. } => "connectionRemoved",
            Self::SyncCompleted { .. } => "syncCompleted",
            Self::SyncProgressed { .. } => "syncProgressed",
        }
    }
}

/// Body of `POST /v1/sessions`, sent by the lender's backend with its admin token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedSessionRequest {
    /// The lender's own id for the merchant (letters, digits, `-` and `_`, at most 64).
    pub merchant_id: String,
    /// The merchant's trading name.
    pub business_name: String,
    /// The merchant's contact address, if the lender shares it.
    #[serde(default)]
    pub email: Option<String>,
}

/// Answer to `POST /v1/sessions`: a short-lived token the lender hands to its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedSession {
    /// Sent by the page as `Authorization: Bearer <token>`.
    pub session_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// The merchant's Codat company.
    pub company_id: String,
}

/// Every error the proxy answers with, whatever the status code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// A stable machine-readable code, e.g. `not_signed_in`, `codat_unavailable`.
    pub code: String,
    /// A sentence a person can read.
    pub message: String,
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

    #[test]
    fn live_events_are_tagged_and_camel_cased() {
        let event = LiveEvent::SyncCompleted { connection_id: "c1".into(), initial: true };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "syncCompleted", "connectionId": "c1", "initial": true}));
        assert_eq!(event.name(), "syncCompleted");
    }

    #[test]
    fn sign_up_request_uses_camel_case_on_the_wire() {
        let body = SignUpRequest { business_name: "Acme".into(), email: "a@b.c".into() };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["businessName"], "Acme");
    }
}
