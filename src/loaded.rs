//! What a page shows from the proxy, as a signal.
//!
//! A page reads [`Loaded::get`] in its view: `None` until the first answer, then the latest
//! answer. Fetching again (a signal the fetch reads changed, or [`Loaded::reload`]) keeps the
//! previous answer on screen until the next one replaces it, so a live update never flashes a
//! placeholder. This is all the app needs of Leptos's resources and `<Transition>`, at a small
//! part of their size in the bundle (see ARCHITECTURE.md).

use crate::api::ApiResult;
use leptos::prelude::*;
use std::{cell::Cell, future::Future, pin::Pin, rc::Rc};

/// What asks for an answer: a request, boxed.
type Fetch<T> = Box<dyn Fn() -> Pin<Box<dyn Future<Output = ApiResult<T>>>>>;

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
    /// Calls `fetch` once the calling component is set up, and again whenever a signal read by
    /// `fetch` itself (not by the future it returns) changes. An answer overtaken by a later request is
    /// dropped, so a slow answer for a tab left behind never replaces the current one.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = ApiResult<T>> + 'static,
    {
        // The request's future is boxed: what follows is made once per answer type rather
        // than once per page asking (the bundle carries it once).
        Self::with_boxed(Box::new(move || Box::pin(fetch())))
    }

    fn with_boxed(fetch: Fetch<T>) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiFailure;
    use any_spawner::Executor;
    use futures::channel::oneshot;
    use std::cell::RefCell;

    type Pending = Rc<RefCell<Vec<(u32, oneshot::Sender<ApiResult<u32>>)>>>;

    /// A `Loaded` whose requests wait until the test answers them, in any order.
    fn loaded_by_tab(tab: RwSignal<u32>) -> (Loaded<u32>, Pending) {
        let pending = Pending::default();
        let requests = Rc::clone(&pending);
        let loaded = Loaded::new(move || {
            let (answer, answered) = oneshot::channel();
            requests.borrow_mut().push((tab.get(), answer));
            async move { answered.await.unwrap_or(Err(ApiFailure::Unreachable)) }
        });
        (loaded, pending)
    }

    #[test]
    fn an_answer_overtaken_by_a_later_request_is_dropped() {
        let _ = Executor::init_futures_executor();
        let owner = Owner::new();
        owner.set();
        let tab = RwSignal::new(1);
        let (loaded, pending) = loaded_by_tab(tab);
        Executor::poll_local();
        tab.set(2);
        Executor::poll_local();
        let mut requests = pending.take();
        assert_eq!(requests.iter().map(|(tab, _)| *tab).collect::<Vec<_>>(), [1, 2]);
        let (_, second) = requests.pop().unwrap();
        let (_, first) = requests.pop().unwrap();

        second.send(Ok(20)).unwrap();
        Executor::poll_local();
        assert_eq!(loaded.get_untracked(), Some(Ok(20)));
        first.send(Ok(10)).unwrap();
        Executor::poll_local();
        assert_eq!(loaded.get_untracked(), Some(Ok(20)), "the answer for the tab left behind was shown");
    }

    #[test]
    fn a_reload_keeps_the_last_answer_until_the_next_arrives() {
        let _ = Executor::init_futures_executor();
        let owner = Owner::new();
        owner.set();
        let (loaded, pending) = loaded_by_tab(RwSignal::new(1));
        Executor::poll_local();
        assert_eq!(loaded.get_untracked(), None);
        pending.take().pop().unwrap().1.send(Ok(1)).unwrap();
        Executor::poll_local();
        assert_eq!(loaded.get_untracked(), Some(Ok(1)));

        loaded.reload();
        Executor::poll_local();
        let (_, next) = pending.take().pop().expect("a reload asks again");
        assert_eq!(loaded.get_untracked(), Some(Ok(1)));
        next.send(Ok(2)).unwrap();
        Executor::poll_local();
        assert_eq!(loaded.get_untracked(), Some(Ok(2)));
    }
}
