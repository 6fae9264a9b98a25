//! The web app's pages: the proxy answers these with the app and 200, any other path with the
//! app (which says "page not found") and 404.

/// Step 1: sign-up.
pub const SIGN_UP: &str = "/";
/// Steps 2 and 3: the integration picker.
pub const CONNECT: &str = "/connect";
/// Step 4: where Codat's Link redirects back to.
pub const CALLBACK: &str = "/callback";
/// Step 5: the merchant's connections.
pub const CONNECTIONS: &str = "/connections";

/// The page `path` names, as one of the constants above (a trailing slash makes no
/// difference), or `None` for any other path.
pub fn page(path: &str) -> Option<&'static str> {
    let path = match path.trim_end_matches('/') {
        "" => SIGN_UP,
        other => other,
    };
    [SIGN_UP, CONNECT, CALLBACK, CONNECTIONS].into_iter().find(|page| *page == path)
}
