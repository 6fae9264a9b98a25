//! What the app tells the host page, and the envelope it goes in; `embed.js` turns each into a
//! DOM `CustomEvent`.

use codat_connect_api::{ErrorCode, Progress, SourceType};
use leptos::prelude::window;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// Tag on every message between the frames, so unrelated messages are ignored.
pub(crate) const MESSAGE_SOURCE: &str = "codat-connect";

/// What the app tells the host page; `embed.js` dispatches each as `codat-connect:<type>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "detail", rename_all = "camelCase")]
pub enum EmbedEvent {
    /// The app is showing its first page.
    Ready {},
    /// A connection was created and its Link page opened.
    #[serde(rename_all = "camelCase")]
    Started {
        /// The platform chosen.
        platform_key: String,
        /// Codat's id of the new connection.
        connection_id: String,
    },
    /// Codat reported the connection authorized and the proxy confirmed it.
    #[serde(rename_all = "camelCase")]
    Connected {
        /// Codat's connection id.
        connection_id: String,
        /// The platform's key, where known.
        platform_key: Option<String>,
        /// The platform's name.
        platform_name: String,
        /// The kind of platform.
        source_type: SourceType,
    },
    /// The business owner said they are done (offered once every required kind is linked):
    /// the kinds linked, still missing (none) and skipped.
    Finished(Progress),
    /// A connection lost its access or some data could not be read: the owner is asked to act.
    #[serde(rename = "attention_needed", rename_all = "camelCase")]
    AttentionNeeded {
        /// Connections that must be authorized again.
        connection_ids: Vec<String>,
        /// Whether some data types' latest read failed.
        reads_failed: bool,
    },
    /// Something went wrong.
    Error {
        /// What went wrong, for the host's code to act on.
        code: HostErrorCode,
        /// What the owner was shown.
        message: String,
        /// Whether the owner can carry on in the app (otherwise the host must act, say with a
        /// new session token).
        recoverable: bool,
    },
    /// The owner closed the app.
    Closed {},
    /// The app's content height, for the frame (handled by `embed.js`, not dispatched).
    Resize {
        /// Height in CSS pixels.
        height: i32,
    },
}

/// The envelope posted between frames.
#[derive(Serialize)]
pub(super) struct Envelope<'a> {
    source: &'a str,
    #[serde(flatten)]
    event: &'a EmbedEvent,
}

/// The `code` of an `error` event, as README's embedding section lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostErrorCode {
    /// `invalid_options`: the host page's options were refused (not recoverable: fix the
    /// options or the page that frames the app).
    InvalidOptions,
    /// `not_linked`: the owner came back from Link but Codat does not have the connection linked.
    NotLinked,
    /// `cancelled`: the owner cancelled on Codat's Link page.
    Cancelled,
    /// `link_failed`: Codat's Link reported an error.
    LinkFailed,
    /// `not_supported`: the platform cannot be linked this way.
    NotSupported,
    /// `unknown_status`: Codat's Link came back with a status the app does not know.
    UnknownStatus,
    /// `unreachable`: the server could not be reached.
    Unreachable,
    /// `bad_answer`: the server answered something the app could not read.
    BadAnswer,
    /// The server refused, with its own code (`not_signed_in` is not recoverable: the session
    /// ended, so mint a new token and mount again).
    Server(ErrorCode),
}

impl HostErrorCode {
    /// The code as the host receives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidOptions => "invalid_options",
            Self::NotLinked => "not_linked",
            Self::Cancelled => "cancelled",
            Self::LinkFailed => "link_failed",
            Self::NotSupported => "not_supported",
            Self::UnknownStatus => "unknown_status",
            Self::Unreachable => "unreachable",
            Self::BadAnswer => "bad_answer",
            Self::Server(code) => code.as_str(),
        }
    }
}

impl Serialize for HostErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Posts `event` to the page that frames this one, if any, for `target_origin` only.
pub(super) fn post_to_parent(event: &EmbedEvent, target_origin: &str) {
    let Some(parent) = window().parent().ok().flatten() else { return };
    let Some(json) = crate::json::to_string(&Envelope { source: MESSAGE_SOURCE, event }) else { return };
    let _ = parent.post_message(&JsValue::from_str(&json), target_origin);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_errors_code_is_its_spelling_for_the_host() {
        let refused = EmbedEvent::Error {
            code: HostErrorCode::Server(ErrorCode::NotSignedIn),
            message: "m".into(),
            recoverable: false,
        };
        let json = serde_json::to_value(&refused).unwrap();
        assert_eq!(json["detail"]["code"], "not_signed_in");
        let invalid = EmbedEvent::Error {
            code: HostErrorCode::InvalidOptions,
            message: "m".into(),
            recoverable: false,
        };
        assert_eq!(serde_json::to_value(&invalid).unwrap()["detail"]["code"], "invalid_options");
    }

    #[test]
    fn events_are_tagged_for_the_host() {
        let event = EmbedEvent::Started { platform_key: "gbol".into(), connection_id: "c1".into() };
        let json = serde_json::to_value(Envelope { source: MESSAGE_SOURCE, event: &event }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"source": "codat-connect", "type": "started",
                "detail": {"platformKey": "gbol", "connectionId": "c1"}})
        );
        let closed = serde_json::to_value(Envelope { source: MESSAGE_SOURCE, event: &EmbedEvent::Closed {} });
        assert_eq!(
            closed.unwrap(),
            serde_json::json!({"source": "codat-connect", "type": "closed", "detail": {}})
        );
    }
}
