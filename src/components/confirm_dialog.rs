//! A modal confirmation (the native `<dialog>`: focus held inside, Escape cancels).

use leptos::{html, prelude::*};

/// Asks before something that cannot be undone at once.
#[component]
pub fn ConfirmDialog(
    /// A page-unique id, for the dialog's accessible name.
    id: String,
    /// Shown while true.
    #[prop(into)]
    open: Signal<bool>,
    /// The question, as the dialog's heading.
    title: String,
    /// What happens, in plain words.
    body: String,
    /// The confirming button's label.
    confirm_label: String,
    /// Marks the confirming button as destructive.
    #[prop(optional)]
    destructive: bool,
    /// Called on confirmation.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// Called on cancel, Escape included.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let Some(dialog) = dialog.get() else { return };
        if open.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        } else if dialog.open() {
            dialog.close();
        }
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let confirm_class = if destructive { "button danger" } else { "button primary" };
    view! {
        <dialog node_ref=dialog class="confirm-dialog" aria-labelledby=labelled_by
            on:close=move |_| if open.get_untracked() { on_cancel.run(()) }>
            <h2 id=title_id>{title}</h2>
            <p>{body}</p>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>{crate::i18n::messages().cancel}</button>
                <button type="button" class=confirm_class on:click=move |_| on_confirm.run(())>{confirm_label}</button>
            </div>
        </dialog>
    }
}
