//! Wire types between the Codat Connect web app and its proxy.
//!
//! The proxy exposes one small JSON endpoint per step of the flow (`/api/*`); these types are
//! the bodies of those endpoints. They depend on serde only, so the same definitions compile
//! into the wasm app and the native server and the two can never drift apart.

pub mod lender_events;
pub mod pages;
pub mod paths;
pub mod search;

mod connections;
mod consent;
mod documents;
mod errors;
mod funnel;
mod integrations;
mod lender;
mod live;
mod message_keys;
mod requirements;
mod sign_up;
mod sync;

pub use connections::*;
pub use consent::*;
pub use documents::*;
pub use errors::*;
pub use funnel::*;
pub use integrations::*;
pub use lender::*;
pub use live::*;
pub use message_keys::*;
pub use requirements::*;
pub use sign_up::*;
pub use sync::*;

/// Name of the header every state-changing request carries; a cross-site form cannot set it.
pub const CSRF_HEADER: &str = "x-codat-connect";
