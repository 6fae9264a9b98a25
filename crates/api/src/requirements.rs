//! What the lender needs from a merchant, and where the merchant stands against it.

use serde::{Deserialize, Serialize};

use crate::SourceType;

/// How much the lender needs one kind of platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    /// The flow is not finished without it.
    Required,
    /// Welcome, and the owner may skip it.
    #[default]
    Optional,
    /// Not offered: its tab is not shown and the server starts no connection of the kind.
    Hidden,
}

/// What the lender needs, per kind of platform, e.g.
/// `{"Accounting": "required", "Banking": "optional", "Commerce": "hidden"}`; a kind left out is
/// optional, and a kind Codat Connect does not know is refused. `"documentsInstead":
/// ["Accounting"]` lets an owner without a platform of those kinds upload documents instead,
/// which then count as that kind linked and read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Accounting software.
    #[serde(rename = "Accounting", default)]
    pub accounting: Requirement,
    /// Bank feeds.
    #[serde(rename = "Banking", default)]
    pub banking: Requirement,
    /// Commerce platforms.
    #[serde(rename = "Commerce", default)]
    pub commerce: Requirement,
    /// Kinds for which uploaded documents stand in for a platform.
    #[serde(rename = "documentsInstead", default, skip_serializing_if = "Vec::is_empty")]
    pub documents_instead: Vec<SourceType>,
}

impl Requirements {
    /// The kinds of platform a lender can ask for, in the order the page shows them.
    pub const KINDS: [SourceType; 3] = [SourceType::Accounting, SourceType::Banking, SourceType::Commerce];

    /// How much the lender needs `kind` (kinds it cannot name are optional).
    pub fn of(&self, kind: SourceType) -> Requirement {
        match kind {
            SourceType::Accounting => self.accounting,
            SourceType::Banking => self.banking,
            SourceType::Commerce => self.commerce,
            SourceType::Other => Requirement::Optional,
        }
    }

    /// Whether documents may stand in for a platform of `kind` (never for a hidden kind).
    pub fn takes_documents(&self, kind: SourceType) -> bool {
        self.of(kind) != Requirement::Hidden && self.documents_instead.contains(&kind)
    }
}

/// Where a merchant stands against its lender's requirements: each kind of platform the page
/// offers is complete (linked), missing (required, not linked) or skipped (optional, not linked).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Kinds with a linked platform.
    pub complete: Vec<SourceType>,
    /// Required kinds without one.
    pub missing: Vec<SourceType>,
    /// Optional kinds without one.
    pub skipped: Vec<SourceType>,
}

impl Progress {
    /// Sorts the kinds the page offers by whether `linked` says one of them is linked.
    pub fn of(requirements: &Requirements, linked: impl Fn(SourceType) -> bool) -> Self {
        let mut progress = Self::default();
        for kind in Requirements::KINDS {
            let list = match (requirements.of(kind), linked(kind)) {
                (Requirement::Hidden, _) => continue,
                (_, true) => &mut progress.complete,
                (Requirement::Required, false) => &mut progress.missing,
                (Requirement::Optional, false) => &mut progress.skipped,
            };
            list.push(kind);
        }
        progress
    }

    /// The lender's return URL with this outcome in its query:
    /// `codat_connect=finished&complete=Accounting&missing=&skipped=Banking,Commerce`.
    pub fn return_address(&self, return_url: &str) -> String {
        let kinds = |list: &[SourceType]| list.iter().map(|kind| kind.as_str()).collect::<Vec<_>>().join(",");
        let separator = if return_url.contains('?') { '&' } else { '?' };
        format!(
            "{return_url}{separator}codat_connect=finished&complete={}&missing={}&skipped={}",
            kinds(&self.complete),
            kinds(&self.missing),
            kinds(&self.skipped)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_goes_back_in_the_lenders_query() {
        let progress = Progress {
            complete: vec![SourceType::Accounting],
            missing: vec![],
            skipped: vec![SourceType::Banking, SourceType::Commerce],
        };
        assert_eq!(
            progress.return_address("https://lender.example/apply"),
            "https://lender.example/apply?codat_connect=finished&complete=Accounting&missing=&skipped=Banking,Commerce"
        );
        assert!(progress
            .return_address("https://lender.example/apply?id=4")
            .starts_with("https://lender.example/apply?id=4&codat_connect="));
    }

    #[test]
    fn requirements_read_the_lenders_words_and_refuse_unknown_kinds() {
        let json = r#"{"Accounting": "required", "Commerce": "hidden"}"#;
        let requirements: Requirements = serde_json::from_str(json).unwrap();
        assert_eq!(requirements.of(SourceType::Accounting), Requirement::Required);
        assert_eq!(requirements.of(SourceType::Banking), Requirement::Optional, "left out is optional");
        assert_eq!(requirements.of(SourceType::Commerce), Requirement::Hidden);
        assert!(serde_json::from_str::<Requirements>(r#"{"Payroll": "required"}"#).is_err());
        assert!(serde_json::from_str::<Requirements>(r#"{"Banking": "mandatory"}"#).is_err());
    }

    #[test]
    fn documents_stand_in_only_for_the_kinds_named_and_never_a_hidden_one() {
        let json = r#"{"Accounting": "required", "Commerce": "hidden", "documentsInstead": ["Accounting", "Commerce"]}"#;
        let requirements: Requirements = serde_json::from_str(json).unwrap();
        assert!(requirements.takes_documents(SourceType::Accounting));
        assert!(!requirements.takes_documents(SourceType::Banking), "not named");
        assert!(!requirements.takes_documents(SourceType::Commerce), "hidden");
        let plain = serde_json::to_value(Requirements::default()).unwrap();
        assert!(plain.get("documentsInstead").is_none(), "left out when empty");
    }

    #[test]
    fn progress_sorts_the_offered_kinds_and_leaves_hidden_ones_out() {
        let requirements = Requirements {
            accounting: Requirement::Required,
            banking: Requirement::Optional,
            commerce: Requirement::Hidden,
            documents_instead: Vec::new(),
        };
        let nothing = Progress::of(&requirements, |_| false);
        assert_eq!(nothing.missing, vec![SourceType::Accounting]);
        assert_eq!(nothing.skipped, vec![SourceType::Banking]);
        assert!(nothing.complete.is_empty());
        let accounting = Progress::of(&requirements, |kind| kind == SourceType::Accounting);
        assert_eq!(accounting.complete, vec![SourceType::Accounting]);
        assert!(accounting.missing.is_empty());
        let everything = Progress::of(&requirements, |_| true);
        assert_eq!(everything.complete, vec![SourceType::Accounting, SourceType::Banking]);
    }
}
