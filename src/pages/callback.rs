//! Step 4: the page Codat redirects back to. It reads the outcome from the query string and,
//! for a success, confirms the connection's status with the proxy before saying so.

use crate::{
    api,
    callback::{CallbackOutcome, NextStep},
    components::{data_sync::DataSyncProgress, notice::ErrorNotice, status_badge::StatusBadge},
};
use codat_connect_api::ConnectionStatus;
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

/// The return page for every status Codat sends.
#[component]
pub fn CallbackPage() -> impl IntoView {
    let query = use_query_map();
    let outcome = Memo::new(move |_| {
        let query = query.read();
        CallbackOutcome::from_query(
            query.get("statusCode").as_deref(),
            query.get("errorMessage").as_deref(),
            query.get("connectionId").as_deref(),
        )
    });
    let platform = Memo::new(move |_| {
        query
            .read()
            .get("platformName")
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| "your platform".into())
    });
    view! {
        <section class="panel narrow">
            {move || match outcome.get() {
                CallbackOutcome::Authorized { connection_id } => {
                    let state = query.read_untracked().get("state").unwrap_or_default();
                    view! { <Confirmation connection_id state platform=platform.get()/> }.into_any()
                }
                other => view! { <OutcomeMessage outcome=other platform=platform.get()/> }.into_any(),
            }}
        </section>
    }
}

/// A reported success, confirmed with the proxy before it is shown.
#[component]
fn Confirmation(connection_id: String, state: String, platform: String) -> impl IntoView {
    let confirmed = LocalResource::new(move || {
        let (connection_id, state) = (connection_id.clone(), state.clone());
        async move { api::confirm(&connection_id, &state).await }
    });
    let checking = format!("Checking your {platform} connection…");
    view! {
        <Transition fallback=move || view! { <h1 role="status">{checking.clone()}</h1> }>
            {move || {
                let platform = platform.clone();
                Suspend::new(async move {
                    match confirmed.await {
                        Ok(connection) if connection.status == ConnectionStatus::Linked => view! {
                            <h1>{format!("{} is connected", connection.platform_name)}</h1>
                            <p role="status">"Thank you. We are now reading your financial data; this takes a moment."</p>
                            <p><StatusBadge status=connection.status/></p>
                            <DataSyncProgress/>
                            <div class="actions">
                                <A href="/connections" attr:class="button primary">"View your connections"</A>
                            </div>
                        }.into_any(),
                        Ok(connection) => view! {
                            <h1>{format!("Connecting {} is not finished", connection.platform_name)}</h1>
                            <p role="status">"Codat has not confirmed access yet. Please try again."</p>
                            <p><StatusBadge status=connection.status/></p>
                            <div class="actions">
                                <A href="/connect" attr:class="button primary">"Try again"</A>
                            </div>
                        }.into_any(),
                        Err(failure) => view! {
                            <h1>{format!("We could not confirm your {platform} connection")}</h1>
                            <ErrorNotice failure on_retry=move |_| confirmed.refetch()/>
                        }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// Any outcome other than a success: what happened and what to do next.
#[component]
fn OutcomeMessage(outcome: CallbackOutcome, platform: String) -> impl IntoView {
    let (href, label) = match outcome.next_step() {
        NextStep::Continue => ("/connections", "View your connections"),
        NextStep::TryAgain => ("/connect", "Try again"),
        NextStep::ChooseAnother => ("/connect", "Choose another platform"),
    };
    view! {
        <h1>{outcome.headline(&platform)}</h1>
        <p role="status">{outcome.explanation()}</p>
        <div class="actions">
            <A href=href attr:class="button primary">{label}</A>
        </div>
    }
}
