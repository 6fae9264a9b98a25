//! Building blocks shared by the pages.

pub mod attention;
pub mod cant_find;
pub mod checklist;
pub mod confirm_dialog;
pub mod connection_row;
pub mod connection_start;
pub mod consent;
pub mod data_sync;
pub mod documents;
pub mod handoff;
pub mod integration_card;
pub mod leave_early;
pub mod notice;
pub mod platform_grid;
pub mod shell;
pub mod status_badge;
