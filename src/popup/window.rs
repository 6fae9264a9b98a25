//! Embedded use: Codat's Link in a popup. The popup is opened blank during the click (the only
//! moment browsers allow it), sent to the Link URL once the proxy answers, and watched; the owner
//! is told to finish there, offered a button when the browser blocked it, and given the grid back
//! when they close it early. The popup's return is followed by the shell (`listen_for_link_returns`).

use crate::{
    embed,
    i18n::{fill, messages},
};
use codat_connect_api::ConnectStarted;
use leptos::{html, prelude::*};

/// Embedded: the popup Codat's Link opens in, and what the owner is told about it.
#[derive(Clone, Copy)]
pub struct LinkWindow {
    /// Called when the owner is back where they chose to connect (the popup was closed early or
    /// blocked), so the choice can be made again.
    on_released: Callback<()>,
    popup: StoredValue<Option<web_sys::Window>, LocalStorage>,
    /// The started connection whose popup the browser blocked.
    blocked: RwSignal<Option<ConnectStarted>>,
    /// The platform being signed in to in the popup.
    waiting_for: RwSignal<Option<String>>,
    closed_early: RwSignal<bool>,
}

impl LinkWindow {
    /// The popup for connections started from one place; `on_released` runs when the popup is
    /// closed early or blocked, so that place can be used again.
    pub fn new(on_released: Callback<()>) -> Self {
        Self {
            on_released,
            popup: StoredValue::new_local(None),
            blocked: RwSignal::new(None),
            waiting_for: RwSignal::new(None),
            closed_early: RwSignal::new(false),
        }
    }

    /// Opens a blank popup now, while the click allows it (embedded only).
    pub fn open_blank(self) {
        if embed::is_embedded() {
            self.closed_early.set(false);
            self.popup.set_value(super::open_link_window(""));
        }
    }

    /// Follows a started connection to Codat's Link: tells the host it started, then opens Link
    /// in the popup (embedded) or in this tab (a fresh, one-time link: followed at once).
    pub fn follow(self, started: ConnectStarted) {
        embed::notify(embed::EmbedEvent::Started {
            platform_key: started.connection.platform_key.clone().unwrap_or_default(),
            connection_id: started.connection.id.clone(),
        });
        if embed::is_embedded() {
            self.show(started);
        } else if let Err(error) = window().location().set_href(&started.link_url) {
            // The browser's own error object, as the console shows it.
            web_sys::console::error_2(&"could not open the link".into(), &error);
        }
    }

    /// Sends the popup to the Link page, or offers a button when the browser blocked it.
    fn show(self, started: ConnectStarted) {
        match self.popup.try_update_value(Option::take).flatten() {
            Some(popup) => {
                let _ = popup.location().set_href(&started.link_url);
                self.watch(popup, started.connection.platform_name);
            }
            None => {
                let platform_key = started.connection.platform_key.clone().unwrap_or_default();
                crate::api::funnel(codat_connect_api::FunnelStep::PopupBlocked { platform_key });
                self.blocked.set(Some(started));
                // The grid stays usable: the owner may open the window or choose another platform.
                self.on_released.run(());
            }
        }
    }

    /// Opens the blocked popup from its own button.
    fn reopen(self) {
        let Some(started) = self.blocked.get_untracked() else { return };
        if let Some(popup) = super::open_link_window(&started.link_url) {
            self.blocked.set(None);
            self.watch(popup, started.connection.platform_name);
        }
    }

    fn watch(self, popup: web_sys::Window, platform_name: String) {
        self.waiting_for.set(Some(platform_name));
        // Returning through the popup leaves this page; still here means it was closed early.
        super::when_closed(popup, move || {
            self.waiting_for.set(None);
            self.closed_early.set(true);
            self.on_released.run(());
        });
    }

    /// Closes a popup opened for a connection that then failed to start.
    pub fn close(self) {
        if let Some(popup) = self.popup.try_update_value(Option::take).flatten() {
            let _ = popup.close();
        }
    }

    /// What the owner is told about the popup, for the picker to place.
    pub fn view(self) -> impl IntoView {
        let m = messages();
        // The notice sits above the grid, likely scrolled away from the card just chosen: its
        // button takes focus, which also brings it into view.
        let reopen_button = NodeRef::<html::Button>::new();
        Effect::new(move |_| {
            if let Some(button) = reopen_button.get() {
                let _ = button.focus();
            }
        });
        view! {
            <div role="status" aria-live="polite">
                {move || self.waiting_for.get().map(|name| view! {
                    <p class="notice">{fill(m.finish_in_window, &[("name", &name)])}</p>
                })}
                {move || self.closed_early.get().then(|| view! { <p class="notice">{m.window_closed}</p> })}
            </div>
            {move || self.blocked.get().is_some().then(|| view! {
                <div class="notice notice-error" role="alert">
                    <p>{m.window_blocked}</p>
                    <button type="button" class="button primary" node_ref=reopen_button on:click=move |_| self.reopen()>
                        {m.open_sign_in_window}
                    </button>
                </div>
            })}
        }
    }
}
