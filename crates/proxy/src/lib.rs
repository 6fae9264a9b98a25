//! The Codat Connect server, a backend-for-frontend: it serves the built web app, answers the
//! flow's small JSON API (`/api/*`), keeps the Codat API key to itself, stores merchants and
//! sessions, and, when no Codat key is configured, runs the Codat emulator under `/emulator`.

pub mod check;
pub mod codat_backend;
pub mod config;
pub mod csv;
pub mod db;
pub mod digest;
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

pub use codat_backend::{redirect_template, FLOW_EVENT_TYPES};
pub use routes::app;
pub use server::{start, RunningProxy};
pub use state::{build_state, AppState};
