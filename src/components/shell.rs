//! The frame around every page: header, main region and the "Powered by Codat" badge.

use leptos::prelude::*;
use leptos_router::components::A;

/// Header, the routed page, and the footer badge.
#[component]
pub fn Shell(
    /// The routed page.
    children: Children,
) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <A href="/" attr:class="brand">"Codat Connect"</A>
            <nav aria-label="Main">
                <A href="/connect">"Connect"</A>
                <A href="/connections">"Your connections"</A>
            </nav>
        </header>
        <main id="main" class="app-main" tabindex="-1">{children()}</main>
        <footer class="app-footer">
            <img src="/assets/powered-by-codat.svg" alt="Powered by Codat" width="150" height="32"/>
        </footer>
    }
}
