//! Consent before Link opens: what the platform will share (its data types in words, and how
//! much history), why and for how long, in the lender's words, with its terms and privacy
//! notice; "Agree and continue" starts the connection, "Decline" returns to the grid. A platform
//! the business has a connection to already is offered as that: one waiting for authorization
//! is continued, one that lost its access reconnected, and a linked one asks before adding
//! another account (the server continues the first two rather than making a second). On a
//! phone, a desktop-only platform says it connects from its own computer and offers a one-time
//! link to continue there.

use crate::{
    api,
    components::notice::ErrorNotice,
    data_types,
    i18n::{fill, messages},
    loaded::Loaded,
    picker::Chosen,
};
use codat_connect_api::{Connection, ConnectionStatus, ConsentGiven, FunnelStep, SourceType};
use leptos::{html, prelude::*};

/// The consent dialog for the platform `chosen` (key and name), of the kind `kind`.
#[component]
pub fn ConsentDialog(
    /// The platform the owner chose, while its dialog is open.
    chosen: RwSignal<Option<Chosen>>,
    /// The kind of platform shown (the terms depend on it).
    kind: RwSignal<SourceType>,
    /// Called from the click on "Agree and continue", with the platform's key and the consent.
    on_agree: Callback<(String, ConsentGiven)>,
    /// The business's connections (one to the chosen platform changes what is offered).
    connections: Loaded<Vec<Connection>>,
) -> impl IntoView {
    let m = messages();
    // The business's connection to the chosen platform, where it has one.
    let existing = move || {
        let key = chosen.with(|chosen| chosen.as_ref().map(|c| c.key.clone()))?;
        let list = connections.get()?.ok()?;
        list.iter().rev().find(|c| c.platform_key.as_deref() == Some(key.as_str())).map(|c| c.status)
    };
    let (offer, agree_label) = (
        move || match existing() {
            Some(ConnectionStatus::PendingAuth) => Some(m.consent_continues),
            Some(ConnectionStatus::Deauthorized) => Some(m.consent_reconnects),
            Some(ConnectionStatus::Linked) => Some(m.consent_another),
            _ => None,
        },
        move || match existing() {
            Some(ConnectionStatus::PendingAuth) => m.finish_connecting,
            Some(ConnectionStatus::Deauthorized) => m.reconnect,
            _ => m.consent_agree,
        },
    );
    let terms = Loaded::new(move || api::consent_terms(kind.get()));
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let Some(dialog) = dialog.get() else { return };
        match (chosen.with(Option::is_some), dialog.open()) {
            (true, false) => {
                drop(dialog.show_modal());
                // In a frame as tall as the app, the modal sits in the frame's middle: the host
                // page is scrolled to it, wherever the owner was.
                if crate::embed::is_embedded() {
                    dialog.scroll_into_view();
                }
            }
            (false, true) => dialog.close(),
            _ => {}
        }
    });
    // Declined with the button or Escape: back to the grid.
    let decline = move || {
        if let Some(Chosen { key, .. }) = chosen.get_untracked() {
            chosen.set(None);
            api::funnel(FunnelStep::ConsentDeclined { platform_key: key });
        }
    };
    let name = move || chosen.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let desktop_only = move || chosen.with(|c| c.as_ref().filter(|c| c.desktop_only).map(|c| c.key.clone()));
    let body = move || match terms.get() {
        None => view! { <p>{m.loading}</p> }.into_any(),
        Some(Err(failure)) => view! { <ErrorNotice failure on_retry=move |_| terms.reload()/> }.into_any(),
        Some(Ok(terms)) => {
            let agreed = ConsentGiven { version: terms.version.clone(), locale: terms.locale.clone() };
            let history = terms
                .history_months
                .map(|months| fill(m.consent_history, &[("months", &months.to_string())]));
            let links = [(terms.terms_url, m.consent_terms), (terms.privacy_url, m.consent_privacy)]
                .into_iter()
                .filter_map(|(url, label)| {
                    url.map(|url| view! { <a href=url target="_blank" rel="noopener">{label}</a> })
                })
                .collect_view();
            view! {
                <p>{move || fill(m.consent_reads, &[("platform", &name())])}</p>
                <ul class="consent-data">
                    {terms.data_types.iter().map(|t| view! { <li>{data_types::label(m, t)}</li> }).collect_view()}
                </ul>
                {history.map(|h| view! { <p>{h}</p> })}
                <h3>{m.consent_why}</h3>
                <p>{terms.purpose}</p>
                <h3>{m.consent_how_long}</h3>
                <p>{terms.retention}</p>
                <p class="consent-links">{links}</p>
                // The owner without the logins hands the linking on from here too.
                <p><button type="button" class="link-button" on:click=move |_| {
                    decline();
                    if let Some(handoff) = document().get_element_by_id("handoff") {
                        let _ = handoff.set_attribute("open", "");
                        handoff.scroll_into_view();
                    }
                }>{m.handoff}</button></p>
                <div class="actions">
                    <button type="button" class="button" on:click=move |_| decline()>{m.consent_decline}</button>
                    <button type="button" class="button primary" on:click=move |_| {
                        if let Some(Chosen { key, .. }) = chosen.get_untracked() {
                            chosen.set(None);
                            api::funnel(FunnelStep::ConsentGiven { platform_key: key.clone() });
                            on_agree.run((key, agreed.clone()));
                        }
                    }>{agree_label}</button>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <dialog node_ref=dialog class="confirm-dialog consent-dialog" aria-labelledby="consent-title"
            on:close=move |_| decline()>
            <h2 id="consent-title">{move || fill(m.consent_title, &[("platform", &name())])}</h2>
            {move || desktop_only().map(|key| view! { <ContinueElsewhere key name=name()/> })}
            {move || offer().map(|text| view! { <p class="notice">{fill(text, &[("platform", &name())])}</p> })}
            {body}
        </dialog>
    }
}

/// On a phone (CSS shows it only there), a desktop-only platform: it connects from its own
/// computer, and a one-time link continues the flow there (the lender is sent it too).
#[component]
fn ContinueElsewhere(key: String, name: String) -> impl IntoView {
    let m = messages();
    let link = RwSignal::new(None);
    let ask = move |_| {
        let key = key.clone();
        leptos::task::spawn_local(async move { link.set(Some(api::continue_elsewhere(key).await)) });
    };
    view! {
        <div class="continue-elsewhere notice notice-warning">
            <p>{fill(m.desktop_only_note, &[("platform", &name)])}</p>
            <button type="button" class="button" on:click=ask>{m.continue_on_computer}</button>
            {move || link.get().map(|answer| super::handoff::shown_link(m.continue_link_ready, answer))}
        </div>
    }
}
