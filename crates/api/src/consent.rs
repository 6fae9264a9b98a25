//! What the owner agrees to before Link opens, and the receipt kept of it.

use serde::{Deserialize, Serialize};

/// `GET /api/consent?sourceType=Accounting&locale=fr-CA`: what the owner agrees to before Link
/// opens, in the page's language. The lender words the purpose and the period; the data types
/// are those Codat reads on a first link of that kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentTerms {
    /// Short hash of everything below and the locale: the version agreed to.
    pub version: String,
    /// The locale the text is in (`en` or `fr-CA`).
    pub locale: String,
    /// Why the lender reads the data.
    pub purpose: String,
    /// For how long.
    pub retention: String,
    /// The lender's terms.
    pub terms_url: Option<String>,
    /// The lender's privacy notice.
    pub privacy_url: Option<String>,
    /// Codat's data types read (the page words them).
    pub data_types: Vec<String>,
    /// Months of history read, when Codat's settings say.
    pub history_months: Option<i64>,
}

/// The owner agreed to the terms of this version and locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentGiven {
    /// [`ConsentTerms::version`].
    pub version: String,
    /// [`ConsentTerms::locale`].
    pub locale: String,
}

/// `GET /api/consents`: the receipt of each connection's consent, for its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentReceipt {
    /// The connection agreed for.
    pub connection_id: String,
    /// When (RFC 3339).
    pub given_at: String,
    /// The version agreed to.
    pub version: String,
    /// The data types agreed to.
    pub data_types: Vec<String>,
    /// When the connection was unlinked or removed (RFC 3339), if it was.
    pub withdrawn_at: Option<String>,
    /// Who agreed, when the owner handed the linking to someone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_person: Option<String>,
}
