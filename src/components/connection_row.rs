//! One connection in the list, with what can be done to it: disconnect (data kept), remove
//! (data deleted), finish or renew its authorization.

use crate::mutation::Mutation;
use crate::{
    api::{self, ApiResult},
    components::{confirm_dialog::ConfirmDialog, status_badge::StatusBadge},
    dates,
    i18n::{fill, messages, Messages},
    popup::LinkWindow,
};
use codat_connect_api::{ConnectStarted, Connection, ConnectionStatus};
use leptos::prelude::*;

/// A connection's id and what its action came to: nothing more to do, or a Link URL to follow.
pub type Outcome = (String, ApiResult<Option<ConnectStarted>>);

/// What is done to one connection, and the proxy's answer: nothing more to do, or a Link URL to
/// follow. Held by the list, not the row, so an answer still arrives when a reload rebuilds
/// the rows meanwhile.
#[derive(Clone, Copy)]
pub struct ConnectionAction {
    mutation: Mutation<(String, Ask), Outcome>,
    /// The connection being acted on, while the proxy answers.
    acting_on: RwSignal<Option<String>>,
}

impl ConnectionAction {
    /// The list's action, for all its rows.
    pub fn for_list() -> Self {
        let mutation = Mutation::new_local(|(id, ask): &(String, Ask)| {
            let (id, ask) = (id.clone(), *ask);
            async move {
                let outcome = match ask {
                    Ask::Unlink => api::unlink(&id).await.map(|_| None),
                    Ask::Delete => api::delete_connection(&id).await.map(|_| None),
                    Ask::Relink => api::relink(&id).await.map(Some),
                };
                (id, outcome)
            }
        });
        Self { mutation, acting_on: RwSignal::new(None) }
    }

    /// Does `ask` to the connection `id`.
    pub fn dispatch(self, id: String, ask: Ask) {
        self.acting_on.set(Some(id.clone()));
        self.mutation.dispatch_local((id, ask));
    }

    /// The latest answer: the connection's id and the outcome (tracked).
    pub fn answer(self) -> Option<Outcome> {
        self.mutation.value().get()
    }

    /// True while the proxy answers for the connection `id` (tracked).
    fn is_busy(self, id: &str) -> bool {
        self.mutation.pending().get() && self.acting_on.with(|acting| acting.as_deref() == Some(id))
    }

    /// Why the latest action on the connection `id` failed, if it did (tracked).
    fn failure(self, id: &str) -> Option<String> {
        self.mutation.value().with(|answer| match answer {
            Some((of, Err(failure))) if of == id => Some(failure.message()),
            _ => None,
        })
    }
}

/// A connection and its actions.
#[component]
pub fn ConnectionRow(
    /// The connection, as the proxy last reported it.
    connection: Connection,
    /// The list's action, dispatched for this row's connection.
    action: ConnectionAction,
    /// Set while this row's confirmation dialog is open.
    deciding: RwSignal<bool>,
    /// Embedded: the popup Link opens in to finish or renew the authorization (Link cannot be
    /// framed); held by the page, so a reload of the list does not lose it.
    link_window: LinkWindow,
) -> impl IntoView {
    let m = messages();
    let id = StoredValue::new(connection.id.clone());
    let name = connection.platform_name.clone();
    let asking = RwSignal::new(None::<Ask>);
    let busy = move || id.with_value(|id| action.is_busy(id));
    let failure = move || id.with_value(|id| action.failure(id));
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
        action.dispatch(id.get_value(), ask);
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
            {connection.consent.clone().map(|r| {
                let r = *r;
                // Someone the owner handed the linking to agreed in their own name.
                let (text, person) = match r.handoff_person {
                    Some(person) => (m.receipt_given_by, person),
                    None => (m.receipt_given, String::new()),
                };
                let values = [("date", dates::day(m, &r.given_at)), ("count", r.data_types.len().to_string()), ("version", r.version), ("person", person)];
                let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                view! { <p class="connection-receipt">{fill(text, &values)}</p> }
            })}
            // The business at the platform is not the one read before (a reconnect to another).
            {connection.company_was.clone().zip(connection.company_now.clone()).map(|(was, now)| view! {
                <p class="connection-identity" role="status">{fill(m.company_changed, &[("now", &now), ("was", &was)])}</p>
            })}
            <div class="connection-actions">
                {(status != ConnectionStatus::Linked).then(|| view! {
                    <button type="button" class="button primary" disabled=busy
                        on:click=move |_| act(Ask::Relink)>{relink_label}</button>
                })}
                {(status == ConnectionStatus::Linked).then(|| view! {
                    <button type="button" class="button" disabled=busy
                        on:click=move |_| asking.set(Some(Ask::Unlink))>{m.disconnect}</button>
                })}
                <button type="button" class="button quiet-danger" disabled=busy
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
pub enum Ask {
    /// Stop syncing; data kept.
    Unlink,
    /// Remove the connection and its data.
    Delete,
    /// Finish or renew the authorization at Codat's Link.
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
