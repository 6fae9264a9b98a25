//! Codat Connect's browser end-to-end tests live in `tests/` (one binary per subject, sharing
//! `tests/support`) and the grid's benchmark in `benches/grid.rs`; this library is empty.
