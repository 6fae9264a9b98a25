//! What the lender needs, across the picker's tabs: each kind of platform it offers, required or
//! optional, and whether the business has connected one; and the embedded "Done", offered once
//! every required kind is connected.

use crate::{
    api,
    embed::{self, EmbedEvent},
    i18n::{fill, messages},
    loaded::Loaded,
    picker,
};
use codat_connect_api::{
    Connection, ConnectionStatus, Progress, Requirement, Requirements, Session, SourceType,
};
use leptos::prelude::*;

/// Whether the business has a working connection of `kind`.
pub fn has_linked(connections: &[Connection], kind: SourceType) -> bool {
    connections.iter().any(|c| c.source_type == kind && c.status == ConnectionStatus::Linked)
}

/// The checklist, shown when the lender requires some kind of platform.
#[component]
pub fn Checklist(
    /// What the lender needs.
    requirements: Requirements,
    /// Kinds the business sent documents for, which count as linked.
    documented: Vec<SourceType>,
    /// The business's connections.
    connections: Loaded<Vec<Connection>>,
) -> impl IntoView {
    let m = messages();
    let required = Requirements::KINDS.iter().any(|kind| requirements.of(*kind) == Requirement::Required);
    required.then(|| {
        let items = move || {
            let list = connections.get().and_then(Result::ok).unwrap_or_default();
            Requirements::KINDS
                .into_iter()
                .filter(|kind| requirements.of(*kind) != Requirement::Hidden)
                .filter(|kind| embed::options().is_none_or(|options| options.tabs().contains(kind)))
                .map(|kind| {
                    let linked = has_linked(&list, kind) || documented.contains(&kind);
                    let need = match (linked, requirements.of(kind)) {
                        (true, _) => m.status_connected,
                        (false, Requirement::Required) => m.required,
                        (false, _) => m.optional_skip,
                    };
                    view! {
                        <li class:done=linked>
                            <span class="checklist-mark" aria-hidden="true">{if linked { "✓" } else { "" }}</span>
                            <strong>{picker::tab_label(m, kind)}</strong>
                            " "<span>{need}</span>
                        </li>
                    }
                })
                .collect_view()
        };
        view! { <ul class="checklist" aria-label=m.checklist_label>{items}</ul> }
    })
}

/// Ends the flow, embedded (telling the host page what was connected, what is missing, nothing,
/// and what was skipped) or for an owner who came by the lender's link (sent back to the
/// lender's page with the same, in its query); while a required kind is missing it says what to
/// connect instead. Nothing for a standalone owner.
#[component]
pub fn DoneButton(
    /// The session, when the page has it already (else it is asked for).
    #[prop(optional)]
    session: Option<Loaded<Option<Session>>>,
    /// The connections, likewise.
    #[prop(optional)]
    connections: Option<Loaded<Vec<Connection>>>,
) -> impl IntoView {
    let m = messages();
    let session = session.unwrap_or_else(|| Loaded::new(api::session));
    let connections = connections.unwrap_or_else(|| Loaded::new(api::connections));
    move || {
        let session = session.get()?.ok()??;
        let return_url = session.return_url.filter(|_| !embed::is_embedded());
        let ends = return_url.is_some() || embed::is_embedded();
        let list = connections.get()?.ok()?;
        let progress = Progress::of(&session.requirements, |kind| {
            has_linked(&list, kind) || session.documented.contains(&kind)
        });
        // Back to the lender (its page, or the host page embedded), with where things stand.
        let finish = move |progress: &Progress| match &return_url {
            Some(url) => drop(window().location().assign(&progress.return_address(url))),
            None => embed::notify(EmbedEvent::Finished(progress.clone())),
        };
        if progress.missing.is_empty() {
            return ends.then(|| {
                view! { <button type="button" class="button primary" on:click=move |_| finish(&progress)>{m.done}</button> }
                    .into_any()
            });
        }
        let kinds: Vec<&str> = progress.missing.iter().map(|kind| picker::tab_label(m, *kind)).collect();
        let leave = Callback::new(move |()| {
            if ends {
                finish(&progress);
            }
        });
        Some(
            view! {
                <p class="finish-needs">{fill(m.finish_needs, &[("kinds", &kinds.join(", "))])}</p>
                <super::leave_early::LeaveEarly leave/>
            }
            .into_any(),
        )
    }
}
