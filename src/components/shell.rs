//! The frame around every page: header, main region and the "Powered by Codat" badge. On each
//! route change it moves focus to the main region and names the page in the title, so screen
//! readers and keyboard users start where the new page starts.

use leptos::{html, prelude::*};
use leptos_router::{components::A, hooks::use_location};

/// Header, the routed page, and the footer badge.
#[component]
pub fn Shell(
    /// The routed page.
    children: Children,
) -> impl IntoView {
    let location = use_location();
    let main = NodeRef::<html::Main>::new();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|previous| previous != path) {
            if let Some(main) = main.get() {
                let _ = main.focus();
            }
        }
        document().set_title(&format!("{} · Codat Connect", page_title(&path)));
        path
    });
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <A href="/" attr:class="brand">"Codat Connect"</A>
            <nav aria-label="Main">
                <A href="/connect">"Connect"</A>
                <A href="/connections">"Your connections"</A>
            </nav>
        </header>
        <main id="main" class="app-main" tabindex="-1" node_ref=main>{children()}</main>
        <footer class="app-footer">
            <img src="/assets/powered-by-codat.svg" alt="Powered by Codat" width="150" height="32"/>
        </footer>
    }
}

/// The document title for a path.
pub fn page_title(path: &str) -> &'static str {
    match path.trim_end_matches('/') {
        "" => "Share your financial data",
        "/connect" => "Connect a platform",
        "/callback" => "Connecting",
        "/connections" => "Your connections",
        _ => "Page not found",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_a_title() {
        assert_eq!(page_title("/"), "Share your financial data");
        assert_eq!(page_title("/connections/"), "Your connections");
        assert_eq!(page_title("/nowhere"), "Page not found");
    }
}
