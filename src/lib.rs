//! Codat Connect's web app: the business owner's side of Codat's "build your own auth flow".
//!
//! Client-side rendered with Leptos and built by trunk. Every request goes to the proxy's small
//! JSON API ([`api`]); nothing here talks to Codat or holds a secret.

pub mod api;
pub mod callback;
pub mod components;
pub mod data_types;
pub mod dates;
pub mod embed;
pub mod i18n;
pub mod live;
pub mod loaded;
pub mod pages;
pub mod picker;
pub mod router;

use leptos::prelude::*;
use router::Page;

/// The whole app: one page per step of the flow. Mounted after [`router::start`].
#[component]
pub fn App() -> impl IntoView {
    i18n::start();
    let page = router::location().page;
    view! {
        <components::shell::Shell>
            {move || match page.get() {
                Page::SignUp => view! { <pages::sign_up::SignUpPage/> }.into_any(),
                Page::Connect => view! { <pages::connect::ConnectPage/> }.into_any(),
                Page::Callback => view! { <pages::callback::CallbackPage/> }.into_any(),
                Page::Connections => view! { <pages::connections::ConnectionsPage/> }.into_any(),
                Page::NotFound => view! { <pages::not_found::NotFound/> }.into_any(),
            }}
        </components::shell::Shell>
    }
}
