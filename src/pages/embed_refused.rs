//! What a frame shows, outside the app's routes, when the host page's options were refused.

use crate::i18n::{self, messages};
use leptos::prelude::*;

/// The host page mounted the app with options it does not accept: say so, with the reason.
#[component]
pub fn EmbedRefusedPage() -> impl IntoView {
    i18n::start();
    let m = messages();
    let reason = crate::embed::refused_reason().unwrap_or_default();
    view! {
        <main id="main" class="app-main">
            <section class="panel narrow">
                <h1>{m.embed_refused}</h1>
                <p class="notice notice-error" role="alert">{reason}</p>
            </section>
        </main>
    }
}
