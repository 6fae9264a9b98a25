//! The flow's JSON endpoints, one module per step.

pub mod branding;
pub mod callback;
pub mod company;
pub mod connections;
pub mod consent;
pub mod documents;
pub mod grid_order;
pub mod handoff;
pub mod integrations;
pub mod link_start;
pub mod signup;
pub mod starting;
pub mod sync;
pub mod wire;
