//! Wire types between the Codat Connect web app and its proxy.
//!
//! The proxy exposes one small JSON endpoint per step of the flow (`/api/*`); these types are
//! the bodies of those endpoints. They depend on serde only, so the same definitions compile
//! into the wasm app and the native server and the two can never drift apart.

use serde::{Deserialize, Serialize};

/// Paths of the proxy's JSON API, so the app and the server name them once.
pub mod paths {
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
}

pub mod lender_events;

/// The web app's pages: the proxy answers these with the app and 200, any other path with the
/// app (which says "page not found") and 404.
pub mod pages {
    /// Step 1: sign-up.
    pub const SIGN_UP: &str = "/";
    /// Steps 2 and 3: the integration picker.
    pub const CONNECT: &str = "/connect";
    /// Step 4: where Codat's Link redirects back to.
    pub const CALLBACK: &str = "/callback";
    /// Step 5: the merchant's connections.
    pub const CONNECTIONS: &str = "/connections";

    /// The page `path` names, as one of the constants above (a trailing slash makes no
    /// difference), or `None` for any other path.
    pub fn page(path: &str) -> Option<&'static str> {
        let path = match path.trim_end_matches('/') {
            "" => SIGN_UP,
            other => other,
        };
        [SIGN_UP, CONNECT, CALLBACK, CONNECTIONS].into_iter().find(|page| *page == path)
    }
}

/// Name of the header every state-changing request carries; a cross-site form cannot set it.
pub const CSRF_HEADER: &str = "x-codat-connect";

/// Body of `POST /api/signup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpRequest {
    /// The business's trading name, shown back to the owner.
    pub business_name: String,
    /// Where the lender can reach the owner.
    pub email: String,
}

/// Longest business name accepted, in characters.
pub const MAX_BUSINESS_NAME: usize = 200;

/// Longest email address accepted, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;

/// What is wrong with a sign-up. The page checks before sending and the proxy again on arrival,
/// with the same rules; each problem has a code the page shows in its own language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpProblem {
    /// The business name is blank.
    MissingName,
    /// The business name is longer than [`MAX_BUSINESS_NAME`].
    NameTooLong,
    /// The email address cannot be one.
    ImplausibleEmail,
}

impl SignUpProblem {
    /// The `code` of the proxy's error answer.
    pub fn code(self) -> ErrorCode {
        match self {
            Self::MissingName => ErrorCode::MissingBusinessName,
            Self::NameTooLong => ErrorCode::BusinessNameTooLong,
            Self::ImplausibleEmail => ErrorCode::ImplausibleEmail,
        }
    }

    /// The proxy's (English) message.
    pub fn message(self) -> String {
        match self {
            Self::MissingName => "Enter your business's name.".into(),
            Self::NameTooLong => format!("A business name has at most {MAX_BUSINESS_NAME} characters."),
            Self::ImplausibleEmail => "Enter an email address such as name@business.com.".into(),
        }
    }
}

impl SignUpRequest {
    /// The trimmed business name and email, or the first problem with them.
    pub fn checked(&self) -> Result<(String, String), SignUpProblem> {
        let name = self.business_name.trim();
        let email = self.email.trim();
        if name.is_empty() {
            return Err(SignUpProblem::MissingName);
        }
        if name.chars().count() > MAX_BUSINESS_NAME {
            return Err(SignUpProblem::NameTooLong);
        }
        let plausible = email.len() <= MAX_EMAIL
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(char::is_whitespace);
        if !plausible {
            return Err(SignUpProblem::ImplausibleEmail);
        }
        Ok((name.to_owned(), email.to_owned()))
    }
}

/// The merchant a session belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The lender's identifier for the merchant; also the Codat company's name.
    pub merchant_id: String,
    /// The business's trading name.
    pub business_name: String,
    /// The Codat company created for the merchant.
    pub company_id: String,
    /// Which kinds of platform the lender needs (set by the lender's backend, never the page).
    #[serde(default)]
    pub requirements: Requirements,
    /// Where "Done" sends the owner who came by the lender's link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
}

/// How much the lender needs one kind of platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    /// The flow is not finished without it.
    Required,
    /// Welcome, and the owner may skip it.
    #[default]
    Optional,
    /// Not offered: its tab is not shown and the server starts no connection of the kind.
    Hidden,
}

/// What the lender needs, per kind of platform, e.g.
/// `{"Accounting": "required", "Banking": "optional", "Commerce": "hidden"}`; a kind left out is
/// optional, and a kind Codat Connect does not know is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Accounting software.
    #[serde(rename = "Accounting", default)]
    pub accounting: Requirement,
    /// Bank feeds.
    #[serde(rename = "Banking", default)]
    pub banking: Requirement,
    /// Commerce platforms.
    #[serde(rename = "Commerce", default)]
    pub commerce: Requirement,
}

impl Requirements {
    /// The kinds of platform a lender can ask for, in the order the page shows them.
    pub const KINDS: [SourceType; 3] = [SourceType::Accounting, SourceType::Banking, SourceType::Commerce];

    /// How much the lender needs `kind` (kinds it cannot name are optional).
    pub fn of(&self, kind: SourceType) -> Requirement {
        match kind {
            SourceType::Accounting => self.accounting,
            SourceType::Banking => self.banking,
            SourceType::Commerce => self.commerce,
            SourceType::Other => Requirement::Optional,
        }
    }
}

/// A step of the flow a visitor reached, for the lender's funnel. Nothing about the visitor is
/// sent or kept; a search's text only when it found nothing (it names a platform to enable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum FunnelStep {
    /// The grid of a kind was shown.
    GridShown {
        /// The kind.
        source_type: SourceType,
    },
    /// The visitor chose a tab.
    TabChosen {
        /// The kind.
        source_type: SourceType,
    },
    /// A search was made (counted when the search box is left or submitted).
    SearchMade {
        /// The tab searched.
        source_type: SourceType,
        /// How many platforms it found.
        results: u32,
        /// Its text, sent only when it found nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// A platform's card was chosen (the consent dialog opened).
    PlatformChosen {
        /// The platform.
        platform_key: String,
    },
    /// The visitor agreed to the terms.
    ConsentGiven {
        /// The platform.
        platform_key: String,
    },
    /// The visitor declined the terms.
    ConsentDeclined {
        /// The platform.
        platform_key: String,
    },
    /// The browser blocked Link's popup.
    PopupBlocked {
        /// The platform.
        platform_key: String,
    },
    /// The visitor came back from Link.
    LinkReturned {
        /// The connection Codat named (the server finds its platform).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        connection_id: Option<String>,
        /// Codat's `statusCode`.
        status_code: u16,
    },
}

/// Every funnel step's name, in the order a visitor meets them: the page's steps (each
/// [`FunnelStep::name`], its `step` tag on the wire), then [`FIRST_READ_FINISHED`].
pub const FUNNEL_STEPS: [&str; 9] = [
    "grid_shown",
    "tab_chosen",
    "search_made",
    "platform_chosen",
    "consent_declined",
    "consent_given",
    "popup_blocked",
    "link_returned",
    "first_read_finished",
];

/// The step the server adds when a merchant's first read finishes (no page reports it).
pub const FIRST_READ_FINISHED: &str = FUNNEL_STEPS[8];

impl FunnelStep {
    /// The step's name, as stored and reported.
    pub fn name(&self) -> &'static str {
        FUNNEL_STEPS[match self {
            Self::GridShown { .. } => 0,
            Self::TabChosen { .. } => 1,
            Self::SearchMade { .. } => 2,
            Self::PlatformChosen { .. } => 3,
            Self::ConsentDeclined { .. } => 4,
            Self::ConsentGiven { .. } => 5,
            Self::PopupBlocked { .. } => 6,
            Self::LinkReturned { .. } => 7,
        }]
    }
}

/// Where a merchant stands against its lender's requirements: each kind of platform the page
/// offers is complete (linked), missing (required, not linked) or skipped (optional, not linked).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Kinds with a linked platform.
    pub complete: Vec<SourceType>,
    /// Required kinds without one.
    pub missing: Vec<SourceType>,
    /// Optional kinds without one.
    pub skipped: Vec<SourceType>,
}

impl Progress {
    /// Sorts the kinds the page offers by whether `linked` says one of them is linked.
    pub fn of(requirements: &Requirements, linked: impl Fn(SourceType) -> bool) -> Self {
        let mut progress = Self::default();
        for kind in Requirements::KINDS {
            let list = match (requirements.of(kind), linked(kind)) {
                (Requirement::Hidden, _) => continue,
                (_, true) => &mut progress.complete,
                (Requirement::Required, false) => &mut progress.missing,
                (Requirement::Optional, false) => &mut progress.skipped,
            };
            list.push(kind);
        }
        progress
    }

    /// The lender's return URL with this outcome in its query:
    /// `codat_connect=finished&complete=Accounting&missing=&skipped=Banking,Commerce`.
    pub fn return_address(&self, return_url: &str) -> String {
        let kinds = |list: &[SourceType]| list.iter().map(|kind| kind.as_str()).collect::<Vec<_>>().join(",");
        let separator = if return_url.contains('?') { '&' } else { '?' };
        format!(
            "{return_url}{separator}codat_connect=finished&complete={}&missing={}&skipped={}",
            kinds(&self.complete),
            kinds(&self.missing),
            kinds(&self.skipped)
        )
    }
}

/// The kind of platform an integration connects to, as Codat names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceType {
    /// Accounting software (Xero, QuickBooks, ...). A company has at most one.
    Accounting,
    /// Bank feeds (Plaid, TrueLayer).
    Banking,
    /// Commerce platforms (Shopify, Stripe, ...).
    Commerce,
    /// Anything Codat adds later; shown, never rejected.
    #[serde(other)]
    Other,
}

impl SourceType {
    /// Codat's spelling, as used in query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accounting => "Accounting",
            Self::Banking => "Banking",
            Self::Commerce => "Commerce",
            Self::Other => "Other",
        }
    }

    /// A kind from Codat's spelling; anything else is [`SourceType::Other`].
    pub fn parse(text: &str) -> Self {
        match text {
            "Accounting" => Self::Accounting,
            "Banking" => Self::Banking,
            "Commerce" => Self::Commerce,
            _ => Self::Other,
        }
    }
}

/// One card of the integration grid: a platform with its branding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationCard {
    /// Codat's four-letter platform key, e.g. `gbol` for Xero.
    pub platform_key: String,
    /// Display name.
    pub name: String,
    /// What kind of platform it is.
    pub source_type: SourceType,
    /// Square logo.
    pub logo_url: String,
    /// Alternative text for the logo.
    pub logo_alt: String,
    /// The platform's own connect button, where it has one.
    pub button_url: Option<String>,
    /// The button's hover state (required by Intuit for QuickBooks).
    pub button_hover_url: Option<String>,
    /// Codat marks the integration as beta.
    pub is_beta: bool,
}

/// Cards the integration grid shows at first, and adds with each "show more". The proxy writes
/// the images of this many cards into the grid's answer.
pub const GRID_PAGE_SIZE: usize = 60;

/// Body of `POST /api/connections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectRequest {
    /// The platform to connect.
    pub platform_key: String,
    /// The consent the owner gave to the terms they were shown (required for a new connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentGiven>,
}

/// `GET /api/consent?sourceType=Accounting&locale=fr-CA`: what the owner agrees to before Link
/// opens, in the page's language. The lender words the purpose and the period; the data types
/// are those Codat reads on a first link of that kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentTerms {
    /// Short hash of everything below and the locale: the version agreed to.
    pub version: String,
    /// The locale the text is in (`en` or `fr-CA`).
    pub locale: String,
    /// Why the lender reads the data.
    pub purpose: String,
    /// For how long.
    pub retention: String,
    /// The lender's terms.
    pub terms_url: Option<String>,
    /// The lender's privacy notice.
    pub privacy_url: Option<String>,
    /// Codat's data types read (the page words them).
    pub data_types: Vec<String>,
    /// Months of history read, when Codat's settings say.
    pub history_months: Option<i64>,
}

/// The owner agreed to the terms of this version and locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentGiven {
    /// [`ConsentTerms::version`].
    pub version: String,
    /// [`ConsentTerms::locale`].
    pub locale: String,
}

/// `GET /api/consents`: the receipt of each connection's consent, for its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentReceipt {
    /// The connection agreed for.
    pub connection_id: String,
    /// When (RFC 3339).
    pub given_at: String,
    /// The version agreed to.
    pub version: String,
    /// The data types agreed to.
    pub data_types: Vec<String>,
    /// When the connection was unlinked or removed (RFC 3339), if it was.
    pub withdrawn_at: Option<String>,
}

/// Authorization state of a connection, as Codat reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConnectionStatus {
    /// Created; the owner has not finished authorizing.
    PendingAuth,
    /// Authorized: data can be read.
    Linked,
    /// Severed by the lender; data kept.
    Unlinked,
    /// Access lost at the platform's side; data kept, must be re-linked.
    Deauthorized,
    /// A status Codat adds later.
    #[serde(other)]
    Unknown,
}

/// A connection as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Codat's connection id.
    pub id: String,
    /// Platform key, when Codat reports it.
    pub platform_key: Option<String>,
    /// Display name of the platform.
    pub platform_name: String,
    /// Kind of platform.
    pub source_type: SourceType,
    /// Authorization state.
    pub status: ConnectionStatus,
    /// When it was created (ISO 8601 as Codat sent it).
    pub created: String,
    /// When data was last synced, if ever.
    pub last_sync: Option<String>,
    /// The platform's square logo on our own origin, where a grid already showed it (only the
    /// connections list fills it in).
    #[serde(default)]
    pub logo_url: Option<String>,
    /// The receipt of the owner's consent for it (only the connections list fills it in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Box<ConsentReceipt>>,
}

/// Body of `POST /api/callback`: what Codat's redirect brought back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackConfirmation {
    /// The `connectionId` placeholder.
    pub connection_id: String,
    /// The `state` placeholder: the value sent out with the Link URL, when Codat carried it
    /// back (absent otherwise; an empty value is a wrong one, never "no state").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// Answer to `POST /api/callback`: the connection as Codat reports it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnConfirmed {
    /// The connection named by the redirect.
    pub connection: Connection,
    /// Set only for a return without a session (an owner who came by the lender's link and
    /// whose platform's app brought them back into another browser): the lender's return URL
    /// with the merchant's outcome ([`Progress::return_address`]), the one thing that browser
    /// is given besides the connection's outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_url: Option<String>,
}

/// Answer to `POST /api/connections`: where to send the owner to authorize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectStarted {
    /// The new connection, `PendingAuth`.
    pub connection: Connection,
    /// The authorization page; the browser navigates here.
    pub link_url: String,
}

/// Where the read of one data type stands, simplified from Codat's many statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncState {
    /// Waiting to start.
    Queued,
    /// Being read.
    Fetching,
    /// Read.
    Complete,
    /// The read failed.
    Failed,
    /// The platform does not offer this data.
    NotSupported,
}

impl SyncState {
    /// Every state.
    pub const ALL: [Self; 5] =
        [Self::Queued, Self::Fetching, Self::Complete, Self::Failed, Self::NotSupported];

    /// The read has ended, well or badly.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Complete | Self::Failed | Self::NotSupported)
    }

    /// Its name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "Queued",
            Self::Fetching => "Fetching",
            Self::Complete => "Complete",
            Self::Failed => "Failed",
            Self::NotSupported => "NotSupported",
        }
    }
}

impl TryFrom<String> for SyncState {
    type Error = String;

    /// A stored name back; an unknown one is an error, never a guess.
    fn try_from(text: String) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| format!("unknown read state {text:?}"))
    }
}

/// The read of one data type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataTypeProgress {
    /// Codat's name, e.g. `invoices` or `banking-accounts`.
    pub data_type: String,
    /// Where it stands.
    pub state: SyncState,
}

/// Something that happened to the merchant's connections, pushed to the page as a server-sent
/// event (`event:` is the variant name, `data:` the JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum LiveEvent {
    /// A connection was created, linked, failed, disconnected, reconnected or deleted.
    ConnectionChanged {
        /// The connection as it now is.
        connection: Connection,
        /// Codat's event type, e.g. `connection.connected`.
        event_type: String,
    },
    /// A connection was deleted.
    ConnectionRemoved {
        /// Codat's id of the connection.
        connection_id: String,
    },
    /// A read of the merchant's data finished (the first one after linking, or a later one).
    SyncCompleted {
        /// The connection read from.
        connection_id: String,
        /// True for the first read after linking.
        initial: bool,
    },
    /// Reads of these data types moved on (seen by the server watching Codat itself).
    SyncProgressed {
        /// Codat's names of the data types whose read changed state.
        data_types: Vec<String>,
    },
}

impl LiveEvent {
    /// Every SSE `event:` name a `LiveEvent` is sent under, for a page to listen to.
    pub const NAMES: [&'static str; 4] =
        ["connectionChanged", "connectionRemoved", "syncCompleted", "syncProgressed"];

    /// The name sent when a stream may have missed events and the page should reload what it
    /// shows (`data:` is `{}`).
    pub const RESYNC: &'static str = "resync";

    /// The SSE `event:` name: one of [`Self::NAMES`].
    pub fn name(&self) -> &'static str {
        let [changed, removed, completed, progressed] = Self::NAMES;
        match self {
            Self::ConnectionChanged { .. } => changed,
            Self::ConnectionRemoved { .. } => removed,
            Self::SyncCompleted { .. } => completed,
            Self::SyncProgressed { .. } => progressed,
        }
    }
}

/// Body of `POST /v1/sessions`, sent by the lender's backend with its admin token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedSessionRequest {
    /// The lender's own id for the merchant (letters, digits, `-` and `_`, at most 64).
    pub merchant_id: String,
    /// The merchant's trading name.
    pub business_name: String,
    /// The merchant's contact address, if the lender shares it.
    #[serde(default)]
    pub email: Option<String>,
    /// What the lender needs from this merchant; they become the merchant's requirements
    /// (readiness in the status API and `merchant.ready` follow the latest ones given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<Requirements>,
    /// How the owner reaches the flow: in the lender's frame (the default), or by a one-time link
    /// (for e-mail, SMS, a phone, or a host page that sends the whole tab).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// With `delivery: "link"`: where the owner is sent at the end, with the outcome in its query
    /// (an origin the lender's page is served from, as in `FRAME_ANCESTORS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
}

/// How the owner reaches the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// The lender's page frames the app with the session token.
    #[default]
    Frame,
    /// A one-time, expiring URL opens the flow in a full page.
    Link,
}

/// Answer to `POST /v1/sessions`: a short-lived token the lender hands to its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedSession {
    /// Sent by the page as `Authorization: Bearer <token>`.
    pub session_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// The merchant's Codat company.
    pub company_id: String,
    /// With `delivery: "link"`: the one-time URL to send the owner (it expires after a day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A one-time ticket for the event stream: `GET /api/events?ticket=<ticket>` (an embedded page's
/// `EventSource` cannot send its session token as a header, and the token must not be in a URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamTicket {
    /// Good for one stream.
    pub ticket: String,
    /// Seconds it may wait to be used.
    pub expires_in: u64,
}

/// Every error the proxy answers with, whatever the status code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// What went wrong, for a program to act on.
    pub code: ErrorCode,
    /// A sentence a person can read (English; the page words the codes it knows itself).
    pub message: String,
}

/// The machine-readable `code` of every error the proxy answers with. The web app's catalogues
/// word each one with an exhaustive `match`, so a code added here without a message in every
/// language is a compile error in every language. On the wire it is [`ErrorCode::as_str`]; a
/// code this build does not know reads as [`ErrorCode::Unknown`]. A new code goes in [`ErrorCode::ALL`] too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request is malformed (not JSON, a missing field).
    BadRequest,
    /// No valid session: sign up (standalone) or ask the host for a new token (embedded).
    NotSignedIn,
    /// A state-changing request without the CSRF header, or marked cross-site.
    CrossSiteRequest,
    /// No such item for this merchant, or no such API endpoint.
    NotFound,
    /// The method is not one the endpoint answers.
    MethodNotAllowed,
    /// Too many requests from one client or session.
    RateLimited,
    /// The body is over the size limit.
    TooLarge,
    /// `/v1/*` without the admin token.
    AdminTokenRequired,
    /// A webhook failed verification.
    WebhookRefused,
    /// The server failed (storage, a bug); details are in its log.
    Internal,
    /// Codat answered something unsafe or impossible to use.
    CodatBadAnswer,
    /// Codat refused for now (429): try again in a minute.
    CodatBusy,
    /// Codat's daily request quota is used up: try again later (`Retry-After`).
    CodatQuota,
    /// Codat did not answer in time.
    CodatTimeout,
    /// Codat failed or could not be reached.
    CodatUnavailable,
    /// Sign-up: the business name is blank.
    MissingBusinessName,
    /// Sign-up: the business name is too long.
    BusinessNameTooLong,
    /// Sign-up: the email address cannot be one.
    ImplausibleEmail,
    /// A return from Link that no pending link of this session matches.
    ReturnLinkUnknown,
    /// A return from Link whose pending link was already used.
    ReturnLinkUsed,
    /// A return from Link after its pending link expired.
    ReturnLinkExpired,
    /// The business already has an accounting platform (Codat allows one).
    AccountingAlreadyConnected,
    /// This deployment takes no sign-ups: the lender starts the flow from its own site.
    SignUpClosed,
    /// A new connection without consent to the current terms (not given, or the terms changed).
    ConsentRequired,
    /// A code this build does not know (a newer server).
    Unknown,
}

impl ErrorCode {
    /// Every code, [`ErrorCode::Unknown`] last.
    pub const ALL: [ErrorCode; 25] = {
        use ErrorCode::*;
        [
            BadRequest,
            NotSignedIn,
            CrossSiteRequest,
            NotFound,
            MethodNotAllowed,
            RateLimited,
            TooLarge,
            AdminTokenRequired,
            WebhookRefused,
            Internal,
            CodatBadAnswer,
            CodatBusy,
            CodatQuota,
            CodatTimeout,
            CodatUnavailable,
            MissingBusinessName,
            BusinessNameTooLong,
            ImplausibleEmail,
            ReturnLinkUnknown,
            ReturnLinkUsed,
            ReturnLinkExpired,
            AccountingAlreadyConnected,
            SignUpClosed,
            ConsentRequired,
            Unknown,
        ]
    };

    /// The code as it is spelled on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::NotSignedIn => "not_signed_in",
            Self::CrossSiteRequest => "cross_site_request",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::RateLimited => "rate_limited",
            Self::TooLarge => "too_large",
            Self::AdminTokenRequired => "admin_token_required",
            Self::WebhookRefused => "webhook_refused",
            Self::Internal => "internal",
            Self::CodatBadAnswer => "codat_bad_answer",
            Self::CodatBusy => "codat_busy",
            Self::CodatQuota => "codat_quota",
            Self::CodatTimeout => "codat_timeout",
            Self::CodatUnavailable => "codat_unavailable",
            Self::MissingBusinessName => "missing_business_name",
            Self::BusinessNameTooLong => "business_name_too_long",
            Self::ImplausibleEmail => "implausible_email",
            Self::ReturnLinkUnknown => "return_link_unknown",
            Self::ReturnLinkUsed => "return_link_used",
            Self::ReturnLinkExpired => "return_link_expired",
            Self::AccountingAlreadyConnected => "accounting_already_connected",
            Self::SignUpClosed => "sign_up_closed",
            Self::ConsentRequired => "consent_required",
            Self::Unknown => "unknown",
        }
    }

    /// The code spelled `text` on the wire; [`ErrorCode::Unknown`] for one this build does not know.
    pub fn from_wire(text: &str) -> Self {
        Self::ALL.into_iter().find(|code| code.as_str() == text).unwrap_or(Self::Unknown)
    }

    /// A return from Link was refused: the owner is pointed to their connections, not to a retry.
    pub fn is_refused_return(self) -> bool {
        matches!(self, Self::ReturnLinkUnknown | Self::ReturnLinkUsed | Self::ReturnLinkExpired)
    }
}

// Written by hand rather than derived: one lookup in `ALL` instead of a generated visitor per
// spelling, which the web app's bundle would carry.
impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from_wire(&text))
    }
}

/// The name of every string of the web app's catalogue a lender may override
/// (`TEXT_OVERRIDES`); the app's own list is checked against this one by a test.
pub const MESSAGE_KEYS: &[&str] = &[
    "skip_to_content",
    "navigation",
    "nav_connect",
    "nav_connections",
    "powered_by",
    "title_sign_up",
    "title_connect",
    "title_callback",
    "title_connections",
    "not_found",
    "not_found_text",
    "go_to_platforms",
    "sign_up_heading",
    "sign_up_lead",
    "business_name",
    "work_email",
    "continue_label",
    "setting_up",
    "loading",
    "welcome_back",
    "picker_lead",
    "kind_of_platform",
    "tab_accounting",
    "tab_banking",
    "tab_commerce",
    "heading_accounting",
    "heading_banking",
    "heading_commerce",
    "search_platforms",
    "opening_sign_in",
    "loading_platforms",
    "no_platforms",
    "no_match",
    "connect_platform",
    "connect_beta_platform",
    "beta",
    "accounting_connected",
    "manage",
    "cant_find",
    "cant_find_text",
    "start_here",
    "sign_up",
    "try_again",
    "checking_connection",
    "your_platform",
    "platform_connected",
    "connected_thanks",
    "not_finished_heading",
    "not_finished_text",
    "could_not_confirm",
    "view_connections",
    "choose_another",
    "nothing_changed",
    "nothing_changed_text",
    "cancelled",
    "cancelled_text",
    "failed",
    "failed_with_message",
    "failed_text",
    "not_supported",
    "not_supported_text",
    "unknown_outcome",
    "unknown_outcome_text",
    "reading_your_data",
    "all_set",
    "sync_needs_attention",
    "sync_failed_next_step",
    "read_again",
    "checking_progress",
    "sync_starting",
    "sync_done",
    "sync_done_with_failures",
    "sync_progress",
    "state_waiting",
    "state_reading",
    "state_done",
    "state_failed",
    "state_not_available",
    "status_connected",
    "status_not_finished",
    "status_disconnected",
    "status_needs_reconnecting",
    "status_unknown",
    "connections_lead",
    "loading_connections",
    "no_connections",
    "connect_a_platform",
    "connect_another",
    "connection_dates",
    "not_yet",
    "finish_connecting",
    "reconnect",
    "disconnect",
    "remove",
    "disconnect_title",
    "disconnect_text",
    "remove_title",
    "remove_text",
    "remove_confirm",
    "cancel",
    "error_bad_answer",
    "error_status",
    "error_unreachable",
    "show_more_platforms",
    "close",
    "sign_out",
    "done",
    "finish_needs",
    "checklist_label",
    "required",
    "optional_skip",
    "link_used",
    "consent_title",
    "consent_reads",
    "consent_history",
    "consent_why",
    "consent_how_long",
    "consent_terms",
    "consent_privacy",
    "consent_decline",
    "consent_agree",
    "receipt_given",
    "attention_reauth",
    "attention_reads_failed",
    "finish_in_window",
    "window_blocked",
    "open_sign_in_window",
    "window_closed",
    "you_can_close",
    "embed_refused",
    "session_ended",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_funnel_steps_name_is_its_tag_on_the_wire() {
        let key = || "gbol".to_owned();
        let kind = SourceType::Banking;
        for step in [
            FunnelStep::GridShown { source_type: kind },
            FunnelStep::TabChosen { source_type: kind },
            FunnelStep::SearchMade { source_type: kind, results: 0, text: None },
            FunnelStep::PlatformChosen { platform_key: key() },
            FunnelStep::ConsentDeclined { platform_key: key() },
            FunnelStep::ConsentGiven { platform_key: key() },
            FunnelStep::PopupBlocked { platform_key: key() },
            FunnelStep::LinkReturned { connection_id: None, status_code: 200 },
        ] {
            assert_eq!(serde_json::to_value(&step).unwrap()["step"], step.name());
        }
    }

    #[test]
    fn the_outcome_goes_back_in_the_lenders_query() {
        let progress = Progress {
            complete: vec![SourceType::Accounting],
            missing: vec![],
            skipped: vec![SourceType::Banking, SourceType::Commerce],
        };
        assert_eq!(
            progress.return_address("https://lender.example/apply"),
            "https://lender.example/apply?codat_connect=finished&complete=Accounting&missing=&skipped=Banking,Commerce"
        );
        assert!(progress
            .return_address("https://lender.example/apply?id=4")
            .starts_with("https://lender.example/apply?id=4&codat_connect="));
    }

    #[test]
    fn requirements_read_the_lenders_words_and_refuse_unknown_kinds() {
        let json = r#"{"Accounting": "required", "Commerce": "hidden"}"#;
        let requirements: Requirements = serde_json::from_str(json).unwrap();
        assert_eq!(requirements.of(SourceType::Accounting), Requirement::Required);
        assert_eq!(requirements.of(SourceType::Banking), Requirement::Optional, "left out is optional");
        assert_eq!(requirements.of(SourceType::Commerce), Requirement::Hidden);
        assert!(serde_json::from_str::<Requirements>(r#"{"Payroll": "required"}"#).is_err());
        assert!(serde_json::from_str::<Requirements>(r#"{"Banking": "mandatory"}"#).is_err());
    }

    #[test]
    fn progress_sorts_the_offered_kinds_and_leaves_hidden_ones_out() {
        let requirements = Requirements {
            accounting: Requirement::Required,
            banking: Requirement::Optional,
            commerce: Requirement::Hidden,
        };
        let nothing = Progress::of(&requirements, |_| false);
        assert_eq!(nothing.missing, vec![SourceType::Accounting]);
        assert_eq!(nothing.skipped, vec![SourceType::Banking]);
        assert!(nothing.complete.is_empty());
        let accounting = Progress::of(&requirements, |kind| kind == SourceType::Accounting);
        assert_eq!(accounting.complete, vec![SourceType::Accounting]);
        assert!(accounting.missing.is_empty());
        let everything = Progress::of(&requirements, |_| true);
        assert_eq!(everything.complete, vec![SourceType::Accounting, SourceType::Banking]);
    }

    #[test]
    fn unknown_source_type_and_status_deserialize_to_catch_all() {
        let json = r#"{"id":"c1","platformKey":null,"platformName":"New","sourceType":"Payroll",
            "status":"Archived","created":"2024-01-01T00:00:00Z","lastSync":null}"#;
        let connection: Connection = serde_json::from_str(json).unwrap();
        assert_eq!(connection.source_type, SourceType::Other);
        assert_eq!(connection.status, ConnectionStatus::Unknown);
    }

    #[test]
    fn live_events_are_tagged_and_camel_cased() {
        let event = LiveEvent::SyncCompleted { connection_id: "c1".into(), initial: true };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "syncCompleted", "connectionId": "c1", "initial": true}));
        assert_eq!(event.name(), "syncCompleted");
        // The SSE name is the tag the JSON carries, for every kind of event.
        let connection = Connection {
            id: "c1".into(),
            platform_key: None,
            platform_name: "Xero".into(),
            source_type: SourceType::Accounting,
            status: ConnectionStatus::Linked,
            created: String::new(),
            last_sync: None,
            logo_url: None,
            consent: None,
        };
        for event in [
            LiveEvent::ConnectionChanged { connection, event_type: "connection.connected".into() },
            LiveEvent::ConnectionRemoved { connection_id: "c1".into() },
            event,
            LiveEvent::SyncProgressed { data_types: vec![] },
        ] {
            assert_eq!(serde_json::to_value(&event).unwrap()["kind"], event.name());
        }
    }

    #[test]
    fn error_codes_are_snake_case_on_the_wire_and_unknown_ones_are_kept_as_unknown() {
        for code in ErrorCode::ALL {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, code.as_str());
            assert_eq!(serde_json::from_value::<ErrorCode>(wire).unwrap(), code);
            let snake_case = code.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_');
            assert!(snake_case, "{code:?} is spelled {}", code.as_str());
        }
        let mut spellings: Vec<_> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        spellings.sort_unstable();
        spellings.dedup();
        assert_eq!(spellings.len(), ErrorCode::ALL.len(), "two codes share a spelling");
        let error: ApiError = serde_json::from_str(r#"{"code":"brand_new","message":"m"}"#).unwrap();
        assert_eq!(error.code, ErrorCode::Unknown);
    }

    #[test]
    fn sign_up_request_uses_camel_case_on_the_wire() {
        let body = SignUpRequest { business_name: "Acme".into(), email: "a@b.c".into() };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["businessName"], "Acme");
    }
}
