//! "I'll do this later": an owner leaving before linking what the lender requires may say why
//! (optional, never in the way): none of these is their software, they do not have the login,
//! they are not comfortable sharing, they will do it later, or something else in their words.
//! The lender's funnel counts the reasons; then the owner goes back to the lender's page (or,
//! embedded, the host page hears `finished` with what is missing; with neither, the page thanks
//! them).

use crate::{api, i18n::messages};
use codat_connect_api::{FunnelStep, LeavingReason};
use leptos::{html, prelude::*};

/// The question, folded under "I'll do this later".
#[component]
pub fn LeaveEarly(
    /// Runs once the question is answered or skipped, and its step sent.
    leave: Callback<()>,
) -> impl IntoView {
    let m = messages();
    // Read when sent rather than bound: the page carries less code for the same form.
    let why = NodeRef::<html::Select>::new();
    let words = NodeRef::<html::Input>::new();
    let left = RwSignal::new(false);
    // "I'll do it later" is the summary's own words.
    let labels = [m.later_not_mine, m.later_no_login, m.later_not_comfortable, m.later, m.later_other];
    let options = LeavingReason::ALL
        .into_iter()
        .zip(labels)
        .map(|(reason, label)| view! { <option value=reason.as_str()>{label}</option> })
        .collect_view();
    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let chosen = why.get().map(|select| select.value()).unwrap_or_default();
        let reason = LeavingReason::ALL.into_iter().find(|reason| reason.as_str() == chosen);
        let text = words.get().map(|input| input.value()).filter(|text| !text.trim().is_empty());
        left.set(true);
        // The step is sent before leaving: leaving the page would cancel it.
        leptos::task::spawn_local(async move {
            api::funnel_sent(FunnelStep::LeftEarly { reason, text }).await;
            leave.run(());
        });
    };
    view! {
        <details class="cant-find">
            <summary>{m.later}</summary>
            <form class="field cant-find-form" on:submit=send>
                <label>{m.later_why}" "<select node_ref=why><option value="">{m.later_unsaid}</option>{options}</select></label>
                <label>{m.later_words}" "<input type="text" maxlength="60" autocomplete="off" node_ref=words/></label>
                <button type="submit" class="button">{m.later_leave}</button>
                <p role="status">{move || if left.get() { m.later_thanks } else { "" }}</p>
            </form>
        </details>
    }
}
