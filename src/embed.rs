//! Embedded use: the app running in an iframe that `assets/embed.js` put in the lender's page.
//!
//! The host page passes its options in the frame's URL fragment (`#embed=<JSON>`, never sent
//! to a server and removed from the address at once). While embedded, API calls carry the
//! session token, Codat's Link opens in a popup whose return page reports back here and closes,
//! and what happens is told to the host page, which `embed.js` turns into DOM `CustomEvent`s.

mod framing;
mod messages;
mod options;
mod theme;

pub use framing::{framing_problem, Framing};
pub use messages::{EmbedEvent, HostErrorCode};
pub use options::EmbedOptions;

use framing::framing;
use leptos::prelude::*;
use messages::post_to_parent;
pub(crate) use messages::MESSAGE_SOURCE;
use std::sync::OnceLock;
use theme::apply_theme;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

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
    report_height();
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
    let event = EmbedEvent::Error {
        code: HostErrorCode::InvalidOptions,
        message: reason.clone(),
        recoverable: false,
    };
    post_to_parent(&event, "*");
    let _ = REFUSED.set(reason);
}

/// Tells the host page about `event` (nothing happens standalone).
pub fn notify(event: EmbedEvent) {
    if let Some(options) = OPTIONS.get() {
        post_to_parent(&event, &options.host_origin);
    }
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
