//! What a page shows from the proxy, as a signal.
//!
//! A page reads [`Loaded::get`] in its view: `None` until the first answer, then the latest
//! answer. Fetching again (a signal the fetch reads changed, or [`Loaded::reload`]) keeps the
//! previous answer on screen until the next one replaces it, so a live update never flashes a
//! placeholder. This is all the app needs of Leptos's resources and `<Transition>`, at a small
//! part of their size in the bundle (see ARCHITECTURE.md).

use crate::api::ApiResult;
use leptos::prelude::*;
use std::{cell::Cell, future::Future, rc::Rc};

/// An answer from the proxy that a page shows, fetched again when what it depends on changes.
pub struct Loaded<T: 'static> {
    answer: RwSignal<Option<ApiResult<T>>>,
    reloads: RwSignal<u32>,
}

impl<T: 'static> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Loaded<T> {}

impl<T: Clone + Send + Sync + 'static> Loaded<T> {
    /// Calls `fetch` once the calling component is set up, and again whenever a signal it
    /// reads (before its first `.await`) changes. An answer overtaken by a later request is
    /// dropped, so a slow answer for a tab left behind never replaces the current one.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = ApiResult<T>> + 'static,
    {
        let answer = RwSignal::new(None);
        let reloads = RwSignal::new(0u32);
        let latest = Rc::new(Cell::new(0u32));
        Effect::new(move |_| {
            reloads.track();
            let request = fetch();
            let this = latest.get().wrapping_add(1);
            latest.set(this);
            let latest = Rc::clone(&latest);
            leptos::task::spawn_local(async move {
                let result = request.await;
                if latest.get() == this {
                    // The page may be gone by now; then nobody is waiting for the answer.
                    let _ = answer.try_set(Some(result));
                }
            });
        });
        Self { answer, reloads }
    }

    /// The latest answer, if one has arrived (tracked).
    pub fn get(&self) -> Option<ApiResult<T>> {
        self.answer.get()
    }

    /// The latest answer, if one has arrived, without subscribing to changes.
    pub fn get_untracked(&self) -> Option<ApiResult<T>> {
        self.answer.get_untracked()
    }

    /// Fetches again.
    pub fn reload(&self) {
        self.reloads.update(|n| *n = n.wrapping_add(1));
    }
}
