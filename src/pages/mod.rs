//! One routed page per file.

pub mod callback;
pub mod connect;
pub mod connections;
pub mod link_window;
pub mod not_found;
pub mod sign_up;
