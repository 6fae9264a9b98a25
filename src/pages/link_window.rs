//! Pages shown outside the app's routes: what the Link popup shows once Codat has sent it back
//! (the app that opened it carries on, and the popup closes itself as soon as its report has
//! arrived), and what a frame shows when the host page's options were refused.

use crate::i18n::{self, messages};
use leptos::prelude::*;

/// "You can close this window", with a button for browsers that keep it open.
#[component]
pub fn LinkWindowPage() -> impl IntoView {
    i18n::start();
    let m = messages();
    view! {
        <main id="main" class="app-main">
            <section class="panel narrow">
                <h1 role="status">{m.you_can_close}</h1>
                <div class="actions">
                    <button type="button" class="button primary" on:click=|_| { let _ = window().close(); }>
                        {m.close}
                    </button>
                </div>
            </section>
        </main>
    }
}

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
