//! "Can't find your platform?": what to try instead, and a way to tell the lender which software
//! the owner uses (the funnel keeps it with the zero-result searches, so the lender sees which
//! platforms to enable).

use crate::{api, i18n::messages};
use codat_connect_api::{FunnelStep, SourceType};
use leptos::{html, prelude::*};

/// The question under the grid of the kind `tab`.
#[component]
pub fn CantFind(
    /// The kind of platform shown.
    tab: RwSignal<SourceType>,
) -> impl IntoView {
    let m = messages();
    // Read when sent rather than bound: the page carries less code for the same form.
    let named = NodeRef::<html::Input>::new();
    let told = RwSignal::new(false);
    let tell = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = named.get().map(|input| input.value()).unwrap_or_default();
        if !text.trim().is_empty() {
            api::funnel(FunnelStep::PlatformMissing { source_type: tab.get_untracked(), text });
            told.set(true);
        }
    };
    view! {
        <details class="cant-find">
            <summary>{m.cant_find}</summary>
            <p>{m.cant_find_text}</p>
            <form class="field cant-find-form" on:submit=tell>
                <label for="cant-find-name">{m.cant_find_ask}</label>
                <div class="cant-find-row">
                    <input id="cant-find-name" type="text" maxlength="60" autocomplete="off" node_ref=named/>
                    <button type="submit" class="button">{m.cant_find_send}</button>
                </div>
                <p role="status">{move || if told.get() { m.cant_find_thanks } else { "" }}</p>
            </form>
        </details>
    }
}
