//! The frame around every page: header, main region and the "Powered by Codat" badge. On each
//! route change it moves focus to the main region and names the page in the title, so screen
//! readers and keyboard users start where the new page starts.

use crate::{
    embed::{self, EmbedEvent},
    i18n::{messages, Messages},
    routes::Page,
};
use leptos::{html, prelude::*};
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate},
};

/// Header, the routed page, and the footer badge.
#[component]
pub fn Shell(
    /// The routed page.
    children: Children,
) -> impl IntoView {
    let m = messages();
    let path = use_location().pathname;
    let main = NodeRef::<html::Main>::new();
    Effect::new(move |previous: Option<String>| {
        let path = path.get();
        if previous.is_some_and(|previous| previous != path) {
            if let Some(main) = main.get() {
                let _ = main.focus();
            }
        }
        document().set_title(&format!("{} · Codat Connect", page_title(m, Page::at(&path))));
        path
    });
    let embedded = embed::is_embedded();
    if embedded {
        follow_link_returns();
        embed::notify(EmbedEvent::Ready {});
    }
    view! {
        <a class="skip-link" href="#main">{m.skip_to_content}</a>
        <header class="app-header">
            {(!embedded).then(|| view! { <a href=Page::SignUp.href() class="brand">"Codat Connect"</a> })}
            <nav aria-label=m.navigation>
                <A href=Page::Connect.href() exact=true>{m.nav_connect}</A>
                <A href=Page::Connections.href() exact=true>{m.nav_connections}</A>
            </nav>
            {embedded.then(|| view! {
                <button type="button" class="button close-button" on:click=|_| embed::notify(EmbedEvent::Closed {})>
                    {m.close}
                </button>
            })}
        </header>
        <main id="main" class="app-main" tabindex="-1" node_ref=main>{children()}</main>
        <footer class="app-footer">
            <img src="/assets/powered-by-codat.svg" alt=m.powered_by width="150" height="32"/>
        </footer>
    }
}

/// Embedded: ends the flow, telling the host page the owner is finished (nothing standalone).
#[component]
pub fn DoneButton() -> impl IntoView {
    embed::is_embedded().then(|| {
        view! {
            <button type="button" class="button primary" on:click=|_| embed::notify(EmbedEvent::Finished {})>
                {messages().done}
            </button>
        }
    })
}

/// Embedded: when the Link popup reports Codat's redirect, shows the return page here.
fn follow_link_returns() {
    let link_return = embed::link_return();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(search) = link_return.get() {
            navigate(&format!("{}{search}", Page::Callback.href()), Default::default());
        }
    });
}

/// The document title for a page.
pub fn page_title(m: &Messages, page: Page) -> &'static str {
    match page {
        Page::SignUp => m.title_sign_up,
        Page::Connect => m.title_connect,
        Page::Callback => m.title_callback,
        Page::Connections => m.title_connections,
        Page::NotFound => m.not_found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_a_title() {
        let m = crate::i18n::Locale::En.messages();
        assert_eq!(page_title(m, Page::SignUp), "Share your financial data");
        assert_eq!(page_title(m, Page::Connections), "Your connections");
        assert_eq!(page_title(m, Page::NotFound), "Page not found");
    }
}
