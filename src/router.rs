//! Client-side navigation between the app's few flat routes.
//!
//! The app has four pages, no nested routes and no path parameters, so it keeps its own small
//! router instead of `leptos_router`, which cost a sixth of the bundle (~32 KB brotli measured;
//! see ARCHITECTURE.md). The current URL lives in two signals; same-origin link clicks and
//! [`navigate`] push history entries; Back and Forward restore them.

use codat_connect_api::pages;
use leptos::prelude::*;
use std::sync::OnceLock;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{Element, MouseEvent, Url, UrlSearchParams};

/// The app's pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// `/`: step 1, sign-up.
    SignUp,
    /// `/connect`: the integration picker.
    Connect,
    /// `/callback`: where Codat's Link sends the owner back.
    Callback,
    /// `/connections`: managing connections.
    Connections,
    /// Any other path.
    NotFound,
}

impl Page {
    /// The page at `path` (a trailing slash makes no difference).
    pub fn at(path: &str) -> Page {
        match pages::page(path) {
            Some(pages::SIGN_UP) => Page::SignUp,
            Some(pages::CONNECT) => Page::Connect,
            Some(pages::CALLBACK) => Page::Callback,
            Some(pages::CONNECTIONS) => Page::Connections,
            _ => Page::NotFound,
        }
    }
}

/// The current URL: its path and its query string (with the leading `?`, or empty), and the
/// page the path names.
#[derive(Clone, Copy)]
pub struct Location {
    /// `location.pathname`.
    pub path: RwSignal<String>,
    /// `location.search`.
    pub search: RwSignal<String>,
    /// [`Page::at`] the path.
    pub page: Memo<Page>,
}

static LOCATION: OnceLock<Location> = OnceLock::new();

/// The current URL, kept up to date by [`start`].
pub fn location() -> Location {
    *LOCATION.get_or_init(|| {
        let path = RwSignal::new(String::new());
        Location {
            path,
            search: RwSignal::new(String::new()),
            page: Memo::new(move |_| Page::at(&path.read())),
        }
    })
}

/// Follows same-origin link clicks and the browser's Back and Forward buttons. Called before
/// the app is mounted, so the location's signals belong to no component and live as long as
/// the page.
pub fn start() {
    sync_with_window(location());
    let on_pop = Closure::<dyn FnMut()>::new(|| sync_with_window(location()));
    let on_click = Closure::<dyn FnMut(MouseEvent)>::new(follow_link);
    let _ = window().add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    let _ = document().add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_pop.forget();
    on_click.forget();
}

/// Shows `href` (a path on this origin, with any query) as a new history entry; the page
/// already shown is not entered twice.
pub fn navigate(href: &str) {
    let Ok(history) = window().history() else {
        let _ = window().location().set_href(href);
        return;
    };
    let here = window().location();
    let shown = format!("{}{}", here.pathname().unwrap_or_default(), here.search().unwrap_or_default());
    let entered = if shown == href {
        history.replace_state_with_url(&JsValue::NULL, "", Some(href))
    } else {
        history.push_state_with_url(&JsValue::NULL, "", Some(href))
    };
    if entered.is_err() {
        let _ = window().location().set_href(href);
        return;
    }
    window().scroll_to_with_x_and_y(0.0, 0.0);
    sync_with_window(location());
}

/// The value of the query parameter `name` in `search` (`?a=1&b=2`), decoded.
pub fn query_param(search: &str, name: &str) -> Option<String> {
    UrlSearchParams::new_with_str(search).ok()?.get(name)
}

fn sync_with_window(location: Location) {
    let now = window().location();
    let path = now.pathname().unwrap_or_default();
    let search = now.search().unwrap_or_default();
    if location.path.get_untracked() != path {
        location.path.set(path);
    }
    if location.search.get_untracked() != search {
        location.search.set(search);
    }
}

/// Turns a plain left click on a link to another page of the app into [`navigate`], as browsers
/// would follow it but without reloading. Links elsewhere, to a fragment of this page, to a new
/// window or a download, and clicks with a modifier key, are left to the browser.
fn follow_link(event: MouseEvent) {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.alt_key()
        || event.ctrl_key()
        || event.shift_key()
    {
        return;
    }
    let Some(link) = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
        .and_then(|element| element.closest("a[href]").ok().flatten())
    else {
        return;
    };
    if link.has_attribute("download") || link.get_attribute("target").is_some_and(|target| target != "_self")
    {
        return;
    }
    let here = window().location();
    let Some(url) = link
        .get_attribute("href")
        .and_then(|href| Url::new_with_base(&href, &here.href().unwrap_or_default()).ok())
    else {
        return;
    };
    let same_page = url.pathname() == here.pathname().unwrap_or_default()
        && url.search() == here.search().unwrap_or_default();
    if url.origin() != here.origin().unwrap_or_default() || (same_page && !url.hash().is_empty()) {
        return;
    }
    event.prevent_default();
    navigate(&format!("{}{}{}", url.pathname(), url.search(), url.hash()));
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn each_path_has_its_page_and_a_trailing_slash_changes_nothing() {
        assert_eq!(Page::at("/"), Page::SignUp);
        assert_eq!(Page::at(""), Page::SignUp);
        assert_eq!(Page::at("/connect"), Page::Connect);
        assert_eq!(Page::at("/callback"), Page::Callback);
        assert_eq!(Page::at("/connections/"), Page::Connections);
        assert_eq!(Page::at("/connect/more"), Page::NotFound);
        assert_eq!(Page::at("/Connect"), Page::NotFound);
    }
}
