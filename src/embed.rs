//! Embedded use: the app running in an iframe that `assets/embed.js` put in the lender's page.
//!
//! The host page passes its options in the frame's URL fragment (`#embed=<JSON>`, never sent
//! to a server and removed from the address at once). While embedded, API calls carry the
//! session token, Codat's Link opens in a popup whose return page reports back here and closes,
//! and what happens is told to the host page, which `embed.js` turns into DOM `CustomEvent`s.

mod popup;

pub use popup::{link_return, open_link_window, report_link_return, when_closed, LINK_WINDOW_NAME};

use codat_connect_api::{Progress, SourceType};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, sync::OnceLock};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// Tag on every message between the frames, so unrelated messages are ignored.
const MESSAGE_SOURCE: &str = "codat-connect";

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
            self.source_types.iter().copied().filter(|kind| crate::picker::TABS.contains(kind)).collect();
        if wanted.is_empty() {
            crate::picker::TABS.to_vec()
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

/// What the app tells the host page; `embed.js` dispatches each as `codat-connect:<type>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "detail", rename_all = "camelCase")]
pub enum EmbedEvent {
    /// The app is showing its first page.
    Ready {},
    /// A connection was created and its Link page opened.
    #[serde(rename_all = "camelCase")]
    Started {
        /// The platform chosen.
        platform_key: String,
        /// Codat's id of the new connection.
        connection_id: String,
    },
    /// Codat reported the connection authorized and the proxy confirmed it.
    #[serde(rename_all = "camelCase")]
    Connected {
        /// Codat's connection id.
        connection_id: String,
        /// The platform's key, where known.
        platform_key: Option<String>,
        /// The platform's name.
        platform_name: String,
        /// The kind of platform.
        source_type: SourceType,
    },
    /// The business owner said they are done (offered once every required kind is linked):
    /// the kinds linked, still missing (none) and skipped.
    Finished(Progress),
    /// A connection lost its access or some data could not be read: the owner is asked to act.
    #[serde(rename = "attention_needed", rename_all = "camelCase")]
    AttentionNeeded {
        /// Connections that must be authorized again.
        connection_ids: Vec<String>,
        /// Whether some data types' latest read failed.
        reads_failed: bool,
    },
    /// Something went wrong.
    Error {
        /// The proxy's or the redirect's machine-readable code.
        code: String,
        /// What the owner was shown.
        message: String,
        /// Whether the owner can carry on in the app (otherwise the host must act, say with a
        /// new session token).
        recoverable: bool,
    },
    /// The owner closed the app.
    Closed {},
    /// The app's content height, for the frame (handled by `embed.js`, not dispatched).
    Resize {
        /// Height in CSS pixels.
        height: i32,
    },
}

/// The envelope posted between frames.
#[derive(Serialize)]
struct Envelope<'a> {
    source: &'a str,
    #[serde(flatten)]
    event: &'a EmbedEvent,
}

static OPTIONS: OnceLock<EmbedOptions> = OnceLock::new();

/// The host page's options, when the app is embedded.
pub fn options() -> Option<&'static EmbedOptions> {
    OPTIONS.get()
}

/// True when running inside a host page.
pub fn is_embedded() -> bool {
    OPTIONS.get().is_some()
}

/// The session token to send, when embedded.
pub fn session_token() -> Option<&'static str> {
    OPTIONS.get().map(|options| options.session_token.as_str())
}

/// Reads the options from the URL fragment (and removes them from the address). Call before
/// the app mounts. Options it cannot accept are refused: the frame shows why, and the host page
/// receives an `invalid_options` error.
pub fn start() {
    let window = window();
    let hash = window.location().hash().unwrap_or_default();
    let Some(encoded) = hash.strip_prefix("#embed=") else { return };
    // The token does not stay in the address bar, the history or a copied link.
    if let (Ok(history), Ok(path), Ok(search)) =
        (window.history(), window.location().pathname(), window.location().search())
    {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}")));
    }
    let json = js_sys::decode_uri_component(encoded).ok().and_then(|decoded| decoded.as_string());
    let options = match json.map(|json| EmbedOptions::from_json(&json)) {
        Some(Ok(options)) => match framing_problem(&framing(&window), &options.host_origin) {
            None => options,
            Some(reason) => {
                leptos::logging::error!("embed options refused: {reason}");
                refuse(reason);
                return;
            }
        },
        Some(Err(reason)) => {
            leptos::logging::error!("embed options refused: {reason}");
            refuse(reason);
            return;
        }
        None => {
            refuse("the options are not percent-encoded JSON".into());
            return;
        }
    };
    apply_theme(&options);
    let _ = OPTIONS.set(options);
    popup::listen_for_link_returns();
    report_height();
}

/// Where the app is running: at the top of its tab, or framed, with the framing page's origin
/// where the browser tells it (`location.ancestorOrigins`, which Chromium and Safari have).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// Not in a frame: the address bar shows the app itself.
    TopLevel,
    /// In a frame.
    Framed {
        /// The framing page's origin, where the browser tells it.
        parent_origin: Option<String>,
    },
}

fn framing(window: &web_sys::Window) -> Framing {
    let parent = window.parent().ok().flatten();
    let framed = parent.is_some_and(|parent| !js_sys::Object::is(&parent, window));
    if !framed {
        return Framing::TopLevel;
    }
    let location = window.location();
    let ancestors = js_sys::Reflect::get(&location, &JsValue::from_str("ancestorOrigins")).ok();
    let parent_origin = ancestors
        .filter(|list| !list.is_undefined())
        .and_then(|list| js_sys::Reflect::get(&list, &JsValue::from_f64(0.0)).ok())
        .and_then(|origin| origin.as_string());
    Framing::Framed { parent_origin }
}

/// Why options naming `host_origin` are refused where the app runs, if they are. A session
/// token in the fragment of a top-level page, or of a frame some other site made, is a session
/// someone planted: the owner would connect their books to that someone's company.
pub fn framing_problem(framing: &Framing, host_origin: &str) -> Option<String> {
    match framing {
        Framing::TopLevel => Some(
            "embed options are accepted only in a frame of the lender's page; open this page from the lender's site"
                .into(),
        ),
        Framing::Framed { parent_origin: Some(parent) } if parent != host_origin => {
            Some(format!("hostOrigin {host_origin} is not the page that frames this one ({parent})"))
        }
        Framing::Framed { .. } => None,
    }
}

fn apply_theme(options: &EmbedOptions) {
    let Some(root) = document().document_element() else { return };
    let _ = root.set_attribute("data-embedded", "");
    if let Some(theme) = &options.theme {
        let _ = root.set_attribute("data-theme", theme);
    }
    // CSSOM property writes are not inline style markup, so the CSP's style-src still holds.
    if let Some(root) = root.dyn_ref::<web_sys::HtmlElement>() {
        for (name, value) in &options.theme_tokens {
            let _ = root.style().set_property(name, value);
        }
    }
}

static REFUSED: OnceLock<String> = OnceLock::new();

/// Why the host page's options were refused, if they were: the app then shows only that.
pub fn refused_reason() -> Option<&'static str> {
    REFUSED.get().map(String::as_str)
}

/// Tells whichever page framed the app that its options were refused. The host's origin is
/// not known (it was in the refused options), so the message goes to any origin: it holds only
/// the reason, which the host itself caused.
fn refuse(reason: String) {
    let event =
        EmbedEvent::Error { code: "invalid_options".into(), message: reason.clone(), recoverable: false };
    post_to_parent(&event, "*");
    let _ = REFUSED.set(reason);
}

/// Tells the host page about `event` (nothing happens standalone).
pub fn notify(event: EmbedEvent) {
    if let Some(options) = OPTIONS.get() {
        post_to_parent(&event, &options.host_origin);
    }
}

/// Posts `event` to the page that frames this one, if any, for `target_origin` only.
fn post_to_parent(event: &EmbedEvent, target_origin: &str) {
    let Some(parent) = window().parent().ok().flatten() else { return };
    let Some(json) = crate::json::to_string(&Envelope { source: MESSAGE_SOURCE, event }) else { return };
    let _ = parent.post_message(&JsValue::from_str(&json), target_origin);
}

/// Posts the content height whenever it changes, so the host's frame fits it.
fn report_height() {
    let Some(body) = document().body() else { return };
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| {
        if let Some(body) = document().body() {
            notify(EmbedEvent::Resize { height: body.offset_height() });
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    // The observer lives as long as the page.
    callback.forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"{"sessionToken":"abc_DEF-123","hostOrigin":"https://lender.example",
        "sourceTypes":["Banking","Accounting"],"platforms":["gbol"],"locale":"fr-CA","theme":"dark",
        "themeTokens":{"--cc-accent":"#0b5fff"}}"##;

    #[test]
    fn the_host_options_are_read() {
        let options = EmbedOptions::from_json(GOOD).unwrap();
        assert_eq!(options.tabs(), vec![SourceType::Banking, SourceType::Accounting]);
        assert!(options.allows_platform("gbol"));
        assert!(!options.allows_platform("qhyg"));
        assert_eq!(options.locale.as_deref(), Some("fr-CA"));
    }

    #[test]
    fn only_the_token_and_origin_are_required() {
        let options =
            EmbedOptions::from_json(r#"{"sessionToken":"t","hostOrigin":"http://localhost:8081"}"#).unwrap();
        assert_eq!(options.tabs(), crate::picker::TABS.to_vec());
        assert!(options.allows_platform("anything"));
    }

    #[test]
    fn malformed_options_are_refused_with_a_reason() {
        let cases = [
            (r#"{"hostOrigin":"https://a.example"}"#, "unreadable"),
            (r#"{"sessionToken":"","hostOrigin":"https://a.example"}"#, "sessionToken"),
            (r#"{"sessionToken":"t","hostOrigin":"*"}"#, "hostOrigin"),
            (r#"{"sessionToken":"t","hostOrigin":"https://a.example","theme":"neon"}"#, "theme"),
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

    #[test]
    fn options_are_accepted_only_in_a_frame_of_the_host() {
        let host = "https://lender.example";
        let top = framing_problem(&Framing::TopLevel, host).unwrap();
        assert!(top.contains("frame"), "{top}");
        let elsewhere = Framing::Framed { parent_origin: Some("https://attacker.example".into()) };
        let mismatch = framing_problem(&elsewhere, host).unwrap();
        assert!(mismatch.contains("https://attacker.example"), "{mismatch}");
        let framed = Framing::Framed { parent_origin: Some(host.into()) };
        assert_eq!(framing_problem(&framed, host), None);
        // Browsers without ancestorOrigins: the frame check alone.
        assert_eq!(framing_problem(&Framing::Framed { parent_origin: None }, host), None);
    }

    #[test]
    fn events_are_tagged_for_the_host() {
        let event = EmbedEvent::Started { platform_key: "gbol".into(), connection_id: "c1".into() };
        let json = serde_json::to_value(Envelope { source: MESSAGE_SOURCE, event: &event }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"source": "codat-connect", "type": "started",
                "detail": {"platformKey": "gbol", "connectionId": "c1"}})
        );
        let closed = serde_json::to_value(Envelope { source: MESSAGE_SOURCE, event: &EmbedEvent::Closed {} });
        assert_eq!(
            closed.unwrap(),
            serde_json::json!({"source": "codat-connect", "type": "closed", "detail": {}})
        );
    }
}
