//! Every string the app shows, in English and Canadian French. The locale comes from the
//! embedding host's options, else the URL (`?locale=fr-CA`, remembered for the tab), else the
//! host page (`<html data-locale="fr-CA">`), else the browser's languages; English otherwise.

mod en;
mod fr_ca;

use leptos::prelude::*;

/// A language the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// English.
    En,
    /// Canadian French.
    FrCa,
}

impl Locale {
    /// The locale a tag such as `fr-CA`, `fr` or `en-GB` asks for, if the app speaks it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let language = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match language.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::FrCa),
            _ => None,
        }
    }

    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::FrCa => "fr-CA",
        }
    }

    /// The first of `preferences` (most preferred first) the app speaks, else English.
    pub fn choose<'a>(preferences: impl IntoIterator<Item = &'a str>) -> Self {
        preferences.into_iter().find_map(Self::from_tag).unwrap_or(Self::En)
    }

    /// Every string of the app in this language.
    pub fn messages(self) -> &'static Messages {
        match self {
            Self::En => &en::MESSAGES,
            Self::FrCa => &fr_ca::MESSAGES,
        }
    }

    /// The locale this page asks for: the embedding host's option, the URL (remembered for the
    /// tab, so it survives the round trip through Codat's Link), the host page, the browser.
    pub fn detect() -> Self {
        let window = window();
        let from_host_options = crate::embed::options().and_then(|options| options.locale.clone());
        let from_url = window.location().search().ok().and_then(|search| {
            search
                .trim_start_matches('?')
                .split('&')
                .find_map(|pair| pair.strip_prefix("locale=").map(str::to_owned))
        });
        let storage = window.session_storage().ok().flatten();
        if let (Some(storage), Some(tag)) = (&storage, &from_url) {
            let _ = storage.set_item(LOCALE_KEY, tag);
        }
        let remembered = storage.and_then(|storage| storage.get_item(LOCALE_KEY).ok().flatten());
        let from_host = document().document_element().and_then(|root| root.get_attribute("data-locale"));
        let from_browser: Vec<String> =
            window.navigator().languages().iter().filter_map(|language| language.as_string()).collect();
        let preferences = from_host_options
            .into_iter()
            .chain(from_url)
            .chain(remembered)
            .chain(from_host)
            .chain(from_browser)
            .collect::<Vec<_>>();
        Self::choose(preferences.iter().map(String::as_str))
    }
}

/// Replaces each `{name}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// Where the tab remembers a locale chosen in the URL.
const LOCALE_KEY: &str = "codat-connect-locale";

static CURRENT: std::sync::OnceLock<Locale> = std::sync::OnceLock::new();

static CHOSEN: std::sync::OnceLock<&'static Messages> = std::sync::OnceLock::new();

/// Chooses the page's locale once, at start-up, with the lender's words where it overrides
/// some, and names it in `<html lang>`.
pub fn start() -> Locale {
    let locale = *CURRENT.get_or_init(Locale::detect);
    CHOSEN.get_or_init(|| with_overrides(locale));
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", locale.tag());
    }
    locale
}

/// The page's locale (English before [`start`]).
pub fn locale() -> Locale {
    CURRENT.get().copied().unwrap_or(Locale::En)
}

/// The catalogue chosen for this page (English before [`start`]).
pub fn messages() -> &'static Messages {
    CHOSEN.get().copied().unwrap_or_else(|| Locale::En.messages())
}

/// The locale's catalogue with the strings the lender overrides (`TEXT_OVERRIDES`, which the
/// server checked and wrote into the page as `<script type="application/json" id="cc-texts">`,
/// each string named by its index in `MESSAGE_KEYS`), made once for the page's life.
fn with_overrides(locale: Locale) -> &'static Messages {
    let base = locale.messages();
    let given = document().get_element_by_id("cc-texts").and_then(|element| element.text_content());
    // `[[locale, index in MESSAGE_KEYS, text], ...]`
    let all: Vec<(String, usize, String)> =
        given.and_then(|text| crate::json::from_str(&text)).unwrap_or_default();
    let mut mine = all.into_iter().filter(|(tag, _, _)| tag == locale.tag()).peekable();
    if mine.peek().is_none() {
        return base;
    }
    let mut patched = *base;
    for (_, index, text) in mine {
        patched.set(index, Box::leak(text.into_boxed_str()));
    }
    Box::leak(Box::new(patched))
}

/// Declares [`Messages`] from the list `codat_connect_api::with_message_keys!` gives: every
/// string of the app, each one a key a lender may override (`TEXT_OVERRIDES`), then what is not
/// a single string.
macro_rules! catalogue {
    ($( $(#[$meta:meta])* $name:ident, )*) => {
        /// Every string of the app. `{name}` marks a value filled in with [`fill`].
        #[derive(Debug, Clone, Copy)]
        pub struct Messages {
            $( $(#[$meta])* pub $name: &'static str, )*
            /// Month abbreviations.
            pub months: [&'static str; 12],
            /// Data type labels by Codat name.
            pub data_types: &'static [(&'static str, &'static str)],
            /// The proxy's error for `code` in this language, or `None` to show the proxy's own message.
            /// Each catalogue matches every code, so a code added to the wire without words is a
            /// compile error in every language.
            pub server_error: fn(codat_connect_api::ErrorCode) -> Option<&'static str>,

        }

        impl Messages {
            /// Replaces the string at `index` in `MESSAGE_KEYS`' order (the server sends
            /// indices, so the names are not in the bundle); false past the last.
            fn set(&mut self, index: usize, text: &'static str) -> bool {
                // One reference to each string, in order: the override is one store through it.
                let strings = [$( &mut self.$name, )*];
                match strings.into_iter().nth(index) {
                    Some(string) => {
                        *string = text;
                        true
                    }
                    None => false,
                }
            }
        }
    };
}

codat_connect_api::with_message_keys!(catalogue);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_follows_the_first_language_spoken() {
        assert_eq!(Locale::choose(["de-DE", "fr-CA", "en"]), Locale::FrCa);
        assert_eq!(Locale::choose(["fr"]), Locale::FrCa);
        assert_eq!(Locale::choose(["en-GB", "fr-CA"]), Locale::En);
        assert_eq!(Locale::choose(["de"]), Locale::En);
        assert_eq!(Locale::choose([]), Locale::En);
    }

    #[test]
    fn an_override_names_its_string_by_its_index_in_the_servers_list() {
        use codat_connect_api::MESSAGE_KEYS;
        let mut m = *Locale::En.messages();
        let done = MESSAGE_KEYS.iter().position(|key| *key == "done").unwrap();
        assert!(m.set(done, "Finish") && m.done == "Finish");
        assert!((0..MESSAGE_KEYS.len()).all(|index| m.set(index, "x")), "every key has a string");
        assert!(!m.set(MESSAGE_KEYS.len(), "x"));
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill("Connect {name}", &[("name", "Xero")]), "Connect Xero");
        assert_eq!(fill("Read {done} of {total}", &[("done", "1"), ("total", "2")]), "Read 1 of 2");
    }

    #[test]
    fn both_catalogues_name_the_same_data_types_and_placeholders() {
        let (en, fr) = (Locale::En.messages(), Locale::FrCa.messages());
        let names = |m: &Messages| m.data_types.iter().map(|(k, _)| *k).collect::<Vec<_>>();
        assert_eq!(names(en), names(fr));
        use codat_connect_api::SignUpProblem::*;
        for problem in [MissingName, NameTooLong, ImplausibleEmail] {
            let french = (fr.server_error)(problem.code());
            assert!(french.is_some() && french != (en.server_error)(problem.code()), "{problem:?} in French");
        }
        for (english, french) in [
            (en.welcome_back, fr.welcome_back),
            (en.no_match, fr.no_match),
            (en.connect_platform, fr.connect_platform),
            (en.connect_beta_platform, fr.connect_beta_platform),
            (en.sync_progress, fr.sync_progress),
            (en.connection_dates, fr.connection_dates),
            (en.unknown_outcome_text, fr.unknown_outcome_text),
            (en.failed_with_message, fr.failed_with_message),
            (en.finish_in_window, fr.finish_in_window),
            (en.show_more_platforms, fr.show_more_platforms),
        ] {
            let holes = |text: &str| text.matches('{').count();
            assert_eq!(holes(english), holes(french), "{english} / {french}");
        }
    }
}
