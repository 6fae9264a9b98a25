//! Paths of the proxy's JSON API, so the app and the server name them once.

/// `POST`: sign up (creates the merchant, its Codat company and a session).
pub const SIGN_UP: &str = "/api/signup";
/// `POST`: ends the session (sign-out).
pub const LOG_OUT: &str = "/api/logout";
/// `GET`: the signed-in merchant.
pub const SESSION: &str = "/api/session";
/// `GET`: the integration grid (`?sourceType=Accounting`).
pub const INTEGRATIONS: &str = "/api/integrations";
/// `GET`: the merchant's connections; `POST`: start a new one.
pub const CONNECTIONS: &str = "/api/connections";
/// `GET`: the consent terms for a kind of platform (`?sourceType=Accounting&locale=en`).
pub const CONSENT: &str = "/api/consent";
/// `GET`: the owner's consent receipts.
pub const CONSENTS: &str = "/api/consents";
/// `POST`: a step of the flow the visitor reached, for the lender's funnel.
pub const FUNNEL: &str = "/api/funnel";
/// `POST`: confirm the connection Codat's redirect names, with the state sent out with it.
pub const CALLBACK: &str = "/api/callback";
/// `GET`: the first data sync's progress, per data type.
pub const SYNC: &str = "/api/sync";
/// `POST`: read every data type again (after some could not be read).
pub const SYNC_REFRESH: &str = "/api/sync/refresh";
/// `GET`: server-sent events about the merchant's connections and syncs.
pub const EVENTS: &str = "/api/events";
/// `POST`: a one-time ticket an embedded page names in the event stream's address.
pub const EVENTS_TICKET: &str = "/api/events/ticket";
/// `POST`: a one-time link that opens the flow at a desktop-only platform on another computer.
pub const CONTINUE_ELSEWHERE: &str = "/api/continue-elsewhere";
/// `POST`: a one-time link for someone else who handles the business's books.
pub const HANDOFFS: &str = "/api/handoffs";
/// `GET`: the documents the business sent; `POST`: send one (`?kind=Accounting`, the bytes as
/// the body, its name in `x-document-name`).
pub const DOCUMENTS: &str = "/api/documents";
