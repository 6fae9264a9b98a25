//! The steps of the flow a visitor reached, for the lender's funnel.

use serde::{Deserialize, Serialize};

use crate::SourceType;

/// A step of the flow a visitor reached, for the lender's funnel. Nothing about the visitor is
/// sent or kept; a search's text only when it found nothing (it names a platform to enable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum FunnelStep {
    /// The grid of a kind was shown.
    GridShown {
        /// The kind.
        source_type: SourceType,
    },
    /// The visitor chose a tab.
    TabChosen {
        /// The kind.
        source_type: SourceType,
    },
    /// A search was made (counted when the search box is left or submitted).
    SearchMade {
        /// The tab searched.
        source_type: SourceType,
        /// How many platforms it found.
        results: u32,
        /// Its text, sent only when it found nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// A platform's card was chosen (the consent dialog opened).
    PlatformChosen {
        /// The platform.
        platform_key: String,
    },
    /// The visitor agreed to the terms.
    ConsentGiven {
        /// The platform.
        platform_key: String,
    },
    /// The visitor declined the terms.
    ConsentDeclined {
        /// The platform.
        platform_key: String,
    },
    /// The browser blocked Link's popup.
    PopupBlocked {
        /// The platform.
        platform_key: String,
    },
    /// The visitor came back from Link.
    LinkReturned {
        /// The connection Codat named (the server finds its platform).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        connection_id: Option<String>,
        /// Codat's `statusCode`.
        status_code: u16,
    },
    /// The visitor named the software they use in "Can't find your platform?" (kept, like a
    /// zero-result search's text, for the lender to see which platforms to enable).
    PlatformMissing {
        /// The tab they were on.
        source_type: SourceType,
        /// What they named.
        text: String,
    },
    /// The owner left before linking what the lender requires ("I'll do this later"), saying
    /// why or not.
    LeftEarly {
        /// Why, if they said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<LeavingReason>,
        /// Their own words, for [`LeavingReason::Other`] (kept like a zero-result search's text).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
}

/// Why an owner left before linking what the lender requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeavingReason {
    /// None of the platforms is their software.
    NotMySoftware,
    /// They do not have the login.
    NoLogin,
    /// They are not comfortable sharing.
    NotComfortable,
    /// They will do it later.
    Later,
    /// Something else (their words in the step's `text`).
    Other,
}

impl LeavingReason {
    /// Every reason, in the order the page offers them.
    pub const ALL: [Self; 5] =
        [Self::NotMySoftware, Self::NoLogin, Self::NotComfortable, Self::Later, Self::Other];

    /// As stored and reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotMySoftware => "not_my_software",
            Self::NoLogin => "no_login",
            Self::NotComfortable => "not_comfortable",
            Self::Later => "later",
            Self::Other => "other",
        }
    }
}

/// Every funnel step's name, in the order a visitor meets them: the page's steps (each
/// [`FunnelStep::name`], its `step` tag on the wire), then [`FIRST_READ_FINISHED`].
pub const FUNNEL_STEPS: [&str; 11] = [
    "grid_shown",
    "tab_chosen",
    "search_made",
    "platform_chosen",
    "consent_declined",
    "consent_given",
    "popup_blocked",
    "link_returned",
    "platform_missing",
    "left_early",
    "first_read_finished",
];

/// The step of a platform chosen in the grid (the grid's order counts them).
pub const PLATFORM_CHOSEN: &str = FUNNEL_STEPS[3];

/// The step the server adds when a merchant's first read finishes (no page reports it).
pub const FIRST_READ_FINISHED: &str = FUNNEL_STEPS[10];

impl FunnelStep {
    /// The step's name, as stored and reported.
    pub fn name(&self) -> &'static str {
        FUNNEL_STEPS[match self {
            Self::GridShown { .. } => 0,
            Self::TabChosen { .. } => 1,
            Self::SearchMade { .. } => 2,
            Self::PlatformChosen { .. } => 3,
            Self::ConsentDeclined { .. } => 4,
            Self::ConsentGiven { .. } => 5,
            Self::PopupBlocked { .. } => 6,
            Self::LinkReturned { .. } => 7,
            Self::PlatformMissing { .. } => 8,
            Self::LeftEarly { .. } => 9,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_funnel_steps_name_is_its_tag_on_the_wire() {
        let key = || "gbol".to_owned();
        let kind = SourceType::Banking;
        for step in [
            FunnelStep::GridShown { source_type: kind },
            FunnelStep::TabChosen { source_type: kind },
            FunnelStep::SearchMade { source_type: kind, results: 0, text: None },
            FunnelStep::PlatformChosen { platform_key: key() },
            FunnelStep::ConsentDeclined { platform_key: key() },
            FunnelStep::ConsentGiven { platform_key: key() },
            FunnelStep::PopupBlocked { platform_key: key() },
            FunnelStep::LinkReturned { connection_id: None, status_code: 200 },
            FunnelStep::PlatformMissing { source_type: kind, text: "Acme Books".into() },
        ] {
            assert_eq!(serde_json::to_value(&step).unwrap()["step"], step.name());
        }
    }
}
