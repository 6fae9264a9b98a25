//! A change sent to the proxy (sign up, start a connection, disconnect, read again): pending
//! while the proxy answers, then its answer, as signals.
//!
//! The same surface as Leptos's `Action::new_local` (`dispatch_local`, `pending`, `value`,
//! `clear`), so each use reads as a Leptos engineer expects; it costs a small part of
//! `Action`'s bytes in the bundle (see ARCHITECTURE.md, "Decisions"), which is why it is ours.

use leptos::prelude::*;
use std::{cell::Cell, future::Future, pin::Pin, rc::Rc};

type Run<I, O> = Rc<dyn Fn(&I) -> Pin<Box<dyn Future<Output = O>>>>;
/// What sends an input, and the number of the latest dispatch.
type Sender<I, O> = (Run<I, O>, Rc<Cell<u32>>);

/// A change sent to the proxy and its answer.
pub struct Mutation<I: 'static, O: 'static> {
    /// What sends an input, and the number of the latest dispatch: an answer overtaken by a
    /// later dispatch (or a `clear`) is dropped.
    sender: StoredValue<Sender<I, O>, LocalStorage>,
    pending: RwSignal<bool>,
    value: RwSignal<Option<O>>,
}

impl<I: 'static, O: 'static> Clone for Mutation<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I: 'static, O: 'static> Copy for Mutation<I, O> {}

impl<I: 'static, O: Send + Sync + 'static> Mutation<I, O> {
    /// A mutation that runs `send` for each dispatched input.
    pub fn new_local<Fut>(send: impl Fn(&I) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = O> + 'static,
    {
        let run: Run<I, O> = Rc::new(move |input| Box::pin(send(input)));
        Self {
            sender: StoredValue::new_local((run, Rc::new(Cell::new(0)))),
            pending: RwSignal::new(false),
            value: RwSignal::new(None),
        }
    }

    /// Sends `input`; `pending` is true until its answer is in `value`.
    pub fn dispatch_local(self, input: I) {
        let Some((run, latest)) = self.sender.try_get_value() else { return };
        let this = latest.get().wrapping_add(1);
        latest.set(this);
        self.pending.set(true);
        let answer = run(&input);
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            if latest.get() == this {
                // The page may be gone by now; then nobody is waiting for the answer.
                let _ = self.pending.try_set(false);
                let _ = self.value.try_set(Some(answer));
            }
        });
    }

    /// True while the latest dispatch waits for its answer (tracked).
    pub fn pending(self) -> ReadSignal<bool> {
        self.pending.read_only()
    }

    /// The latest answer, until cleared (tracked).
    pub fn value(self) -> ReadSignal<Option<O>> {
        self.value.read_only()
    }

    /// Forgets the answer, and one still on its way.
    pub fn clear(self) {
        if let Some((_, latest)) = self.sender.try_get_value() {
            latest.set(latest.get().wrapping_add(1));
        }
        self.pending.set(false);
        self.value.set(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use any_spawner::Executor;
    use futures::channel::oneshot;
    use std::cell::RefCell;

    type Waiting = Rc<RefCell<Vec<(u32, oneshot::Sender<u32>)>>>;

    /// A mutation whose dispatches wait until the test answers them, in any order.
    fn answered_by_test() -> (Mutation<u32, u32>, Waiting) {
        let waiting = Waiting::default();
        let requests = Rc::clone(&waiting);
        let mutation = Mutation::new_local(move |input: &u32| {
            let (answer, answered) = oneshot::channel();
            requests.borrow_mut().push((*input, answer));
            async move { answered.await.unwrap_or(0) }
        });
        (mutation, waiting)
    }

    fn set_up() -> Owner {
        let _ = Executor::init_futures_executor();
        let owner = Owner::new();
        owner.set();
        owner
    }

    #[test]
    fn pending_until_the_answer_is_in_value() {
        let _owner = set_up();
        let (mutation, waiting) = answered_by_test();
        mutation.dispatch_local(7);
        Executor::poll_local();
        assert!(mutation.pending().get_untracked());
        assert_eq!(mutation.value().get_untracked(), None);
        let (input, answer) = waiting.take().pop().unwrap();
        answer.send(input * 2).unwrap();
        Executor::poll_local();
        assert!(!mutation.pending().get_untracked());
        assert_eq!(mutation.value().get_untracked(), Some(14));
    }

    #[test]
    fn an_answer_overtaken_by_a_later_dispatch_or_a_clear_is_dropped() {
        let _owner = set_up();
        let (mutation, waiting) = answered_by_test();
        mutation.dispatch_local(1);
        mutation.dispatch_local(2);
        Executor::poll_local();
        let mut requests = waiting.take();
        let (_, second) = requests.pop().unwrap();
        let (_, first) = requests.pop().unwrap();
        second.send(20).unwrap();
        Executor::poll_local();
        first.send(10).unwrap();
        Executor::poll_local();
        assert_eq!(mutation.value().get_untracked(), Some(20), "the first answer replaced the second");

        mutation.dispatch_local(3);
        Executor::poll_local();
        mutation.clear();
        waiting.take().pop().unwrap().1.send(30).unwrap();
        Executor::poll_local();
        assert_eq!(mutation.value().get_untracked(), None, "a cleared dispatch's answer came back");
        assert!(!mutation.pending().get_untracked());
    }
}
