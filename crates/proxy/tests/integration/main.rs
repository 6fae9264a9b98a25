//! The server's integration tests, one binary (linking one is far quicker than fifteen on two
//! cores), a module per subject; `support` is what they share.

mod support;

mod api;
mod check;
mod consent;
mod continue_elsewhere;
mod crash;
mod databases;
mod documents;
mod duplicates;
mod funnel;
mod handoff;
mod health;
mod identity;
mod image;
mod junk;
mod lender;
mod link_delivery;
mod live;
mod opening;
mod operations;
mod rolling_restart;
mod security;
mod storm;
