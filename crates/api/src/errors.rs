//! The one shape of every error the proxy answers with, and its codes.

use serde::{Deserialize, Serialize};

/// Every error the proxy answers with, whatever the status code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// What went wrong, for a program to act on.
    pub code: ErrorCode,
    /// A sentence a person can read (English; the page words the codes it knows itself).
    pub message: String,
}

/// Declares [`ErrorCode`] from one list of `Variant => "wire_spelling"`: the enum, [`ErrorCode::ALL`]
/// in the list's order and [`ErrorCode::as_str`], so a code is written once.
macro_rules! error_codes {
    ($( $(#[$meta:meta])* $code:ident => $wire:literal, )*) => {
        /// The machine-readable `code` of every error the proxy answers with. The web app's catalogues
        /// word each one with an exhaustive `match`, so a code added here without a message in every
        /// language is a compile error in every language. On the wire it is [`ErrorCode::as_str`]; a
        /// code this build does not know reads as [`ErrorCode::Unknown`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[$meta])* $code, )*
        }

        impl ErrorCode {
            /// Every code, in the order declared ([`ErrorCode::Unknown`] last).
            pub const ALL: &'static [ErrorCode] = &[$(Self::$code),*];

            /// The code as it is spelled on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$code => $wire, )*
                }
            }
        }
    };
}

error_codes! {
    /// The request is malformed (not JSON, a missing field).
    BadRequest => "bad_request",
    /// No valid session: sign up (standalone) or ask the host for a new token (embedded).
    NotSignedIn => "not_signed_in",
    /// A state-changing request without the CSRF header, or marked cross-site.
    CrossSiteRequest => "cross_site_request",
    /// No such item for this merchant, or no such API endpoint.
    NotFound => "not_found",
    /// The method is not one the endpoint answers.
    MethodNotAllowed => "method_not_allowed",
    /// Too many requests from one client or session.
    RateLimited => "rate_limited",
    /// The body is over the size limit.
    TooLarge => "too_large",
    /// `/v1/*` without the admin token.
    AdminTokenRequired => "admin_token_required",
    /// A webhook failed verification.
    WebhookRefused => "webhook_refused",
    /// The server failed (storage, a bug); details are in its log.
    Internal => "internal",
    /// Codat answered something unsafe or impossible to use.
    CodatBadAnswer => "codat_bad_answer",
    /// Codat refused for now (429): try again in a minute.
    CodatBusy => "codat_busy",
    /// Codat's daily request quota is used up: try again later (`Retry-After`).
    CodatQuota => "codat_quota",
    /// Codat did not answer in time.
    CodatTimeout => "codat_timeout",
    /// Codat failed or could not be reached.
    CodatUnavailable => "codat_unavailable",
    /// Sign-up: the business name is blank.
    MissingBusinessName => "missing_business_name",
    /// Sign-up: the business name is too long.
    BusinessNameTooLong => "business_name_too_long",
    /// Sign-up: the email address cannot be one.
    ImplausibleEmail => "implausible_email",
    /// A return from Link that no pending link of this session matches.
    ReturnLinkUnknown => "return_link_unknown",
    /// A return from Link whose pending link was already used.
    ReturnLinkUsed => "return_link_used",
    /// A return from Link after its pending link expired.
    ReturnLinkExpired => "return_link_expired",
    /// The business already has an accounting platform (Codat allows one).
    AccountingAlreadyConnected => "accounting_already_connected",
    /// This deployment takes no sign-ups: the lender starts the flow from its own site.
    SignUpClosed => "sign_up_closed",
    /// A new connection without consent to the current terms (not given, or the terms changed).
    ConsentRequired => "consent_required",
    /// A document not of a type Codat takes, empty or over its size, or one too many.
    DocumentRefused => "document_refused",
    /// The lender does not take documents instead of a platform of this kind.
    DocumentsNotAllowed => "documents_not_allowed",
    /// A code this build does not know (a newer server).
    Unknown => "unknown",
}

impl ErrorCode {
    /// The code spelled `text` on the wire; [`ErrorCode::Unknown`] for one this build does not know.
    pub fn from_wire(text: &str) -> Self {
        Self::ALL.iter().copied().find(|code| code.as_str() == text).unwrap_or(Self::Unknown)
    }

    /// A return from Link was refused: the owner is pointed to their connections, not to a retry.
    pub fn is_refused_return(self) -> bool {
        matches!(self, Self::ReturnLinkUnknown | Self::ReturnLinkUsed | Self::ReturnLinkExpired)
    }
}

// Written by hand rather than derived: one lookup in `ALL` instead of a generated visitor per
// spelling, which the web app's bundle would carry.
impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from_wire(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_snake_case_on_the_wire_and_unknown_ones_are_kept_as_unknown() {
        for &code in ErrorCode::ALL {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, code.as_str());
            assert_eq!(serde_json::from_value::<ErrorCode>(wire).unwrap(), code);
            let snake_case = code.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_');
            assert!(snake_case, "{code:?} is spelled {}", code.as_str());
        }
        let mut spellings: Vec<_> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        spellings.sort_unstable();
        spellings.dedup();
        assert_eq!(spellings.len(), ErrorCode::ALL.len(), "two codes share a spelling");
        let error: ApiError = serde_json::from_str(r#"{"code":"brand_new","message":"m"}"#).unwrap();
        assert_eq!(error.code, ErrorCode::Unknown);
    }
}
