//! The app's pages and where each lives. Routing is leptos_router's (see `App`); this module
//! names each page's path once, from `codat_connect_api::pages` (which the proxy shares), so no
//! view spells one out.

use codat_connect_api::pages;

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

    /// Where the page lives, for links and navigation (the not-found page offers the picker).
    pub fn href(self) -> &'static str {
        match self {
            Page::SignUp => pages::SIGN_UP,
            Page::Connect | Page::NotFound => pages::CONNECT,
            Page::Callback => pages::CALLBACK,
            Page::Connections => pages::CONNECTIONS,
        }
    }

    /// The path segment leptos_router matches for the page (its path without the leading `/`).
    pub fn segment(self) -> &'static str {
        self.href().trim_start_matches('/')
    }
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

    #[test]
    fn each_page_lives_where_it_is_found() {
        for page in [Page::SignUp, Page::Connect, Page::Callback, Page::Connections] {
            assert_eq!(Page::at(page.href()), page);
        }
        assert_eq!(Page::Connections.segment(), "connections");
        assert_eq!(Page::SignUp.segment(), "");
    }
}
