//! Typed calls to the proxy's JSON API.

use crate::{
    embed::{self, EmbedEvent, HostErrorCode},
    i18n::{fill, messages},
    json,
};
use codat_connect_api::{
    paths, ApiError, ConnectRequest, ConnectStarted, Connection, ConsentGiven, ConsentTerms, ErrorCode,
    FunnelStep, IntegrationCard, ReturnConfirmed, Session, SignUpProblem, SignUpRequest, SourceType,
    CSRF_HEADER,
};
use gloo_net::http::{Request, RequestBuilder};

mod documents;
pub use documents::send_document;
use serde::{de::DeserializeOwned, Serialize};
use std::fmt;

/// A failed call to the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiFailure {
    /// The proxy could not be reached (offline, blocked, cut off).
    Unreachable,
    /// The proxy answered something this page cannot read.
    BadAnswer,
    /// The proxy refused the request or failed, and said why.
    Refused {
        /// HTTP status.
        status: u16,
        /// What went wrong.
        code: ErrorCode,
        /// The proxy's own (English) message, shown where the catalogue has no words for `code`.
        message: String,
    },
}

impl ApiFailure {
    /// True when the visitor has no session and should sign up first.
    pub fn is_not_signed_in(&self) -> bool {
        matches!(self, Self::Refused { code: ErrorCode::NotSignedIn, .. })
    }

    /// The proxy's code, if it answered with one.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            Self::Refused { code, .. } => Some(*code),
            Self::Unreachable | Self::BadAnswer => None,
        }
    }

    /// The code told to the host page (`EmbedEvent::Error`).
    pub fn host_code(&self) -> HostErrorCode {
        match self {
            Self::Unreachable => HostErrorCode::Unreachable,
            Self::BadAnswer => HostErrorCode::BadAnswer,
            Self::Refused { code, .. } => HostErrorCode::Server(*code),
        }
    }

    /// What to show, in the page's language.
    pub fn message(&self) -> String {
        let m = messages();
        match self {
            Self::Unreachable => m.error_unreachable.into(),
            Self::BadAnswer => m.error_bad_answer.into(),
            Self::Refused { code, message, .. } => {
                (m.server_error)(*code).map_or_else(|| message.clone(), Into::into)
            }
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiFailure {}

/// The result of every call.
pub type ApiResult<T> = Result<T, ApiFailure>;

/// A sign-up problem found in the page, as the proxy would have answered it.
pub fn sign_up_problem(problem: SignUpProblem) -> ApiFailure {
    ApiFailure::Refused { status: 400, code: problem.code(), message: problem.message() }
}

/// Signs up: creates the merchant and its Codat company, and starts a session.
pub async fn sign_up(request: &SignUpRequest) -> ApiResult<Session> {
    post(paths::SIGN_UP, request).await
}

/// The signed-in merchant, or `None` on a first visit (no session presented).
pub async fn session() -> ApiResult<Option<Session>> {
    // A host that names a platform to open at asks the server for its name and kind (a key
    // checked in `embed::options`, so it goes into the query as it is).
    let answer = match crate::embed::options().and_then(|options| options.platform.as_deref()) {
        Some(key) => ask(&format!("{}?platform={key}", paths::SESSION)).await?,
        None => ask(paths::SESSION).await?,
    };
    // 204: no session yet, a first visit.
    if answer.status == 204 {
        return Ok(None);
    }
    parse(answer).map(Some)
}

/// The integration grid for one source type.
pub async fn integrations(source_type: SourceType) -> ApiResult<Vec<IntegrationCard>> {
    get(&format!("{}?sourceType={}", paths::INTEGRATIONS, source_type.as_str())).await
}

/// Starts a connection the owner consented to, and answers where to authorize it.
pub async fn connect(platform_key: &str, consent: &ConsentGiven) -> ApiResult<ConnectStarted> {
    let request = ConnectRequest { platform_key: platform_key.to_owned(), consent: Some(consent.clone()) };
    post(paths::CONNECTIONS, &request).await
}

/// A one-time link that opens the flow at a desktop-only platform on the computer it runs on.
pub async fn continue_elsewhere(platform_key: String) -> ApiResult<codat_connect_api::OneTimeLink> {
    post(paths::CONTINUE_ELSEWHERE, &codat_connect_api::ContinueElsewhere { platform_key }).await
}

/// A one-time link for `person`, who handles the business's books, with the owner's `note`.
pub async fn hand_off(person: String, note: Option<String>) -> ApiResult<codat_connect_api::OneTimeLink> {
    post(paths::HANDOFFS, &codat_connect_api::HandoffRequest { person, note }).await
}

/// What the owner agrees to before connecting a platform of `source_type`, in the page's language.
pub async fn consent_terms(source_type: SourceType) -> ApiResult<ConsentTerms> {
    let locale = crate::i18n::locale().tag();
    get(&format!("{}?sourceType={}&locale={locale}", paths::CONSENT, source_type.as_str())).await
}

/// The merchant's connections.
pub async fn connections() -> ApiResult<Vec<Connection>> {
    get(paths::CONNECTIONS).await
}

/// The connection Codat's redirect names, confirmed by the proxy with the redirect's state
/// (when Codat carried it back).
pub async fn confirm(connection_id: &str, state: Option<String>) -> ApiResult<ReturnConfirmed> {
    let body = codat_connect_api::CallbackConfirmation { connection_id: connection_id.to_owned(), state };
    post(paths::CALLBACK, &body).await
}

/// A one-time ticket for the event stream (embedded use).
pub async fn stream_ticket() -> ApiResult<codat_connect_api::StreamTicket> {
    post(paths::EVENTS_TICKET, &()).await
}

/// Ends the session (standalone, the cookie goes too).
pub async fn log_out() -> ApiResult<()> {
    exchange(post_request(paths::LOG_OUT, String::new())).await.map(|_| ())
}

/// Tells the lender's funnel a step was reached; nothing waits on it, and a failure is ignored
/// (the funnel is the lender's statistics, never in the owner's way).
pub fn funnel(step: FunnelStep) {
    leptos::task::spawn_local(funnel_sent(step));
}

/// [`funnel`], for a page about to leave: done once the proxy answered (or could not be
/// reached), so that leaving does not cancel the request.
pub async fn funnel_sent(step: FunnelStep) {
    if let Some(body) = json::to_string(&step) {
        let _ = exchange(post_request(paths::FUNNEL, body)).await;
    }
}

/// The merchant's data sync, per data type.
pub async fn sync_progress() -> ApiResult<Vec<codat_connect_api::DataTypeProgress>> {
    get(paths::SYNC).await
}

/// Asks for every data type to be read again.
pub async fn refresh_sync() -> ApiResult<()> {
    let request = post_request(paths::SYNC_REFRESH, String::new());
    exchange(request).await.map(|_| ())
}

/// One connection, as Codat reports it now.
pub async fn connection(id: &str) -> ApiResult<Connection> {
    get(&format!("{}/{}", paths::CONNECTIONS, clean_id(id))).await
}

/// Stops a connection syncing; data already read is kept.
pub async fn unlink(id: &str) -> ApiResult<Connection> {
    post(&format!("{}/{}/unlink", paths::CONNECTIONS, clean_id(id)), &()).await
}

/// A fresh Link URL to finish or renew a connection.
pub async fn relink(id: &str) -> ApiResult<ConnectStarted> {
    post(&format!("{}/{}/link", paths::CONNECTIONS, clean_id(id)), &()).await
}

/// Removes a connection and the data read through it.
pub async fn delete_connection(id: &str) -> ApiResult<()> {
    let path = format!("{}/{}", paths::CONNECTIONS, clean_id(id));
    exchange(authorized(Request::delete(&path)).header(CSRF_HEADER, "1").build()).await.map(|_| ())
}

/// An id as the proxy's paths expect it, so nothing else can reach the path.
fn clean_id(id: &str) -> String {
    id.chars().filter(|c| c.is_ascii_hexdigit() || *c == '-').collect()
}

// Only `parse` and the body's serialisation depend on the types sent and received; the rest
// is written once, so each new answer type costs little in the bundle.

async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    parse(ask(path).await?)
}

/// A `GET` of `path`: the answer the page was sent with, if it holds one, else the proxy's.
async fn ask(path: &str) -> Result<Answer, ApiFailure> {
    match crate::first_answers::take(path) {
        Some((status, body)) => judge(status, body),
        None => exchange(authorized(Request::get(path)).build()).await,
    }
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    let body = json::to_string(body).ok_or(ApiFailure::BadAnswer)?;
    parse(exchange(post_request(path, body)).await?)
}

fn post_request(path: &str, body: String) -> Result<Request, gloo_net::Error> {
    authorized(Request::post(path))
        .header(CSRF_HEADER, "1")
        .header("Content-Type", "application/json")
        .body(body)
}

/// Adds the embedding session's token; a standalone page relies on its cookie.
fn authorized(request: RequestBuilder) -> RequestBuilder {
    match embed::session_token() {
        Some(token) => request.header("Authorization", &format!("Bearer {token}")),
        None => request,
    }
}

/// A successful answer's status and body.
struct Answer {
    status: u16,
    body: String,
}

fn parse<T: DeserializeOwned>(answer: Answer) -> ApiResult<T> {
    json::from_str(&answer.body).ok_or(ApiFailure::BadAnswer)
}

/// Sends the request; a successful answer's body, or the failure as the page shows it.
async fn exchange(request: Result<Request, gloo_net::Error>) -> Result<Answer, ApiFailure> {
    let response =
        request.map_err(|e| unreachable_failure(&e))?.send().await.map_err(|e| unreachable_failure(&e))?;
    let status = response.status();
    let body = response.text().await.map_err(|e| unreachable_failure(&e))?;
    judge(status, body)
}

/// A successful answer (2xx) as such; any other as the failure the page shows.
fn judge(status: u16, body: String) -> Result<Answer, ApiFailure> {
    if (200..300).contains(&status) {
        return Ok(Answer { status, body });
    }
    // Not the proxy's JSON (a load balancer's page, say): the status is all there is to go on.
    let error: ApiError = json::from_str(&body).unwrap_or(ApiError {
        code: ErrorCode::Unknown,
        message: fill(messages().error_status, &[("status", &status.to_string())]),
    });
    let failure = ApiFailure::Refused { status, code: error.code, message: error.message };
    if failure.is_not_signed_in() && embed::is_embedded() {
        // Only the host can mend this, with a new session token.
        embed::notify(EmbedEvent::Error {
            code: failure.host_code(),
            message: messages().session_ended.into(),
            recoverable: false,
        });
    }
    Err(failure)
}

fn unreachable_failure(error: &gloo_net::Error) -> ApiFailure {
    // The browser's own words (`gloo_net::Error`'s `Display` would bring serde_json's error
    // formatting into the bundle for a variant this app never meets).
    let reason = match error {
        gloo_net::Error::JsError(error) => error.message.as_str(),
        _ => "",
    };
    web_sys::console::warn_2(&"request failed:".into(), &reason.into());
    ApiFailure::Unreachable
}
