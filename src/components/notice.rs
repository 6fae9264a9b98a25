//! Messages in the page: errors with a way forward, and loading placeholders.

use crate::components::shell::SessionGone;
use crate::routes::Page;
use crate::{api::ApiFailure, i18n::messages};
use leptos::prelude::*;

/// An error from the proxy, with a retry button, or a sign-up link when there is no session.
#[component]
pub fn ErrorNotice(
    /// What went wrong.
    failure: ApiFailure,
    /// Called by the retry button.
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    if failure.is_not_signed_in() && crate::embed::is_embedded() {
        return view! {
            <div class="notice notice-error" role="alert"><p>{messages().session_ended}</p></div>
        }
        .into_any();
    }
    if failure.is_not_signed_in() {
        if let Some(SessionGone(gone)) = use_context::<SessionGone>() {
            Effect::new(move |_| gone.set(true));
        }
        return view! {
            <div class="notice" role="alert">
                <p>{messages().start_here}</p>
                <a href=Page::SignUp.href() class="button primary">{messages().sign_up}</a>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="notice notice-error" role="alert">
            <p>{failure.message()}</p>
            <button type="button" class="button" on:click=move |_| on_retry.run(())>{messages().try_again}</button>
        </div>
    }
    .into_any()
}

/// Grey placeholders in the shape of the integration grid, shown while it loads.
#[component]
pub fn SkeletonGrid() -> impl IntoView {
    view! {
        <ul class="integration-grid" aria-hidden="true">
            {(0..8).map(|_| view! { <li class="integration-card skeleton"></li> }).collect_view()}
        </ul>
        <p class="visually-hidden" role="status">{messages().loading_platforms}</p>
    }
}
