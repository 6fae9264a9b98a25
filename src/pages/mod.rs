//! One routed page per file, and the page a refused frame shows instead.

pub mod callback;
pub mod connect;
pub mod connections;
pub mod embed_refused;
pub mod not_found;
pub mod sign_up;
