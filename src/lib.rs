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
pub mod pages;
pub mod picker;

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

/// The whole app: one route per step of the flow.
#[component]
pub fn App() -> impl IntoView {
    i18n::start();
    view! {
        <Router>
            <components::shell::Shell>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::sign_up::SignUpPage/>
                    <Route path=path!("/connect") view=pages::connect::ConnectPage/>
                    <Route path=path!("/callback") view=pages::callback::CallbackPage/>
                    <Route path=path!("/connections") view=pages::connections::ConnectionsPage/>
                </Routes>
            </components::shell::Shell>
        </Router>
    }
}
