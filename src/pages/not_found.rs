//! Any path the app does not know.

use crate::routes::Page;
use leptos::prelude::*;

/// "Page not found", with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    let m = crate::i18n::messages();
    view! {
        <section class="panel">
            <h1>{m.not_found}</h1>
            <p>{m.not_found_text}</p>
            <a href=Page::Connect.href() class="button primary">{m.go_to_platforms}</a>
        </section>
    }
}
