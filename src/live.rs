//! The proxy's server-sent events (`/api/events`) as signals, so pages update when Codat's
//! webhooks arrive.

use codat_connect_api::{paths, LiveEvent};
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{EventSource, MessageEvent};

/// The stream's state. Pages reload what they show from the API when it moves, so the events'
/// contents are not read here (which keeps their parsing out of the bundle).
#[derive(Debug, Clone, Copy)]
pub struct LiveEvents {
    /// Bumped on each event the proxy pushes (a connection changed, a read finished).
    pub changes: ReadSignal<u32>,
    /// True while the stream is open; pages poll only while it is not.
    pub connected: ReadSignal<bool>,
    /// Bumped when the page may have missed events and should reload what it shows.
    pub resyncs: ReadSignal<u32>,
}

/// Opens the event stream for as long as the calling component lives.
pub fn use_live_events() -> LiveEvents {
    let (changes, set_changes) = signal(0u32);
    let (connected, set_connected) = signal(false);
    let (resyncs, set_resyncs) = signal(0u32);
    // An EventSource cannot send headers: an embedded page names its session in the query.
    let url = match crate::embed::session_token() {
        Some(token) => format!("{}?access_token={}", paths::EVENTS, js_sys::encode_uri_component(token)),
        None => paths::EVENTS.to_owned(),
    };
    if let Ok(source) = EventSource::new(&url) {
        let on_event = Closure::<dyn FnMut(MessageEvent)>::new(move |_| set_changes.update(|n| *n += 1));
        let on_resync = Closure::<dyn FnMut(MessageEvent)>::new(move |_| set_resyncs.update(|n| *n += 1));
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            set_connected.set(true);
            // Whatever happened while the stream was down is reloaded.
            set_resyncs.update(|n| *n += 1);
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| set_connected.set(false));
        for name in LiveEvent::NAMES {
            let _ = source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
        }
        let _ =
            source.add_event_listener_with_callback(LiveEvent::RESYNC, on_resync.as_ref().unchecked_ref());
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let held = StoredValue::new_local(Some((source, on_event, on_resync, on_open, on_error)));
        on_cleanup(move || {
            if let Some((source, ..)) = held.try_update_value(Option::take).flatten() {
                source.close();
            }
        });
    }
    LiveEvents { changes, connected, resyncs }
}
