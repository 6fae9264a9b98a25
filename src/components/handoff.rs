//! "Someone else handles your books?": the owner names the person (an accountant, a bookkeeper)
//! and may add a note; the page shows the one-time link made for them to share (the lender is
//! sent it too, to e-mail). The person agrees to what is shared in their own name.

use crate::{
    api::{self, ApiResult},
    i18n::messages,
};
use codat_connect_api::OneTimeLink;
use leptos::{html, prelude::*};

/// The question under the grid.
#[component]
pub fn Handoff() -> impl IntoView {
    let m = messages();
    // Read when sent rather than bound: the page carries less code for the same form.
    let person = NodeRef::<html::Input>::new();
    let note = NodeRef::<html::Textarea>::new();
    let link = RwSignal::new(None);
    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let person = person.get().map(|input| input.value()).unwrap_or_default();
        let note = note.get().map(|input| input.value()).filter(|note| !note.trim().is_empty());
        leptos::task::spawn_local(async move { link.set(Some(api::hand_off(person, note).await)) });
    };
    view! {
        <details class="cant-find" id="handoff">
            <summary>{m.handoff}</summary>
            <p>{m.handoff_text}</p>
            <form class="field cant-find-form" on:submit=send>
                <label>{m.handoff_person}" "<input type="text" maxlength="80" required=true autocomplete="off" node_ref=person/></label>
                <label>{m.handoff_note}" "<textarea maxlength="300" rows="2" node_ref=note></textarea></label>
                <button type="submit" class="button">{m.handoff_send}</button>
            </form>
            {move || link.get().map(|answer| shown_link(m.handoff_ready, answer))}
        </details>
    }
}

/// A one-time link made for someone (`text` says what to do with it), or why it was not made.
pub fn shown_link(text: &'static str, answer: ApiResult<OneTimeLink>) -> AnyView {
    match answer {
        Ok(link) => {
            let href = link.url.clone();
            view! { <p class="one-time-link">{text}" "<a href=href>{link.url}</a></p> }.into_any()
        }
        Err(failure) => view! { <p role="alert">{failure.message()}</p> }.into_any(),
    }
}
