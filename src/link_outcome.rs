//! What Codat's redirect back to the app means, from its query string.
//!
//! Codat fills the redirect URL's placeholders (`statusCode`, `errorMessage`, `connectionId`,
//! ...). The query string is a hint, never proof: a success is only shown once the proxy has
//! confirmed the connection's status with Codat.

use crate::embed::HostErrorCode;
use crate::i18n::{fill, Messages};

/// The outcome Codat reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    /// 200: authorized; to be confirmed with the proxy.
    Authorized {
        /// The connection to confirm.
        connection_id: String,
    },
    /// 201: nothing changed (Link was opened for an existing connection and left).
    NoChange {
        /// The connection, if Codat named it.
        connection_id: Option<String>,
    },
    /// 403: the owner left before finishing.
    Cancelled,
    /// 500: something failed at Codat or the platform.
    Failed {
        /// Codat's message, if any.
        message: Option<String>,
    },
    /// 501: the platform is not supported.
    NotSupported,
    /// A status this app does not know, or none at all.
    Unknown {
        /// The raw `statusCode`.
        status: String,
        /// Codat's message, if any.
        message: Option<String>,
    },
}

/// What the callback page should offer next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Carry on to the connections.
    Continue,
    /// Try the same platform again.
    TryAgain,
    /// Pick a different platform.
    ChooseAnother,
}

impl CallbackOutcome {
    /// Reads the outcome from the redirect's query parameters.
    pub fn from_query(
        status_code: Option<&str>,
        error_message: Option<&str>,
        connection_id: Option<&str>,
    ) -> Self {
        let message = error_message.map(str::trim).filter(|m| !m.is_empty()).map(str::to_owned);
        let connection_id = connection_id.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned);
        match status_code.map(str::trim) {
            Some("200") => match connection_id {
                Some(connection_id) => Self::Authorized { connection_id },
                None => Self::Unknown { status: "200".into(), message },
            },
            Some("201") => Self::NoChange { connection_id },
            Some("403") => Self::Cancelled,
            Some("500") => Self::Failed { message },
            Some("501") => Self::NotSupported,
            other => Self::Unknown { status: other.unwrap_or_default().to_owned(), message },
        }
    }

    /// What an embedding host is told of an outcome that is not a link: none for a link made or
    /// nothing changed.
    pub fn host_error(&self) -> Option<HostErrorCode> {
        match self {
            Self::Authorized { .. } | Self::NoChange { .. } => None,
            Self::Cancelled => Some(HostErrorCode::Cancelled),
            Self::Failed { .. } => Some(HostErrorCode::LinkFailed),
            Self::NotSupported => Some(HostErrorCode::NotSupported),
            Self::Unknown { .. } => Some(HostErrorCode::UnknownStatus),
        }
    }

    /// The headline for a platform called `platform`.
    pub fn headline(&self, m: &Messages, platform: &str) -> String {
        let template = match self {
            Self::Authorized { .. } => m.checking_connection,
            Self::NoChange { .. } => m.nothing_changed,
            Self::Cancelled => m.cancelled,
            Self::Failed { .. } => m.failed,
            Self::NotSupported => m.not_supported,
            Self::Unknown { .. } => m.unknown_outcome,
        };
        fill(template, &[("platform", platform)])
    }

    /// A sentence explaining the outcome and what to do.
    pub fn explanation(&self, m: &Messages) -> String {
        match self {
            Self::Authorized { .. } => m.connected_thanks.to_owned(),
            Self::NoChange { .. } => m.nothing_changed_text.to_owned(),
            Self::Cancelled => m.cancelled_text.to_owned(),
            Self::Failed { message } => match message {
                Some(message) => fill(m.failed_with_message, &[("message", message)]),
                None => m.failed_text.to_owned(),
            },
            Self::NotSupported => m.not_supported_text.to_owned(),
            Self::Unknown { status, message } => {
                let detail = message.as_deref().map(|message| format!(" “{message}”")).unwrap_or_default();
                let status = if status.is_empty() { "—" } else { status.as_str() };
                fill(m.unknown_outcome_text, &[("status", status), ("detail", &detail)])
            }
        }
    }

    /// The next step to offer.
    pub fn next_step(&self) -> NextStep {
        match self {
            Self::Authorized { .. } | Self::NoChange { .. } => NextStep::Continue,
            Self::Cancelled | Self::Failed { .. } | Self::Unknown { .. } => NextStep::TryAgain,
            Self::NotSupported => NextStep::ChooseAnother,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_needs_a_connection_to_confirm() {
        let outcome = CallbackOutcome::from_query(Some("200"), Some(""), Some("abc"));
        assert_eq!(outcome, CallbackOutcome::Authorized { connection_id: "abc".into() });
        let without_id = CallbackOutcome::from_query(Some("200"), None, Some(""));
        assert!(matches!(without_id, CallbackOutcome::Unknown { .. }));
    }

    #[test]
    fn each_codat_status_maps_to_its_outcome_and_next_step() {
        let cases = [
            ("201", NextStep::Continue),
            ("403", NextStep::TryAgain),
            ("500", NextStep::TryAgain),
            ("501", NextStep::ChooseAnother),
            ("418", NextStep::TryAgain),
        ];
        for (status, step) in cases {
            assert_eq!(CallbackOutcome::from_query(Some(status), None, None).next_step(), step, "{status}");
        }
    }

    #[test]
    fn codats_error_message_is_shown_for_failures() {
        let outcome = CallbackOutcome::from_query(Some("500"), Some("Unknown error occurred."), None);
        assert!(outcome.explanation(crate::i18n::Locale::En.messages()).contains("Unknown error occurred."));
    }

    #[test]
    fn a_missing_status_is_unknown_not_success() {
        let outcome = CallbackOutcome::from_query(None, None, Some("abc"));
        assert_eq!(
            outcome.headline(crate::i18n::Locale::En.messages(), "Xero"),
            "We could not tell what happened"
        );
        let french = outcome.headline(crate::i18n::Locale::FrCa.messages(), "Xero");
        assert_eq!(french, "Nous n'avons pas pu déterminer ce qui s'est passé");
    }
}
