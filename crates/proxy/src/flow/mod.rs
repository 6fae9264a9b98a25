//! The flow's JSON endpoints, one module per step.

pub mod connections;
pub mod integrations;
pub mod signup;
pub mod sync;
