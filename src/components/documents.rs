//! "No software for this? Send documents instead", under the grid of a kind the lender takes
//! documents for: the owner chooses or drops files; each is checked by its type and size before
//! it is sent, sent one after another with a progress bar, and listed once sent. The server
//! counts them as that kind linked.

use crate::{
    api,
    i18n::{fill, messages},
};
use codat_connect_api::{document_problem, DocumentProblem, SourceType};
use leptos::prelude::*;

/// What the file chooser offers.
const ACCEPT: &str = ".pdf,.xls,.xlsx,.xlsb,.csv,.doc,.docx,.ppt,.pptx,.jpeg,.jpg,.png";

/// Where the sending stands: the file being (or last) sent, its share sent in percent (from the
/// upload's own progress events), and whether the batch is still going.
type Sending = Option<(String, u32, bool)>;

/// The section under the grid of `tab`; `on_sent` hears when a batch has been sent.
#[component]
pub fn Documents(
    /// The kind of platform shown.
    tab: RwSignal<SourceType>,
    /// The names of the documents sent (from the session).
    sent: Signal<Vec<String>>,
    /// Told when files were sent (the page reads the session again).
    on_sent: Callback<()>,
) -> impl IntoView {
    let m = messages();
    let sending = RwSignal::new(None::<(String, u32, bool)>);
    let problems = RwSignal::new(Vec::<String>::new());
    let take = move |files: web_sys::FileList| {
        let mut queue = Vec::new();
        let mut refused = Vec::new();
        for file in (0..files.length()).filter_map(|index| files.get(index)) {
            let text = match document_problem(&file.name(), file.size() as u64) {
                None => {
                    queue.push(file);
                    continue;
                }
                Some(DocumentProblem::Type) => m.documents_wrong_type,
                Some(_) => m.documents_wrong_size,
            };
            refused.push(fill(text, &[("name", &file.name())]));
        }
        problems.set(refused);
        queue.reverse();
        send_next(queue, tab.get_untracked(), Batch { sending, problems, on_sent });
    };
    let chosen = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&event);
        if let Some(files) = input.files() {
            take(files);
        }
        input.set_value("");
    };
    let dropped = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        if let Some(files) = event.data_transfer().and_then(|transfer| transfer.files()) {
            take(files);
        }
    };
    view! {
        <details class="cant-find documents" on:dragover=|event| event.prevent_default() on:drop=dropped>
            <summary>{m.documents}</summary>
            <p>{m.documents_text}</p>
            <label class="field">{m.documents_choose}" "<input type="file" multiple=true accept=ACCEPT on:change=chosen/></label>
            {move || sending.get().map(|(name, share, busy)| view! {
                <label class="field">{if busy { fill(m.documents_sending, &[("name", &name)]) } else { name }}
                    " "<progress max="100" value=share>{share}"%"</progress></label>
            })}
            <div role="alert">{move || problems.get().into_iter().map(|text| view! { <p>{text}</p> }).collect_view()}</div>
            {move || {
                let list = sent.get();
                (!list.is_empty()).then(|| view! {
                    <p>{m.documents_sent}</p>
                    <ul class="documents-sent">
                        {list.into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
                    </ul>
                })
            }}
        </details>
    }
}

/// The signals a batch of files reports to.
#[derive(Clone, Copy)]
struct Batch {
    sending: RwSignal<Sending>,
    problems: RwSignal<Vec<String>>,
    on_sent: Callback<()>,
}

/// Sends the last file of `queue`, then the rest; the list and the page are told at the end.
fn send_next(mut queue: Vec<web_sys::File>, kind: SourceType, batch: Batch) {
    let Some(file) = queue.pop() else {
        batch.sending.update(|sending| {
            if let Some((_, _, busy)) = sending {
                *busy = false;
            }
        });
        batch.on_sent.run(());
        return;
    };
    let name = file.name();
    batch.sending.set(Some((name.clone(), 0, true)));
    let shown = name.clone();
    let progress =
        move |share: f64| batch.sending.set(Some((shown.clone(), (share * 100.0).round() as u32, true)));
    api::send_document(&file, kind, progress, move |result| {
        if let Err(failure) = result {
            batch.problems.update(|problems| problems.push(format!("{name}: {}", failure.message())));
        }
        send_next(queue, kind, batch);
    });
}
