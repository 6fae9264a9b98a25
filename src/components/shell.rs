//! The frame around every page: header, main region and the "Powered by Codat" badge. On each
//! route change it moves focus to the main region and names the page in the title, so screen
//! readers and keyboard users start where the new page starts.

use crate::{
    api,
    embed::{self, EmbedEvent},
    i18n::{messages, Messages},
    mutation::Mutation,
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
    let session_gone = SessionGone(RwSignal::new(false));
    provide_context(session_gone);
    Effect::new(move |previous: Option<String>| {
        let path = path.get();
        if previous.is_some_and(|previous| previous != path) {
            session_gone.0.set(false);
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
            {(!embedded).then(|| view! {
                <Show when=move || {
                    !session_gone.0.get() && matches!(Page::at(&path.get()), Page::Connect | Page::Connections)
                }>
                    <SignOutButton/>
                </Show>
            })}
            {embedded.then(|| view! {
                <button type="button" class="button close-button" on:click=|_| embed::notify(EmbedEvent::Closed {})>
                    {m.close}
                </button>
            })}
        </header>
        <main id="main" class="app-main" tabindex="-1" node_ref=main>{children()}</main>
        <footer class="app-footer">
            // Text rather than an image: it speaks the page's language, follows its theme and
            // costs a phone no request.
            <p class="powered-by">{m.powered_by}</p>
        </footer>
    }
}

/// Set when the page learns it has no session (the proxy said so): the header then offers no
/// "Sign out". Cleared on each page change.
#[derive(Debug, Clone, Copy)]
pub struct SessionGone(pub RwSignal<bool>);

/// Standalone: ends the session and goes back to the sign-up page; a failure is said beside it.
#[component]
fn SignOutButton() -> impl IntoView {
    let m = messages();
    let sign_out = Mutation::new_local(|_: &()| api::log_out());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if sign_out.value().with(|answer| matches!(answer, Some(Ok(())))) {
            navigate(Page::SignUp.href(), Default::default());
        }
    });
    let failure = move || sign_out.value().get().and_then(Result::err).map(|failure| failure.message());
    view! {
        <div class="sign-out">
            <button type="button" class="button" disabled=sign_out.pending() on:click=move |_| sign_out.dispatch_local(())>
                {m.sign_out}
            </button>
            <p class="sign-out-error" role="alert">{failure}</p>
        </div>
    }
}

/// Embedded: when the Link popup reports Codat's redirect, shows the return page here.
fn follow_link_returns() {
    let link_return = RwSignal::new(None);
    crate::popup::listen_for_link_returns(link_return);
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
