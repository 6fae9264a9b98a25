//! Step 5: the merchant's connections.

use crate::{
    api,
    components::{notice::ErrorNotice, status_badge::StatusBadge},
};
use leptos::prelude::*;
use leptos_router::components::A;

/// The list of connections with their status.
#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let connections = LocalResource::new(api::connections);
    view! {
        <section class="panel">
            <h1>"Your connections"</h1>
            <Transition fallback=move || view! { <p role="status">"Loading your connections…"</p> }>
                {move || Suspend::new(async move {
                    match connections.await {
                        Ok(list) if list.is_empty() => view! {
                            <div class="notice">
                                <p>"You have not connected any platforms yet."</p>
                                <A href="/connect" attr:class="button primary">"Connect a platform"</A>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="connection-list">
                                {list.into_iter().map(|connection| view! {
                                    <li class="connection-row">
                                        <span class="connection-name">{connection.platform_name}</span>
                                        <span class="connection-type">{connection.source_type.as_str()}</span>
                                        <StatusBadge status=connection.status/>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <A href="/connect" attr:class="button">"Connect another platform"</A>
                        }.into_any(),
                        Err(failure) => view! {
                            <ErrorNotice failure on_retry=move |_| connections.refetch()/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
