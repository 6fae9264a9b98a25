//! The Codat Connect server, a backend-for-frontend: it serves the built web app, answers the
//! flow's small JSON API (`/api/*`), keeps the Codat API key to itself, stores merchants and
//! sessions, and, when no Codat key is configured, runs the Codat emulator under `/emulator`.

pub mod check;
pub mod codat_backend;
pub mod config;
pub mod csv;
pub mod db;
pub mod error;
pub mod example_lender;
pub mod extract;
pub mod facts;
pub mod first_view;
pub mod flow;
pub mod funnel;
pub mod lender;
pub mod live;
pub mod metrics;
pub mod rate_limit;
pub mod routes;
pub mod security;
pub mod serve;
pub mod server;
pub mod session;
pub mod spa;
pub mod state;
pub mod sweep;
pub mod texts;
pub mod watcher;
pub mod web_app;
pub mod webhooks;

pub use routes::app;
pub use server::{start, RunningProxy};
pub use state::{build_state, AppState};

/// The SHA-256 of `bytes` in lower-case hex: what is stored of a secret, and image ETags.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Unix seconds as an RFC 3339 date-time (UTC), as the lender's API and exports write them.
pub fn rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The events the flow listens to (subscribe a Codat webhook consumer to these).
pub const FLOW_EVENT_TYPES: [&str; 8] = codat::CONNECTION_EVENT_TYPES;

/// The redirect URL template registered with Codat: the app's callback route with every
/// placeholder the callback page reads.
pub fn redirect_template(public_url: &str) -> String {
    format!(
        "{}/callback?statusCode={{statusCode}}&statusText={{statusText}}&errorMessage={{errorMessage}}\
         &companyId={{companyId}}&connectionId={{connectionId}}&platform={{platform}}\
         &platformName={{platformName}}&sourceType={{sourceType}}&state={{state}}",
        public_url.trim_end_matches('/')
    )
}
