//! Codat Connect's web app: the business owner's side of Codat's "build your own auth flow".
//!
//! Client-side rendered with Leptos and built by trunk. Every request goes to the proxy's small
//! JSON API ([`api`]); nothing here talks to Codat or holds a secret.

pub mod api;
pub mod components;
pub mod data_types;
pub mod dates;
pub mod embed;
pub mod first_answers;
pub mod i18n;
pub mod json;
pub mod link_outcome;
pub mod live;
pub mod loaded;
pub mod mutation;
pub mod pages;
pub mod picker;
pub mod popup;
pub mod routes;

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    StaticSegment,
};
use routes::Page;

/// The whole app: one route per step of the flow, inside the shell.
#[component]
pub fn App() -> impl IntoView {
    i18n::start();
    view! {
        <Router>
            <components::shell::Shell>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=StaticSegment(Page::SignUp.segment()) view=pages::sign_up::SignUpPage/>
                    <Route path=StaticSegment(Page::Connect.segment()) view=pages::connect::ConnectPage/>
                    <Route path=StaticSegment(Page::Callback.segment()) view=pages::callback::CallbackPage/>
                    <Route path=StaticSegment(Page::Connections.segment()) view=pages::connections::ConnectionsPage/>
                </Routes>
            </components::shell::Shell>
        </Router>
    }
}
