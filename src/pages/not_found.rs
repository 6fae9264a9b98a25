//! Any path the app does not know.

use leptos::prelude::*;
use leptos_router::components::A;

/// "Page not found", with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    let m = crate::i18n::messages();
    view! {
        <section class="panel">
            <h1>{m.not_found}</h1>
            <p>{m.not_found_text}</p>
            <A href="/connect" attr:class="button primary">{m.go_to_platforms}</A>
        </section>
    }
}
