//! Step 1: the business signs up; the proxy creates its Codat company.

use crate::mutation::Mutation;
use crate::{
    api,
    i18n::{fill, messages},
    loaded::Loaded,
    routes::Page,
};
use codat_connect_api::{SignUpProblem, SignUpRequest};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The sign-up form, or a welcome back for a visitor who already has a session.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let m = messages();
    let navigate = use_navigate();
    let business_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let existing = Loaded::new(api::session);
    // Sending the sign-up: a session leads on to the platforms; a refusal is shown.
    let sign_up = Mutation::new_local(|request: &SignUpRequest| {
        let request = request.clone();
        async move { api::sign_up(&request).await }
    });
    let pending = sign_up.pending();
    Effect::new(move |_| {
        if sign_up.value().with(|answer| matches!(answer, Some(Ok(_)))) {
            navigate(Page::Connect.href(), Default::default());
        }
    });
    // Checked here first with the proxy's own rules, so the owner reads the problem in the
    // page's language without a round trip.
    let problem = RwSignal::new(None::<SignUpProblem>);
    let failure = move || match problem.get() {
        Some(problem) => Some(api::sign_up_problem(problem)),
        None => sign_up.value().get().and_then(Result::err),
    };
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let request =
            SignUpRequest { business_name: business_name.get_untracked(), email: email.get_untracked() };
        match request.checked() {
            Err(found) => problem.set(Some(found)),
            Ok(_) => {
                problem.set(None);
                sign_up.dispatch_local(request);
            }
        }
    };
    let form = move || {
        view! {
            <form class="form" on:submit=on_submit novalidate>
                <div class="field">
                    <label for="business-name">{m.business_name}</label>
                    <input id="business-name" name="business-name" type="text" autocomplete="organization"
                        required bind:value=business_name/>
                </div>
                <div class="field">
                    <label for="email">{m.work_email}</label>
                    <input id="email" name="email" type="email" autocomplete="email" required bind:value=email/>
                </div>
                {move || failure().map(|f| view! { <p class="field-error" role="alert">{f.message()}</p> })}
                <button type="submit" class="button primary" disabled=move || pending.get()>
                    {move || if pending.get() { m.setting_up } else { m.continue_label }}
                </button>
            </form>
        }
    };
    // A lender's link already used or past its day (the server sends it here).
    let link_problem =
        leptos_router::hooks::use_query_map().read_untracked().get("problem").is_some_and(|p| p == "link");
    view! {
        <section class="panel narrow">
            <h1>{m.sign_up_heading}</h1>
            <p class="lead">{m.sign_up_lead}</p>
            {link_problem.then(|| view! { <div class="notice notice-warning" role="alert"><p>{m.link_used}</p></div> })}
            {move || match existing.get() {
                None => view! { <p role="status">{m.loading}</p> }.into_any(),
                Some(Ok(Some(session))) => view! {
                    <div class="notice">
                        <p>{fill(m.welcome_back, &[("name", &session.business_name)])}</p>
                        <a href=Page::Connect.href() class="button primary">{m.continue_label}</a>
                    </div>
                }.into_any(),
                Some(Ok(None) | Err(_)) => form().into_any(),
            }}
        </section>
    }
}
