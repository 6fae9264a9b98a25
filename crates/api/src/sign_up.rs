//! Sign-up (standalone use) and the session it starts.

use serde::{Deserialize, Serialize};

use crate::{ErrorCode, Requirements};

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
    pub fn code(self) -> ErrorCode {
        match self {
            Self::MissingName => ErrorCode::MissingBusinessName,
            Self::NameTooLong => ErrorCode::BusinessNameTooLong,
            Self::ImplausibleEmail => ErrorCode::ImplausibleEmail,
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
    /// Which kinds of platform the lender needs (set by the lender's backend, never the page).
    #[serde(default)]
    pub requirements: Requirements,
    /// Where "Done" sends the owner who came by the lender's link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// The platform the lender asked the page to open at (its consent step, the grid one click
    /// away), unless it is linked already: its key, name and kind. Three flat fields rather than
    /// a nested object: the page's parser for one more struct costs the phone 0.5 KB of wasm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_key: Option<String>,
    /// The opening platform's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_name: Option<String>,
    /// The opening platform's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_kind: Option<crate::SourceType>,
    /// The opening platform connects only from its own computer (a phone offers a link there).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub opening_desktop_only: bool,
    /// Kinds the business sent documents for where the lender takes them instead of a
    /// platform: each counts as linked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documented: Vec<crate::SourceType>,
    /// The names of the documents sent, oldest first (the page lists them; names rather than
    /// `SentDocument`s: another parser in the page would cost the phone more than the list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents_sent: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_up_request_uses_camel_case_on_the_wire() {
        let body = SignUpRequest { business_name: "Acme".into(), email: "a@b.c".into() };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["businessName"], "Acme");
    }
}
