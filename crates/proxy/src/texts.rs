//! The lender's own words for any string of the page (`TEXT_OVERRIDES`: a JSON file
//! `{"en": {"sign_up_heading": "..."}, "fr-CA": {...}}`), checked at start against the catalogue's
//! keys and written into the page for the app to apply.

use anyhow::{bail, Context as _};
use codat_connect_api::MESSAGE_KEYS;
use std::collections::BTreeMap;

/// The longest override accepted.
const MAX_TEXT: usize = 1_000;

/// Checks the overrides file's JSON: each locale one the page speaks, each key a string of the
/// catalogue (an unknown one is refused by name), each text 1 to 1,000 characters. Answers the
/// JSON to write into the page (`[[locale, index in MESSAGE_KEYS, text], ...]`), safe inside a
/// `<script>` element.
pub fn checked(json: &str) -> anyhow::Result<String> {
    let given: BTreeMap<String, BTreeMap<String, String>> = serde_json::from_str(json)
        .context("TEXT_OVERRIDES is {\"en\": {\"key\": \"text\"}, \"fr-CA\": {...}}")?;
    for (locale, texts) in &given {
        if !crate::flow::consent::LOCALES.contains(&locale.as_str()) {
            bail!("TEXT_OVERRIDES names the locale {locale:?}; the page speaks en and fr-CA");
        }
        for (key, text) in texts {
            if !MESSAGE_KEYS.contains(&key.as_str()) {
                bail!("TEXT_OVERRIDES names {key:?} ({locale}), which is not a string of the page");
            }
            if text.trim().is_empty() || text.chars().count() > MAX_TEXT {
                bail!("TEXT_OVERRIDES: {key:?} ({locale}) is 1 to {MAX_TEXT} characters");
            }
        }
    }
    // `[[locale, index in MESSAGE_KEYS, text], ...]`: the page needs no key names.
    let entries: Vec<(&str, usize, &str)> = given
        .iter()
        .flat_map(|(locale, texts)| {
            texts.iter().filter_map(move |(key, text)| {
                MESSAGE_KEYS
                    .iter()
                    .position(|k| k == key)
                    .map(|index| (locale.as_str(), index, text.as_str()))
            })
        })
        .collect();
    // `<` escaped: the text cannot end the script element it is written in.
    Ok(serde_json::to_string(&entries)?.replace('<', "\\u003c"))
}

/// The app's `index.html` with the overrides written in before `</head>` (as data: a JSON script
/// element runs nothing, so the page's strict CSP needs no change).
pub fn into_index(html: &str, overrides: &str) -> String {
    let element = format!(r#"<script type="application/json" id="cc-texts">{overrides}</script></head>"#);
    html.replacen("</head>", &element, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_locales_are_refused_by_name() {
        let error = checked(r#"{"en": {"sign_up_headline": "Hi"}}"#).unwrap_err().to_string();
        assert!(error.contains("\"sign_up_headline\""), "{error}");
        let error = checked(r#"{"de": {"done": "Fertig"}}"#).unwrap_err().to_string();
        assert!(error.contains("\"de\""), "{error}");
        assert!(checked(r#"{"en": {"done": " "}}"#).is_err());
        assert!(checked("[]").is_err());
    }

    #[test]
    fn the_texts_go_into_the_page_as_data_that_cannot_end_its_element() {
        let json = checked(r#"{"en": {"done": "</script><script>alert(1)</script>"}}"#).unwrap();
        assert!(!json.contains("</script>"));
        let page = into_index("<html><head><title>x</title></head><body></body></html>", &json);
        let done = MESSAGE_KEYS.iter().position(|k| *k == "done").unwrap();
        let expected =
            format!(r#"<script type="application/json" id="cc-texts">[["en",{done},"\u003c/script>"#);
        assert!(page.contains(&expected), "{page}");
        assert_eq!(page.matches("</head>").count(), 1);
    }
}
