//! The proxy's server-sent events (`/api/events`) as signals, so pages update when Codat's
//! webhooks arrive. Standalone, the cookie names the session; embedded, a one-time ticket does
//! (an `EventSource` cannot send headers), asked for before each connection.

use codat_connect_api::{paths, LiveEvent};
use leptos::prelude::*;
use std::{
    cell::{Cell, RefCell},
    rc::{Rc, Weak},
    time::Duration,
};
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
    let embedded = crate::embed::is_embedded();
    let stream = Rc::new_cyclic(|weak: &Weak<Stream>| {
        let opened = weak.clone();
        let failed = weak.clone();
        Stream {
            source: RefCell::default(),
            ended: Cell::new(false),
            retries: Cell::new(0),
            on_event: Closure::new(move |_| set_changes.update(|n| *n += 1)),
            on_resync: Closure::new(move |_| set_resyncs.update(|n| *n += 1)),
            on_open: Closure::new(move |_| {
                set_connected.set(true);
                // Whatever happened while the stream was down is reloaded.
                set_resyncs.update(|n| *n += 1);
                if let Some(stream) = opened.upgrade() {
                    stream.retries.set(0);
                }
            }),
            on_error: Closure::new(move |_| {
                set_connected.set(false);
                // A standalone page's EventSource reconnects by itself, with its cookie. An
                // embedded page's ticket was used up: it asks for another after a pause.
                if embedded {
                    if let Some(stream) = failed.upgrade() {
                        stream.close();
                        retry_later(&stream);
                    }
                }
            }),
        }
    });
    if embedded {
        open_with_ticket(Rc::downgrade(&stream));
    } else {
        stream.open(paths::EVENTS);
    }
    let held = StoredValue::new_local(Some(stream));
    on_cleanup(move || {
        if let Some(stream) = held.try_update_value(Option::take).flatten() {
            stream.ended.set(true);
            stream.close();
        }
    });
    LiveEvents { changes, connected, resyncs }
}

/// The page's event stream and its handlers, which every `EventSource` it opens shares.
struct Stream {
    source: RefCell<Option<EventSource>>,
    /// The page left: nothing reopens.
    ended: Cell<bool>,
    /// Failed attempts since the stream was last open.
    retries: Cell<u32>,
    on_event: Closure<dyn FnMut(MessageEvent)>,
    on_resync: Closure<dyn FnMut(MessageEvent)>,
    on_open: Closure<dyn FnMut(web_sys::Event)>,
    on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Stream {
    fn open(&self, url: &str) {
        let Ok(source) = EventSource::new(url) else { return };
        for name in LiveEvent::NAMES {
            let _ = source.add_event_listener_with_callback(name, self.on_event.as_ref().unchecked_ref());
        }
        let _ = source
            .add_event_listener_with_callback(LiveEvent::RESYNC, self.on_resync.as_ref().unchecked_ref());
        source.set_onopen(Some(self.on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(self.on_error.as_ref().unchecked_ref()));
        if let Some(previous) = self.source.replace(Some(source)) {
            previous.close();
        }
    }

    fn close(&self) {
        if let Some(source) = self.source.take() {
            source.close();
        }
    }
}

/// Embedded: asks the proxy for a one-time ticket (the session token never goes in a URL), then
/// opens the stream with it. A session that has ended is not tried again.
fn open_with_ticket(stream: Weak<Stream>) {
    leptos::task::spawn_local(async move {
        let ticket = crate::api::stream_ticket().await;
        let Some(stream) = stream.upgrade().filter(|stream| !stream.ended.get()) else { return };
        match ticket {
            Ok(ticket) => {
                let ticket = js_sys::encode_uri_component(&ticket.ticket);
                stream.open(&format!("{}?ticket={ticket}", paths::EVENTS));
            }
            Err(failure) if failure.is_not_signed_in() => {}
            Err(_) => retry_later(&stream),
        }
    });
}

/// Tries again after 2, 4, 8, 16, then 30 seconds.
fn retry_later(stream: &Rc<Stream>) {
    if stream.ended.get() {
        return;
    }
    let tries = stream.retries.get();
    stream.retries.set(tries + 1);
    let delay = Duration::from_secs((2u64 << tries.min(4)).min(30));
    let weak = Rc::downgrade(stream);
    set_timeout(move || open_with_ticket(weak), delay);
}
