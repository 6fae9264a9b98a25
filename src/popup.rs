//! Embedded use: Codat's Link in a popup, in one place. `window` is the picker's side (the popup
//! opened during the click and watched), `messaging` the report the popup's return page sends
//! the frame that opened it, and `page` what the popup shows while it closes.

mod messaging;
mod page;
mod window;

pub use messaging::{
    listen_for_link_returns, open_link_window, report_link_return, when_closed, LINK_WINDOW_NAME,
};
pub use page::LinkWindowPage;
pub use window::LinkWindow;
