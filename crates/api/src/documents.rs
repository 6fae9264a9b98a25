//! Documents an owner sends instead of linking a platform, where the lender takes them.

use serde::{Deserialize, Serialize};

use crate::SourceType;

/// The largest document taken: 10 MB, Codat's limit.
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;
/// The most documents one business may send.
pub const MAX_DOCUMENTS: usize = 50;
/// The extensions taken (Codat's list), lower case, as the page's file chooser offers them.
pub const DOCUMENT_EXTENSIONS: [&str; 12] =
    ["pdf", "xls", "xlsx", "xlsb", "csv", "doc", "docx", "ppt", "pptx", "jpeg", "jpg", "png"];
/// The header that carries a document's name (percent-encoded UTF-8) with its bytes.
pub const DOCUMENT_NAME_HEADER: &str = "x-document-name";

/// Why a document is not sent, found before sending it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentProblem {
    /// Not one of [`DOCUMENT_EXTENSIONS`].
    Type,
    /// Empty.
    Empty,
    /// Over [`MAX_DOCUMENT_BYTES`].
    Size,
}

/// What is wrong with a document named `name` of `size` bytes, if anything.
pub fn document_problem(name: &str, size: u64) -> Option<DocumentProblem> {
    let extension = name.rsplit_once('.').map(|(_, extension)| extension.to_ascii_lowercase());
    if !extension.is_some_and(|extension| DOCUMENT_EXTENSIONS.contains(&extension.as_str())) {
        Some(DocumentProblem::Type)
    } else if size == 0 {
        Some(DocumentProblem::Empty)
    } else if size > MAX_DOCUMENT_BYTES {
        Some(DocumentProblem::Size)
    } else {
        None
    }
}

/// A document the business sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentDocument {
    /// Its name.
    pub name: String,
    /// The kind of platform it stands in for.
    pub kind: SourceType,
    /// Its size in bytes.
    pub size: u64,
    /// When it was sent (RFC 3339).
    pub sent_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_checked_by_its_extension_and_size() {
        assert_eq!(document_problem("Statement March.PDF", 1), None);
        assert_eq!(document_problem("ledger.xlsx", MAX_DOCUMENT_BYTES), None);
        assert_eq!(document_problem("setup.exe", 1), Some(DocumentProblem::Type));
        assert_eq!(document_problem("README", 1), Some(DocumentProblem::Type));
        assert_eq!(document_problem("empty.csv", 0), Some(DocumentProblem::Empty));
        assert_eq!(document_problem("scan.png", MAX_DOCUMENT_BYTES + 1), Some(DocumentProblem::Size));
    }
}
