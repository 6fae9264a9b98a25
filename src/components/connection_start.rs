//! Starting a connection from the integration grid: the proxy creates it and answers its Link
//! URL, which the owner is sent to (a popup when embedded, this tab otherwise).

use crate::mutation::Mutation;
use crate::{
    api::{self, ApiFailure},
    embed::{self, EmbedEvent},
    popup::LinkWindow,
};
use codat_connect_api::{ConnectStarted, ConsentGiven};
use leptos::prelude::*;

/// What is started: a new connection to a platform (its key), or a fresh authorization of an
/// existing connection (its id) that lost its access.
#[derive(Clone)]
enum Start {
    Platform(String, ConsentGiven),
    Renew(String),
}

/// A connection being started: pending while the proxy answers, then its answer, until the
/// owner is back at the grid (the popup closed early or was blocked, or a failure dismissed).
#[derive(Clone, Copy)]
pub struct ConnectionStart {
    action: Mutation<Start, api::ApiResult<ConnectStarted>>,
    /// Embedded: the popup Codat's Link opens in.
    pub link_window: LinkWindow,
}

impl ConnectionStart {
    /// Follows each started connection to its Link URL and tells the host about failures.
    pub fn on_page() -> Self {
        let action = Mutation::new_local(|start: &Start| {
            let start = start.clone();
            async move {
                match start {
                    Start::Platform(platform_key, consent) => api::connect(&platform_key, &consent).await,
                    Start::Renew(connection_id) => api::relink(&connection_id).await,
                }
            }
        });
        let link_window = LinkWindow::new(Callback::new(move |_| action.clear()));
        Effect::new(move |_| match action.value().get() {
            Some(Ok(started)) => link_window.follow(started),
            Some(Err(failure)) => {
                link_window.close();
                embed::notify(EmbedEvent::Error {
                    code: failure.host_code(),
                    message: failure.message(),
                    recoverable: !failure.is_not_signed_in(),
                });
            }
            None => {}
        });
        Self { action, link_window }
    }

    /// Starts connecting `platform_key` with the owner's consent; call it from the click itself,
    /// while browsers still allow the popup to open.
    pub fn start(self, platform_key: String, consent: ConsentGiven) {
        self.link_window.open_blank();
        self.action.dispatch_local(Start::Platform(platform_key, consent));
    }

    /// Renews the authorization of the connection `connection_id` (its access was lost); call
    /// it from the click, like [`ConnectionStart::start`].
    pub fn renew(self, connection_id: String) {
        self.link_window.open_blank();
        self.action.dispatch_local(Start::Renew(connection_id));
    }

    /// True from the click until the owner is back at the grid: no second start meanwhile.
    pub fn busy(self) -> Signal<bool> {
        let action = self.action;
        Signal::derive(move || {
            action.pending().get() || action.value().with(|answer| matches!(answer, Some(Ok(_))))
        })
    }

    /// Why the last start failed, if it did (tracked).
    pub fn failure(self) -> Option<ApiFailure> {
        self.action.value().get().and_then(Result::err)
    }

    /// Puts a failure away, so the grid can be used again.
    pub fn dismiss(self) {
        self.action.clear();
    }
}
