//! The server-sent events a page listens to, and the ticket an embedded page opens them with.

use serde::{Deserialize, Serialize};

use crate::Connection;

/// Something that happened to the merchant's connections, pushed to the page as a server-sent
/// event (`event:` is the variant name, `data:` the JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum LiveEvent {
    /// A connection was created, linked, failed, disconnected, reconnected or deleted.
    ConnectionChanged {
        /// The connection as it now is (boxed: the other events are small).
        connection: Box<Connection>,
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
    /// Every SSE `event:` name a `LiveEvent` is sent under, for a page to listen to.
    pub const NAMES: [&'static str; 4] =
        ["connectionChanged", "connectionRemoved", "syncCompleted", "syncProgressed"];

    /// The name sent when a stream may have missed events and the page should reload what it
    /// shows (`data:` is `{}`).
    pub const RESYNC: &'static str = "resync";

    /// The SSE `event:` name: one of [`Self::NAMES`].
    pub fn name(&self) -> &'static str {
        let [changed, removed, completed, progressed] = Self::NAMES;
        match self {
            Self::ConnectionChanged { .. } => changed,
            Self::ConnectionRemoved { .. } => removed,
            Self::SyncCompleted { .. } => completed,
            Self::SyncProgressed { .. } => progressed,
        }
    }
}

/// A one-time ticket for the event stream: `GET /api/events?ticket=<ticket>` (an embedded page's
/// `EventSource` cannot send its session token as a header, and the token must not be in a URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamTicket {
    /// Good for one stream.
    pub ticket: String,
    /// Seconds it may wait to be used.
    pub expires_in: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnectionStatus, SourceType};

    #[test]
    fn live_events_are_tagged_and_camel_cased() {
        let event = LiveEvent::SyncCompleted { connection_id: "c1".into(), initial: true };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "syncCompleted", "connectionId": "c1", "initial": true}));
        assert_eq!(event.name(), "syncCompleted");
        // The SSE name is the tag the JSON carries, for every kind of event.
        let connection = Connection {
            id: "c1".into(),
            platform_key: None,
            platform_name: "Xero".into(),
            source_type: SourceType::Accounting,
            status: ConnectionStatus::Linked,
            created: String::new(),
            last_sync: None,
            logo_url: None,
            consent: None,
            company_was: None,
            company_now: None,
        };
        for event in [
            LiveEvent::ConnectionChanged {
                connection: Box::new(connection),
                event_type: "connection.connected".into(),
            },
            LiveEvent::ConnectionRemoved { connection_id: "c1".into() },
            event,
            LiveEvent::SyncProgressed { data_types: vec![] },
        ] {
            assert_eq!(serde_json::to_value(&event).unwrap()["kind"], event.name());
        }
    }
}
