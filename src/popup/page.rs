//! What the Link popup shows once Codat has sent it back (outside the app's routes): the app
//! that opened it carries on, and the popup closes itself as soon as its report has arrived.

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
