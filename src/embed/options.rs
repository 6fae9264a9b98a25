//! The host page's options: what `embed.js` sends in the frame's URL fragment, and the checks
//! they pass before the app accepts them.

use codat_connect_api::{Requirements, SourceType};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What the host page asked for when it mounted the app.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedOptions {
    /// The session token the lender's backend obtained from `POST /v1/sessions`.
    pub session_token: String,
    /// The host page's origin: events are posted to it alone.
    pub host_origin: String,
    /// The kinds of platform offered, in order (all three when empty).
    #[serde(default)]
    pub source_types: Vec<SourceType>,
    /// The platform keys offered (every platform when empty).
    #[serde(default)]
    pub platforms: Vec<String>,
    /// A platform key the page opens at (its consent step), as `platform` in `POST /v1/sessions`.
    #[serde(default)]
    pub platform: Option<String>,
    /// A BCP 47 locale such as `fr-CA`.
    #[serde(default)]
    pub locale: Option<String>,
    /// `light` or `dark`; the system's choice otherwise.
    #[serde(default)]
    pub theme: Option<String>,
    /// `--cc-*` tokens to override, e.g. `{"--cc-accent": "#0b5fff"}`.
    #[serde(default)]
    pub theme_tokens: BTreeMap<String, String>,
}

impl EmbedOptions {
    /// Reads and checks the options `embed.js` sends (JSON).
    pub fn from_json(json: &str) -> Result<Self, String> {
        let options: Self =
            crate::json::from_str(json).ok_or(
            "unreadable options: not a JSON object with the documented fields (sessionToken and hostOrigin strings required)",
        )?;
        let token_ok = !options.session_token.is_empty()
            && options.session_token.len() <= 256
            && options.session_token.chars().all(|c| c.is_ascii_graphic());
        if !token_ok {
            return Err("sessionToken is missing or malformed".into());
        }
        if !is_origin(&options.host_origin) {
            return Err("hostOrigin is not an origin".into());
        }
        let is_key = |key: &str| key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric());
        if options.platform.as_deref().is_some_and(|key| !is_key(key)) {
            return Err("platform is a Codat platform key".into());
        }
        if options.theme.as_deref().is_some_and(|theme| !matches!(theme, "light" | "dark")) {
            return Err("theme is \"light\" or \"dark\"".into());
        }
        if let Some((name, _)) = options.theme_tokens.iter().find(|(name, value)| !is_token(name, value)) {
            return Err(format!("themeTokens: {name} is not a --cc-* token with a plain value"));
        }
        Ok(options)
    }

    /// The tabs to show: the ones asked for, in the picker's order when none are.
    pub fn tabs(&self) -> Vec<SourceType> {
        let wanted: Vec<SourceType> =
            self.source_types.iter().copied().filter(|kind| Requirements::KINDS.contains(kind)).collect();
        if wanted.is_empty() {
            Requirements::KINDS.to_vec()
        } else {
            wanted
        }
    }

    /// Whether the platform with this key is offered.
    pub fn allows_platform(&self, platform_key: &str) -> bool {
        self.platforms.is_empty() || self.platforms.iter().any(|key| key == platform_key)
    }
}

fn is_origin(text: &str) -> bool {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    })
}

fn is_token(name: &str, value: &str) -> bool {
    let name_ok = name
        .strip_prefix("--cc-")
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let value_ok = !value.trim().is_empty()
        && value.len() <= 200
        && !value.chars().any(|c| matches!(c, ';' | '{' | '}' | '<' | '>' | '\\') || c.is_control());
    name_ok && value_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"{"sessionToken":"abc_DEF-123","hostOrigin":"https://lender.example",
        "sourceTypes":["Banking","Accounting"],"platforms":["gbol"],"platform":"gbol","locale":"fr-CA","theme":"dark",
        "themeTokens":{"--cc-accent":"#0b5fff"}}"##;

    #[test]
    fn the_host_options_are_read() {
        let options = EmbedOptions::from_json(GOOD).unwrap();
        assert_eq!(options.tabs(), vec![SourceType::Banking, SourceType::Accounting]);
        assert!(options.allows_platform("gbol"));
        assert!(!options.allows_platform("qhyg"));
        assert_eq!(options.locale.as_deref(), Some("fr-CA"));
        assert_eq!(options.platform.as_deref(), Some("gbol"));
    }

    #[test]
    fn only_the_token_and_origin_are_required() {
        let options =
            EmbedOptions::from_json(r#"{"sessionToken":"t","hostOrigin":"http://localhost:8081"}"#).unwrap();
        assert_eq!(options.tabs(), Requirements::KINDS.to_vec());
        assert!(options.allows_platform("anything"));
    }

    #[test]
    fn malformed_options_are_refused_with_a_reason() {
        let cases = [
            (r#"{"hostOrigin":"https://a.example"}"#, "unreadable"),
            (r#"{"sessionToken":"","hostOrigin":"https://a.example"}"#, "sessionToken"),
            (r#"{"sessionToken":"t","hostOrigin":"*"}"#, "hostOrigin"),
            (r#"{"sessionToken":"t","hostOrigin":"https://a.example","theme":"neon"}"#, "theme"),
            (r#"{"sessionToken":"t","hostOrigin":"https://a.example","platform":"gbol&x=1"}"#, "platform"),
            (
                r#"{"sessionToken":"t","hostOrigin":"https://a.example","themeTokens":{"color":"red"}}"#,
                "themeTokens",
            ),
            (
                r#"{"sessionToken":"t","hostOrigin":"https://a.example","themeTokens":{"--cc-accent":"red;x:y"}}"#,
                "themeTokens",
            ),
        ];
        for (json, field) in cases {
            let error = EmbedOptions::from_json(json).unwrap_err();
            assert!(error.contains(field), "{json}: {error}");
        }
    }
}
