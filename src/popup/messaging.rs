//! Codat's Link in a popup: the return page in the popup reports Codat's redirect to the
//! frame that opened it (and closes once the frame acknowledges), and the frame watches for the
//! popup being closed early.

use crate::embed::MESSAGE_SOURCE;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// The popup's window name; a return page in a window of this name reports to its opener.
pub const LINK_WINDOW_NAME: &str = "codat-connect-link";

/// Size and placement of the Link popup.
const LINK_WINDOW_FEATURES: &str = "popup=yes,width=520,height=720";

/// Follows the popup's reports of Codat's redirect: each one's query string (`?statusCode=...`)
/// is set in `link_return`, for the shell to follow.
pub fn listen_for_link_returns(link_return: RwSignal<Option<String>>) {
    let own_origin = window().location().origin().unwrap_or_default();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        if event.origin() != own_origin {
            return;
        }
        let Some(search) = event.data().as_string().and_then(|data| link_return_query(&data)) else {
            return;
        };
        // The popup closes once it knows its report arrived.
        // Another window's proxy fails `instanceof Window` in this realm, hence unchecked.
        if let Some(popup) = event.source().map(|source| source.unchecked_into::<web_sys::Window>()) {
            let _ = popup.post_message(&JsValue::from_str(LINK_RETURN_RECEIVED), &own_origin);
        }
        link_return.set(Some(search));
    });
    let _ = window().add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();
}

const LINK_RETURN_RECEIVED: &str = "codat-connect:link-return-received";

/// The message the popup's return page sends its opener.
#[derive(Debug, Serialize, Deserialize)]
struct LinkReturnMessage {
    source: String,
    #[serde(rename = "linkReturn")]
    link_return: String,
}

/// The query string carried by a Link-return message, if `data` is one.
fn link_return_query(data: &str) -> Option<String> {
    let message: LinkReturnMessage = crate::json::from_str(data)?;
    (message.source == MESSAGE_SOURCE && message.link_return.starts_with('?')).then_some(message.link_return)
}

/// In the Link popup, on the return page: hands Codat's redirect to the app that opened the
/// popup, and closes the popup once it has arrived. True when this page is such a popup.
pub fn report_link_return() -> bool {
    let window = window();
    let is_link_window = window.name().is_ok_and(|name| name == LINK_WINDOW_NAME);
    let opener = window.opener().ok().filter(|opener| !opener.is_null() && !opener.is_undefined());
    let on_return_page = window.location().pathname().is_ok_and(|path| path == "/callback");
    let (true, Some(opener), true) = (is_link_window, opener, on_return_page) else { return false };
    // Another window's proxy fails `instanceof Window` in this realm, hence unchecked.
    let opener = opener.unchecked_into::<web_sys::Window>();
    let own_origin = window.location().origin().unwrap_or_default();
    let message = LinkReturnMessage {
        source: MESSAGE_SOURCE.into(),
        link_return: window.location().search().unwrap_or_default(),
    };
    let Some(json) = crate::json::to_string(&message) else { return false };
    let close_origin = own_origin.clone();
    let on_received =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if event.origin() == close_origin
                && event.data().as_string().as_deref() == Some(LINK_RETURN_RECEIVED)
            {
                let _ = leptos::prelude::window().close();
            }
        });
    let _ = window.add_event_listener_with_callback("message", on_received.as_ref().unchecked_ref());
    on_received.forget();
    opener.post_message(&JsValue::from_str(&json), &own_origin).is_ok()
}

/// Opens the Link popup at `url` (blank when empty); call it in a click handler, where
/// browsers allow popups. `None` when the browser blocked it.
pub fn open_link_window(url: &str) -> Option<web_sys::Window> {
    window().open_with_url_and_target_and_features(url, LINK_WINDOW_NAME, LINK_WINDOW_FEATURES).ok().flatten()
}

/// How often to look whether the owner closed the popup (browsers fire no event for it).
const POPUP_CHECK_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Calls `on_closed` once `popup` is closed, for as long as the calling component lives.
pub fn when_closed(popup: web_sys::Window, on_closed: impl Fn() + 'static) {
    let handle = StoredValue::new(None::<IntervalHandle>);
    let checker = set_interval_with_handle(
        move || {
            if popup.closed().unwrap_or(true) {
                if let Some(handle) = handle.try_update_value(Option::take).flatten() {
                    handle.clear();
                }
                on_closed();
            }
        },
        POPUP_CHECK_EVERY,
    );
    if let Ok(checker) = checker {
        handle.set_value(Some(checker));
    }
    on_cleanup(move || {
        if let Some(handle) = handle.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_link_return_is_followed() {
        let good = r#"{"source":"codat-connect","linkReturn":"?statusCode=200&state=s"}"#;
        assert_eq!(link_return_query(good).as_deref(), Some("?statusCode=200&state=s"));
        assert_eq!(link_return_query(r#"{"source":"other","linkReturn":"?a"}"#), None);
        assert_eq!(link_return_query(r#"{"source":"codat-connect","linkReturn":"https://evil"}"#), None);
        assert_eq!(link_return_query("not json"), None);
    }
}
