//! Steps 2 and 3: the integration grid; choosing a card starts a connection and sends the
//! browser to its Link URL.

use crate::{
    api,
    components::{
        integration_card::IntegrationCard,
        notice::{ErrorNotice, SkeletonGrid},
    },
};
use codat_connect_api::SourceType;
use leptos::prelude::*;

/// The grid of accounting platforms.
#[component]
pub fn ConnectPage() -> impl IntoView {
    let cards = LocalResource::new(|| api::integrations(SourceType::Accounting));
    let connect = Action::new_local(|platform_key: &String| {
        let platform_key = platform_key.clone();
        async move { api::connect(&platform_key).await }
    });
    let busy =
        Signal::derive(move || connect.pending().get() || matches!(connect.value().get(), Some(Ok(_))));
    Effect::new(move |_| {
        if let Some(Ok(started)) = connect.value().get() {
            // A fresh, one-time link: follow it at once rather than keep it.
            if let Err(error) = window().location().set_href(&started.link_url) {
                leptos::logging::error!("could not open the link: {error:?}");
            }
        }
    });
    let on_connect = Callback::new(move |key: String| {
        connect.dispatch(key);
    });
    let connect_failure = move || connect.value().get().and_then(Result::err);
    view! {
        <section class="panel">
            <h1>"Connect your accounting software"</h1>
            <p class="lead">"Choose the platform you keep your books in. You will sign in to it and approve read-only access."</p>
            {move || connect_failure().map(|failure| view! {
                <ErrorNotice failure on_retry=move |_| connect.value().set(None)/>
            })}
            <p class="visually-hidden" role="status">
                {move || if busy.get() { "Opening the sign-in page…" } else { "" }}
            </p>
            <Transition fallback=SkeletonGrid>
                {move || Suspend::new(async move {
                    match cards.await {
                        Ok(cards) if cards.is_empty() => view! {
                            <p class="notice">"No platforms are available right now. Please try again later."</p>
                        }.into_any(),
                        Ok(cards) => view! {
                            <ul class="integration-grid">
                                {cards.into_iter().map(|card| view! {
                                    <IntegrationCard card on_connect busy/>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(failure) => view! {
                            <ErrorNotice failure on_retry=move |_| cards.refetch()/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
