//! The Codat Connect server, a backend-for-frontend: it serves the built web app, answers the
//! flow's small JSON API (`/api/*`), keeps the Codat API key to itself, stores merchants and
//! sessions, and, when no Codat key is configured, runs the Codat emulator under `/emulator`.

pub(crate) mod aliases;
pub mod check;
pub(crate) mod codat_backend;
pub mod config;
pub(crate) mod connections_cache;
pub(crate) mod csv;
pub mod db;
pub(crate) mod digest;
pub(crate) mod error;
pub(crate) mod example_lender;
pub(crate) mod extract;
pub mod facts;
pub(crate) mod first_view;
pub(crate) mod flow;
pub mod funnel;
pub(crate) mod identity;
pub(crate) mod lender;
pub mod live;
pub(crate) mod metrics;
pub(crate) mod platform_health;
pub(crate) mod rate_limit;
pub(crate) mod routes;
pub(crate) mod security;
pub(crate) mod serve;
pub mod server;
pub mod session;
pub(crate) mod spa;
pub(crate) mod state;
pub mod sweep;
pub(crate) mod texts;
pub(crate) mod watcher;
pub(crate) mod web_app;
pub(crate) mod webhooks;

pub use codat_backend::{redirect_template, FLOW_EVENT_TYPES};
pub use routes::app;
pub use server::{start, RunningProxy};
pub use state::{build_state, AppState};
