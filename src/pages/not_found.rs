//! Any path the app does not know.

use leptos::prelude::*;
use leptos_router::components::A;

/// "Page not found", with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="panel">
            <h1>"Page not found"</h1>
            <p>"This page does not exist."</p>
            <A href="/connect" attr:class="button primary">"Go to your platforms"</A>
        </section>
    }
}
