//! The first view's answers the server wrote into the page (the proxy's `first_view`): the
//! picker's page arrives with the session, the first grid, the connections and the sync inside
//! it, so a phone renders the grid as soon as the app starts, with no round trip. Each answer
//! is taken once, by the request it answers, and only on the page it was written for; anything
//! asked later goes to the proxy. An embedded page (its session is a bearer token the page's
//! own request did not carry) takes none.

use crate::{embed, json};
use std::cell::RefCell;

/// What the server wrote: the page's path, and each answer as (path asked, status, body).
#[derive(serde::Deserialize)]
struct Written {
    page: String,
    answers: Vec<(String, u16, String)>,
}

thread_local! {
    /// `None` until the page's element has been read.
    static WRITTEN: RefCell<Option<Written>> = const { RefCell::new(None) };
}

/// The answer written into the page for a `GET` of `path` (status and body), taken so that it
/// is used once.
pub fn take(path: &str) -> Option<(u16, String)> {
    if embed::session_token().is_some() {
        return None;
    }
    WRITTEN.with(|cell| {
        let mut written = cell.borrow_mut();
        let written = written.get_or_insert_with(read);
        // The owner has moved on to another page: what was written is not this page's.
        if leptos::prelude::window().location().pathname().ok().as_deref() != Some(written.page.as_str()) {
            written.answers.clear();
        }
        let index = written.answers.iter().position(|(asked, _, _)| asked == path)?;
        let (_, status, body) = written.answers.swap_remove(index);
        Some((status, body))
    })
}

/// The page's data element, if the server wrote one.
fn read() -> Written {
    let text =
        leptos::prelude::document().get_element_by_id("cc-first").and_then(|element| element.text_content());
    text.and_then(|text| json::from_str(&text))
        .unwrap_or(Written { page: String::new(), answers: Vec::new() })
}
