//! The names owners know their platforms by (QBO, D365, the banks Plaid reaches...): a list
//! shipped with the server (`data/platform_aliases.json`), and the lender's own
//! (`PLATFORM_ALIASES`: a JSON file `{"qhyg": ["QBO", ...]}`), checked at start and added to it.
//! Each card of the grid carries its platform's, for the page's search.

use anyhow::{bail, Context as _};
use codat_connect_api::IntegrationCard;
use std::collections::BTreeMap;

/// The shipped list, by Codat platform key.
const SHIPPED: &str = include_str!("../data/platform_aliases.json");

/// The longest alias accepted, in characters.
const MAX_ALIAS: usize = 60;
/// The most aliases a platform may have.
const MAX_PER_PLATFORM: usize = 40;

/// Aliases by Codat platform key.
#[derive(Debug, Clone, Default)]
pub struct PlatformAliases {
    by_platform: BTreeMap<String, Vec<String>>,
}

impl PlatformAliases {
    /// The shipped list with the lender's (the JSON of `PLATFORM_ALIASES`) added to it, both
    /// checked: each key a Codat platform key (four lower-case letters), each alias 1 to 60
    /// characters, at most 40 a platform. An alias a platform already has is not added twice.
    pub fn with_lender_list(lender: Option<&str>) -> anyhow::Result<Self> {
        let mut aliases = Self::default();
        aliases.add(checked(SHIPPED).context("the shipped platform aliases")?);
        if let Some(json) = lender {
            aliases.add(checked(json)?);
        }
        Ok(aliases)
    }

    fn add(&mut self, list: BTreeMap<String, Vec<String>>) {
        for (key, names) in list {
            let known = self.by_platform.entry(key).or_default();
            for name in names {
                if !known.iter().any(|k| k.eq_ignore_ascii_case(&name)) {
                    known.push(name);
                }
            }
        }
    }

    /// The card with its platform's aliases.
    pub fn on_card(&self, mut card: IntegrationCard) -> IntegrationCard {
        card.aliases = self.by_platform.get(&card.platform_key).cloned().unwrap_or_default();
        card
    }
}

/// The list in `json`, refused with the reason where it breaks a rule.
fn checked(json: &str) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let list: BTreeMap<String, Vec<String>> = serde_json::from_str(json)
        .context("PLATFORM_ALIASES is {\"<platform key>\": [\"alias\", ...]}, e.g. {\"qhyg\": [\"QBO\"]}")?;
    for (key, names) in &list {
        if !crate::config::is_platform_key(key) {
            bail!("PLATFORM_ALIASES names {key:?}: a platform key is Codat's four lower-case letters");
        }
        if names.len() > MAX_PER_PLATFORM {
            bail!("PLATFORM_ALIASES gives {key:?} {} aliases; at most {MAX_PER_PLATFORM}", names.len());
        }
        if let Some(name) = names.iter().find(|n| n.trim().is_empty() || n.chars().count() > MAX_ALIAS) {
            bail!("PLATFORM_ALIASES: {name:?} ({key}) is 1 to {MAX_ALIAS} characters");
        }
    }
    Ok(list)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A plain accounting card (no images) for the grid's tests.
    pub(crate) fn card(key: &str, name: &str) -> IntegrationCard {
        IntegrationCard {
            platform_key: key.into(),
            name: name.into(),
            source_type: codat_connect_api::SourceType::Accounting,
            logo_url: String::new(),
            logo_alt: String::new(),
            button_url: None,
            button_hover_url: None,
            is_beta: false,
            aliases: Vec::new(),
            degraded: false,
            desktop_only: false,
        }
    }

    #[test]
    fn the_lender_s_aliases_are_added_to_the_shipped_once() {
        let aliases =
            PlatformAliases::with_lender_list(Some(r#"{"qhyg": ["qbo", "Books"], "abcd": ["Ours"]}"#))
                .unwrap();
        let shown = aliases.on_card(card("qhyg", "QuickBooks Online")).aliases;
        assert!(shown.starts_with(&["QBO".to_owned()]), "{shown:?}");
        assert_eq!(shown.iter().filter(|a| a.eq_ignore_ascii_case("qbo")).count(), 1);
        assert_eq!(shown.last().map(String::as_str), Some("Books"));
        assert_eq!(aliases.on_card(card("abcd", "QuickBooks Online")).aliases, ["Ours"]);
        assert!(aliases.on_card(card("zzzz", "QuickBooks Online")).aliases.is_empty());
    }

    #[test]
    fn a_list_that_breaks_a_rule_is_refused_by_name() {
        let refused = |json: &str| PlatformAliases::with_lender_list(Some(json)).unwrap_err().to_string();
        assert!(refused(r#"{"QBO": ["x"]}"#).contains("\"QBO\""));
        assert!(refused(r#"{"qhyg": [" "]}"#).contains("1 to 60"));
        assert!(refused(&format!(r#"{{"qhyg": ["{}"]}}"#, "x".repeat(61))).contains("1 to 60"));
        assert!(refused(r#"["QBO"]"#).contains("PLATFORM_ALIASES is"));
    }
}
