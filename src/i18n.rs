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

    /// The catalogue.
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

/// Declares [`Messages`]: every string of the app, each one a key a lender may override
/// (`TEXT_OVERRIDES`), then what is not a single string.
macro_rules! catalogue {
    ($( $(#[$meta:meta])* pub $name:ident: &'static str, )*) => {
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
            /// The name of every string a lender may override, in order (`MESSAGE_KEYS`).
            #[cfg(test)]
            pub const KEYS: &'static [&'static str] = &[$(stringify!($name)),*];

            /// Replaces the string at `index` in [`Messages::KEYS`]' order (the server sends
            /// indices, so the names are not in the bundle); false past the last.
            fn set(&mut self, index: usize, text: &'static str) -> bool {
                let mut at = 0;
                $(
                    if index == at {
                        self.$name = text;
                        return true;
                    }
                    at += 1;
                )*
                let _ = at;
                false
            }
        }
    };
}

catalogue! {
    /// Header link to skip to the main content.
    pub skip_to_content: &'static str,
    /// Accessible name of the main navigation.
    pub navigation: &'static str,
    /// Navigation: the picker.
    pub nav_connect: &'static str,
    /// Navigation: the connections.
    pub nav_connections: &'static str,
    /// The badge's alternative text.
    pub powered_by: &'static str,
    /// Document titles per page.
    pub title_sign_up: &'static str,
    /// Title of the picker.
    pub title_connect: &'static str,
    /// Title of the return page.
    pub title_callback: &'static str,
    /// Title of the connections page.
    pub title_connections: &'static str,
    /// Title and heading of the not-found page.
    pub not_found: &'static str,
    /// Text of the not-found page.
    pub not_found_text: &'static str,
    /// Link back from the not-found page.
    pub go_to_platforms: &'static str,
    /// Sign-up heading.
    pub sign_up_heading: &'static str,
    /// Sign-up introduction.
    pub sign_up_lead: &'static str,
    /// Field label.
    pub business_name: &'static str,
    /// Field label.
    pub work_email: &'static str,
    /// Submit button.
    pub continue_label: &'static str,
    /// Submit button while waiting.
    pub setting_up: &'static str,
    /// Generic loading status.
    pub loading: &'static str,
    /// Greeting for a signed-in visitor; `{name}`.
    pub welcome_back: &'static str,
    /// Picker introduction.
    pub picker_lead: &'static str,
    /// Accessible name of the tabs.
    pub kind_of_platform: &'static str,
    /// Tab labels.
    pub tab_accounting: &'static str,
    /// Tab label.
    pub tab_banking: &'static str,
    /// Tab label.
    pub tab_commerce: &'static str,
    /// Headings per tab.
    pub heading_accounting: &'static str,
    /// Heading of the banking tab.
    pub heading_banking: &'static str,
    /// Heading of the commerce tab.
    pub heading_commerce: &'static str,
    /// Search box placeholder and name.
    pub search_platforms: &'static str,
    /// Status while the Link page opens.
    pub opening_sign_in: &'static str,
    /// Status while the grid loads.
    pub loading_platforms: &'static str,
    /// Empty grid.
    pub no_platforms: &'static str,
    /// Search without results; `{text}`.
    pub no_match: &'static str,
    /// A card's accessible name; `{name}`.
    pub connect_platform: &'static str,
    /// A beta platform's card, named with the badge it shows (WCAG 2.5.3, label in name).
    pub connect_beta_platform: &'static str,
    /// Badge on beta platforms.
    pub beta: &'static str,
    /// The existing accounting platform; `{name}`.
    pub accounting_connected: &'static str,
    /// Link to manage it.
    pub manage: &'static str,
    /// "Can't find your platform?" summary.
    pub cant_find: &'static str,
    /// Its explanation.
    pub cant_find_text: &'static str,
    /// Notice without a session.
    pub start_here: &'static str,
    /// Link to sign up.
    pub sign_up: &'static str,
    /// Retry button.
    pub try_again: &'static str,
    /// Return page: checking; `{platform}`.
    pub checking_connection: &'static str,
    /// Fallback platform name.
    pub your_platform: &'static str,
    /// Return page: connected; `{platform}`.
    pub platform_connected: &'static str,
    /// Return page: thanks.
    pub connected_thanks: &'static str,
    /// Return page: not finished; `{platform}`.
    pub not_finished_heading: &'static str,
    /// Its explanation.
    pub not_finished_text: &'static str,
    /// Confirmation failed; `{platform}`.
    pub could_not_confirm: &'static str,
    /// Next step: the connections.
    pub view_connections: &'static str,
    /// Next step: another platform.
    pub choose_another: &'static str,
    /// Outcome 201; `{platform}`.
    pub nothing_changed: &'static str,
    /// Its explanation.
    pub nothing_changed_text: &'static str,
    /// Outcome 403; `{platform}`.
    pub cancelled: &'static str,
    /// Its explanation.
    pub cancelled_text: &'static str,
    /// Outcome 500; `{platform}`.
    pub failed: &'static str,
    /// With Codat's message; `{message}`.
    pub failed_with_message: &'static str,
    /// Without a message.
    pub failed_text: &'static str,
    /// Outcome 501; `{platform}`.
    pub not_supported: &'static str,
    /// Its explanation.
    pub not_supported_text: &'static str,
    /// Unknown outcome.
    pub unknown_outcome: &'static str,
    /// Its explanation; `{status}`, `{detail}`.
    pub unknown_outcome_text: &'static str,
    /// Sync heading while reading.
    pub reading_your_data: &'static str,
    /// Sync heading when done.
    pub all_set: &'static str,
    /// The first sync finished, but some data types could not be read.
    pub sync_needs_attention: &'static str,
    /// What to do when some data types could not be read.
    pub sync_failed_next_step: &'static str,
    /// Button: read the data again.
    pub read_again: &'static str,
    /// Status while the sync status loads.
    pub checking_progress: &'static str,
    /// Summary before any data type.
    pub sync_starting: &'static str,
    /// Summary when all read.
    pub sync_done: &'static str,
    /// Summary with failures; `{failed}`.
    pub sync_done_with_failures: &'static str,
    /// Summary while reading; `{done}`, `{total}`.
    pub sync_progress: &'static str,
    /// Data type states.
    pub state_waiting: &'static str,
    /// State: reading.
    pub state_reading: &'static str,
    /// State: done.
    pub state_done: &'static str,
    /// State: failed.
    pub state_failed: &'static str,
    /// State: not available.
    pub state_not_available: &'static str,
    /// Connection statuses.
    pub status_connected: &'static str,
    /// Status: pending.
    pub status_not_finished: &'static str,
    /// Status: unlinked.
    pub status_disconnected: &'static str,
    /// Status: deauthorized.
    pub status_needs_reconnecting: &'static str,
    /// Status: unknown.
    pub status_unknown: &'static str,
    /// Connections page introduction.
    pub connections_lead: &'static str,
    /// Loading status.
    pub loading_connections: &'static str,
    /// Empty list.
    pub no_connections: &'static str,
    /// Link to the picker.
    pub connect_a_platform: &'static str,
    /// Link to add more.
    pub connect_another: &'static str,
    /// Row dates; `{created}`, `{last_sync}`.
    pub connection_dates: &'static str,
    /// No sync yet.
    pub not_yet: &'static str,
    /// Action on a pending connection.
    pub finish_connecting: &'static str,
    /// Action on a disconnected one.
    pub reconnect: &'static str,
    /// Action: unlink.
    pub disconnect: &'static str,
    /// Action: delete.
    pub remove: &'static str,
    /// Dialog title; `{platform}`.
    pub disconnect_title: &'static str,
    /// Dialog text.
    pub disconnect_text: &'static str,
    /// Dialog title; `{platform}`.
    pub remove_title: &'static str,
    /// Dialog text.
    pub remove_text: &'static str,
    /// Dialog confirm label.
    pub remove_confirm: &'static str,
    /// Dialog cancel label.
    pub cancel: &'static str,
    /// Unreadable answer.
    pub error_bad_answer: &'static str,
    /// Error status; `{status}`.
    pub error_status: &'static str,
    /// Network failure.
    pub error_unreachable: &'static str,
    /// Shows the next cards of a long grid; `{count}` more match.
    pub show_more_platforms: &'static str,
    /// Embedded: the button that closes the app.
    pub close: &'static str,
    /// Standalone: the header's button that ends the session.
    pub sign_out: &'static str,
    /// Embedded: the button that ends the flow after a success.
    pub done: &'static str,
    /// Embedded, instead of "Done" while a required kind is missing; `{kinds}`.
    pub finish_needs: &'static str,
    /// The lender's checklist, for screen readers.
    pub checklist_label: &'static str,
    /// Checklist: a kind the lender requires, not yet connected.
    pub required: &'static str,
    /// Checklist: an optional kind, not yet connected.
    pub optional_skip: &'static str,
    /// A lender's link that was already used or expired.
    pub link_used: &'static str,
    /// Consent dialog title; `{platform}`.
    pub consent_title: &'static str,
    /// Consent: before the data types; `{platform}`.
    pub consent_reads: &'static str,
    /// Consent: how much history; `{months}`.
    pub consent_history: &'static str,
    /// Consent: heading of the lender's purpose.
    pub consent_why: &'static str,
    /// Consent: heading of the period.
    pub consent_how_long: &'static str,
    /// Consent: the lender's terms.
    pub consent_terms: &'static str,
    /// Consent: the lender's privacy notice.
    pub consent_privacy: &'static str,
    /// Consent: back to the grid.
    pub consent_decline: &'static str,
    /// Consent: agree and open Link.
    pub consent_agree: &'static str,
    /// A connection's consent receipt; `{date}`, `{count}`, `{version}`.
    pub receipt_given: &'static str,
    /// A connection lost its access; `{platform}`.
    pub attention_reauth: &'static str,
    /// Some data could not be read.
    pub attention_reads_failed: &'static str,
    /// Embedded: while the owner signs in in the popup; `{name}`.
    pub finish_in_window: &'static str,
    /// Embedded: the popup was blocked.
    pub window_blocked: &'static str,
    /// Embedded: opens the popup after it was blocked.
    pub open_sign_in_window: &'static str,
    /// Embedded: the popup was closed before the owner finished.
    pub window_closed: &'static str,
    /// In the popup, once its report is sent.
    pub you_can_close: &'static str,
    /// Embedded: the host page's options were refused.
    pub embed_refused: &'static str,
    /// Embedded: the session token has expired or is unknown.
    pub session_ended: &'static str,
}

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
    fn the_keys_a_lender_may_override_are_the_servers_list() {
        assert_eq!(Messages::KEYS, codat_connect_api::MESSAGE_KEYS);
        let mut m = *Locale::En.messages();
        let done = Messages::KEYS.iter().position(|key| *key == "done").unwrap();
        assert!(m.set(done, "Finish") && m.done == "Finish");
        assert!(!m.set(Messages::KEYS.len(), "x"));
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
