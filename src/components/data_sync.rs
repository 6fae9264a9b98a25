//! The first data sync, per data type, updated when the proxy pushes an event and polled only
//! while the event stream is down.

use crate::mutation::Mutation;
use crate::{api, data_types, i18n::messages, live::use_live_events, loaded::Loaded};
use codat_connect_api::SyncState;
use leptos::prelude::*;
use std::time::Duration;

/// How often to poll while the event stream is down.
const POLL_EVERY: Duration = Duration::from_secs(3);

/// Progress of the merchant's data sync, with an "all set" end.
#[component]
pub fn DataSyncProgress() -> impl IntoView {
    let m = messages();
    let live = use_live_events();
    let (polls, set_polls) = signal(0u32);
    let progress = Loaded::new(move || {
        live.changes.track();
        live.resyncs.track();
        polls.track();
        api::sync_progress()
    });
    let finished = move || progress.get().and_then(Result::ok).is_some_and(|p| data_types::is_finished(&p));
    // Some data types could not be read: the next step is to ask for them again.
    let failed = move || {
        progress.get().and_then(Result::ok).is_some_and(|p| {
            data_types::is_finished(&p) && p.iter().any(|item| item.state == SyncState::Failed)
        })
    };
    // Asking for every data type to be read again; once asked, the progress is fetched anew.
    let read_again = Mutation::new_local(|_: &()| api::refresh_sync());
    Effect::new(move |_| {
        if read_again.value().with(|answer| matches!(answer, Some(Ok(())))) {
            set_polls.update(|n| *n += 1);
        }
    });
    let retrying = read_again.pending();
    let retry_failure =
        move || read_again.value().get().and_then(Result::err).map(|failure| failure.message());
    let poller = set_interval_with_handle(
        move || {
            let finished =
                progress.get_untracked().and_then(Result::ok).is_some_and(|p| data_types::is_finished(&p));
            if !live.connected.get_untracked() && !finished {
                set_polls.update(|n| *n += 1);
            }
        },
        POLL_EVERY,
    );
    on_cleanup(move || {
        if let Ok(poller) = poller {
            poller.clear();
        }
    });
    view! {
        <section class="data-sync" aria-labelledby="data-sync-heading">
            <h2 id="data-sync-heading">
                {move || if failed() { m.sync_needs_attention } else if finished() { m.all_set } else { m.reading_your_data }}
            </h2>
            {move || match progress.get() {
                None => view! { <p role="status">{m.checking_progress}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <p role="status" aria-live="polite">{data_types::summary(m, &list)}</p>
                    <ul class="sync-list">
                        {list.into_iter().map(|item| {
                            let modifier = state_class(item.state);
                            view! {
                                <li class="sync-row">
                                    <span>{data_types::label(m, &item.data_type)}</span>
                                    <span class=format!("sync-state {modifier}")>{data_types::state_label(m, item.state)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Some(Err(failure)) => view! { <p class="field-error" role="alert">{failure.message()}</p> }.into_any(),
            }}
            {move || failed().then(|| view! {
                <div class="notice notice-warning">
                    <p>{m.sync_failed_next_step}</p>
                    <button type="button" class="button" disabled=move || retrying.get() on:click=move |_| { read_again.dispatch_local(()); }>
                        {m.read_again}
                    </button>
                    {move || retry_failure().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
                </div>
            })}
        </section>
    }
}

fn state_class(state: SyncState) -> &'static str {
    match state {
        SyncState::Queued => "sync-queued",
        SyncState::Fetching => "sync-fetching",
        SyncState::Complete => "sync-complete",
        SyncState::Failed => "sync-failed",
        SyncState::NotSupported => "sync-unsupported",
    }
}
