//! Step 4: the page Codat redirects back to. It reads the outcome from the query string and,
//! for a success, confirms the connection's status with the proxy before saying so.

use crate::{
    api::{self, ApiResult},
    components::{
        checklist::DoneButton, data_sync::DataSyncProgress, notice::ErrorNotice, status_badge::StatusBadge,
    },
    embed::{self, EmbedEvent, HostErrorCode},
    i18n::{fill, messages},
    link_outcome::{CallbackOutcome, NextStep},
    loaded::Loaded,
    routes::Page,
};
use codat_connect_api::{Connection, ConnectionStatus, ErrorCode, FunnelStep};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The return page for every status Codat sends.
#[component]
pub fn CallbackPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name);
    let outcome = Memo::new(move |_| {
        CallbackOutcome::from_query(
            param("statusCode").as_deref(),
            param("errorMessage").as_deref(),
            param("connectionId").as_deref(),
        )
    });
    // The lender's funnel hears of each return once, with Codat's status code.
    let returned = query.read_untracked();
    if let Some(status_code) = returned.get("statusCode").and_then(|code| code.trim().parse::<u16>().ok()) {
        api::funnel(FunnelStep::LinkReturned { connection_id: returned.get("connectionId"), status_code });
    }
    drop(returned);
    let platform = Memo::new(move |_| {
        param("platformName")
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| messages().your_platform.into())
    });
    view! {
        <section class="panel narrow">
            {move || match outcome.get() {
                CallbackOutcome::Authorized { connection_id } => {
                    // An empty `state=` is Codat's placeholder left unfilled: none carried back.
                    let state = query.read_untracked().get("state").filter(|state| !state.trim().is_empty());
                    view! { <Confirmation connection_id state platform=platform.get()/> }.into_any()
                }
                other => view! { <OutcomeMessage outcome=other platform=platform.get()/> }.into_any(),
            }}
        </section>
    }
}

/// A reported success, confirmed with the proxy before it is shown.
#[component]
fn Confirmation(connection_id: String, state: Option<String>, platform: String) -> impl IntoView {
    let confirmed = Loaded::new(move || {
        let (connection_id, state) = (connection_id.clone(), state.clone());
        async move {
            api::confirm(&connection_id, state).await.map(|answer| (answer.connection, answer.finish_url))
        }
    });
    let m = messages();
    // The host hears of each answer once, when it arrives.
    Effect::new(move |_| {
        if let Some(event) = confirmed
            .get()
            .map(|answer| answer.map(|(connection, _)| connection))
            .as_ref()
            .and_then(host_event)
        {
            embed::notify(event);
        }
    });
    let checking = fill(m.checking_connection, &[("platform", &platform)]);
    view! {
        {move || match confirmed.get() {
            None => view! { <h1 role="status">{checking.clone()}</h1> }.into_any(),
            // Back in another browser than the one the owner started in: the outcome, and the
            // way back to the lender; nothing of the merchant's beyond this connection.
            Some(Ok((connection, Some(finish_url)))) if connection.status == ConnectionStatus::Linked => {
                view! {
                    <h1>{fill(m.platform_connected, &[("platform", &connection.platform_name)])}</h1>
                    <p role="status">{m.connected_thanks}</p>
                    <p><StatusBadge status=connection.status/></p>
                    <div class="actions">
                        <a href=finish_url class="button primary">{m.done}</a>
                    </div>
                }
                .into_any()
            }
            Some(Ok((connection, _))) if connection.status == ConnectionStatus::Linked => {
                view! {
                    <h1>{fill(m.platform_connected, &[("platform", &connection.platform_name)])}</h1>
                    <p role="status">{m.connected_thanks}</p>
                    <p><StatusBadge status=connection.status/></p>
                    <DataSyncProgress/>
                    <div class="actions">
                        <DoneButton/>
                        <a href=Page::Connections.href() class=if embed::is_embedded() { "button" } else { "button primary" }>
                            {m.view_connections}
                        </a>
                    </div>
                }
                .into_any()
            }
            Some(Ok((connection, _))) => {
                view! {
                    <h1>{fill(m.not_finished_heading, &[("platform", &connection.platform_name)])}</h1>
                    <p role="status">{m.not_finished_text}</p>
                    <p><StatusBadge status=connection.status/></p>
                    <div class="actions">
                        <a href=Page::Connect.href() class="button primary">{m.try_again}</a>
                    </div>
                }
                .into_any()
            }
            Some(Err(failure)) => {
                // A refused return cannot be retried: the way on is the connections list.
                if failure.error_code().is_some_and(ErrorCode::is_refused_return) {
                    return view! {
                        <h1>{fill(m.could_not_confirm, &[("platform", &platform)])}</h1>
                        <p role="alert">{failure.message()}</p>
                        <div class="actions">
                            <a href=Page::Connections.href() class="button primary">{m.view_connections}</a>
                        </div>
                    }
                    .into_any();
                }
                view! {
                    <h1>{fill(m.could_not_confirm, &[("platform", &platform)])}</h1>
                    <ErrorNotice failure on_retry=move |_| confirmed.reload()/>
                }
                .into_any()
            }
        }}
    }
}

/// What the host page is told about the proxy's answer to a return (nothing when the session
/// ended: the proxy's client has told it already).
fn host_event(answer: &ApiResult<Connection>) -> Option<EmbedEvent> {
    match answer {
        Ok(connection) if connection.status == ConnectionStatus::Linked => Some(EmbedEvent::Connected {
            connection_id: connection.id.clone(),
            platform_key: connection.platform_key.clone(),
            platform_name: connection.platform_name.clone(),
            source_type: connection.source_type,
        }),
        Ok(_) => Some(EmbedEvent::Error {
            code: HostErrorCode::NotLinked,
            message: messages().not_finished_text.into(),
            recoverable: true,
        }),
        Err(failure) if failure.is_not_signed_in() => None,
        Err(failure) => Some(EmbedEvent::Error {
            code: failure.host_code(),
            message: failure.message(),
            recoverable: true,
        }),
    }
}

/// Any outcome other than a success: what happened and what to do next.
#[component]
fn OutcomeMessage(outcome: CallbackOutcome, platform: String) -> impl IntoView {
    let m = messages();
    if let Some(code) = outcome.host_error() {
        let message = outcome.explanation(m);
        Effect::new(move |_| {
            embed::notify(EmbedEvent::Error { code, message: message.clone(), recoverable: true })
        });
    }
    let (page, label) = match outcome.next_step() {
        NextStep::Continue => (Page::Connections, m.view_connections),
        NextStep::TryAgain => (Page::Connect, m.try_again),
        NextStep::ChooseAnother => (Page::Connect, m.choose_another),
    };
    view! {
        <h1>{outcome.headline(m, &platform)}</h1>
        <p role="status">{outcome.explanation(m)}</p>
        <div class="actions">
            <a href=page.href() class="button primary">{label}</a>
        </div>
    }
}
