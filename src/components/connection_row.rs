//! One connection in the list, with what can be done to it: disconnect (data kept), remove
//! (data deleted), finish or renew its authorization.

use crate::mutation::Mutation;
use crate::{
    api,
    components::{confirm_dialog::ConfirmDialog, link_window::LinkWindow, status_badge::StatusBadge},
    dates,
    i18n::{fill, messages, Messages},
};
use codat_connect_api::{Connection, ConnectionStatus};
use leptos::prelude::*;

/// A connection and its actions; `on_changed` runs after a change so the list reloads.
#[component]
pub fn ConnectionRow(
    /// The connection.
    connection: Connection,
    /// Called after it was disconnected or removed.
    #[prop(into)]
    on_changed: Callback<()>,
    /// Set while this row's confirmation dialog is open.
    deciding: RwSignal<bool>,
    /// Embedded: the popup Link opens in to finish or renew the authorization (Link cannot be
    /// framed); held by the page, so a reload of the list does not lose it.
    link_window: LinkWindow,
) -> impl IntoView {
    let m = messages();
    let id = connection.id.clone();
    let name = connection.platform_name.clone();
    let asking = RwSignal::new(None::<Ask>);
    // The action once confirmed: nothing more to do, or a Link URL to follow.
    let action = Mutation::new_local(move |ask: &Ask| {
        let (ask, id) = (*ask, id.clone());
        async move {
            match ask {
                Ask::Unlink => api::unlink(&id).await.map(|_| None),
                Ask::Delete => api::delete_connection(&id).await.map(|_| None),
                Ask::Relink => api::relink(&id).await.map(Some),
            }
        }
    });
    Effect::new(move |_| match action.value().get() {
        Some(Ok(Some(started))) => link_window.follow(started),
        Some(Ok(None)) => on_changed.run(()),
        Some(Err(_)) => link_window.close(),
        None => {}
    });
    let busy = action.pending();
    let failure = move || action.value().get().and_then(Result::err).map(|failure| failure.message());
    Effect::new(move |was_open: Option<bool>| {
        let open = asking.get().is_some();
        if open || was_open == Some(true) {
            deciding.set(open);
        }
        open
    });
    let act = move |ask: Ask| {
        if ask == Ask::Relink {
            // Browsers allow a popup only during the click, before the link is known.
            link_window.open_blank();
        }
        asking.set(None);
        action.dispatch_local(ask);
    };
    let status = connection.status;
    let created = dates::day(m, &connection.created);
    let last_sync =
        connection.last_sync.as_deref().map(|d| dates::day(m, d)).unwrap_or_else(|| m.not_yet.into());
    let dialog_id = format!("connection-{}", connection.id);
    let relink_label =
        if status == ConnectionStatus::PendingAuth { m.finish_connecting } else { m.reconnect };
    view! {
        <li class="connection-row">
            <div class="connection-main">
                // Beside the name it illustrates, so no text of its own.
                {connection.logo_url.clone().map(|src| view! {
                    <img class="connection-logo" src=src alt="" width="32" height="32"/>
                })}
                <span class="connection-name">{connection.platform_name.clone()}</span>
                <span class="connection-type">{connection.source_type.as_str()}</span>
                <StatusBadge status/>
            </div>
            <p class="connection-dates">{fill(m.connection_dates, &[("created", &created), ("last_sync", &last_sync)])}</p>
            <div class="connection-actions">
                {(status != ConnectionStatus::Linked).then(|| view! {
                    <button type="button" class="button primary" disabled=move || busy.get()
                        on:click=move |_| act(Ask::Relink)>{relink_label}</button>
                })}
                {(status == ConnectionStatus::Linked).then(|| view! {
                    <button type="button" class="button" disabled=move || busy.get()
                        on:click=move |_| asking.set(Some(Ask::Unlink))>{m.disconnect}</button>
                })}
                <button type="button" class="button quiet-danger" disabled=move || busy.get()
                    on:click=move |_| asking.set(Some(Ask::Delete))>{m.remove}</button>
            </div>
            {move || failure().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
            {move || asking.get().map(|ask| {
                let Wording { title, body, confirm_label, destructive } = ask.wording(m, &name);
                view! {
                    <ConfirmDialog id=dialog_id.clone() open=Signal::derive(move || asking.get().is_some())
                        title body confirm_label destructive
                        on_confirm=move |_| act(ask) on_cancel=move |_| asking.set(None)/>
                }
            })}
        </li>
    }
}

/// An action that needs the owner's confirmation, or a direct one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    Unlink,
    Delete,
    Relink,
}

/// What a confirmation dialog says.
struct Wording {
    title: String,
    /// What happens, in a sentence or two.
    body: String,
    confirm_label: String,
    /// Whether confirming destroys data (the button is styled as a warning).
    destructive: bool,
}

impl Ask {
    /// How the dialog asking for this action words it.
    fn wording(self, m: &Messages, platform: &str) -> Wording {
        match self {
            Ask::Unlink => Wording {
                title: fill(m.disconnect_title, &[("platform", platform)]),
                body: m.disconnect_text.into(),
                confirm_label: m.disconnect.into(),
                destructive: false,
            },
            Ask::Delete | Ask::Relink => Wording {
                title: fill(m.remove_title, &[("platform", platform)]),
                body: m.remove_text.into(),
                confirm_label: m.remove_confirm.into(),
                destructive: true,
            },
        }
    }
}
