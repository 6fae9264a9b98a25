//! What the client reports of each request to whoever watches it (the server's metrics): the
//! operation's path template, never a company or connection id.

use std::time::Duration;

/// How one request to Codat ended, after every retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer.
    Success,
    /// 429 on the last attempt.
    RateLimited,
    /// Another 4xx.
    ClientError,
    /// A 5xx.
    ServerError,
    /// No answer: connection refused or broken, timeout.
    Transport,
}

impl Outcome {
    /// The metric label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::RateLimited => "rate_limited",
            Self::ClientError => "client_error",
            Self::ServerError => "server_error",
            Self::Transport => "transport_error",
        }
    }
}

/// One request to Codat, reported once it is over.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Method and path template, e.g. `GET /companies/{id}/connections`.
    pub operation: String,
    /// How it ended.
    pub outcome: Outcome,
    /// From the first attempt to the last answer, waits between attempts included.
    pub elapsed: Duration,
    /// Attempts beyond the first.
    pub retries: u32,
    /// Answers with 429, over every attempt.
    pub rate_limited: u32,
    /// The latest `X-Rate-Limit-Remaining` Codat sent: requests left in its daily quota.
    pub quota_remaining: Option<u64>,
}

/// Told of every request a [`crate::CodatClient`] makes.
pub trait Observer: Send + Sync + std::fmt::Debug {
    /// One request is over.
    fn exchanged(&self, exchange: &Exchange);
}

/// Segments after which Codat's paths carry an id or a platform key.
const ID_AFTER: [&str; 5] = ["companies", "connections", "integrations", "pulls", "webhooks"];

/// `method` and the path of `path_and_query` with ids replaced by `{id}` and no query, so that
/// a label takes a bounded set of values.
pub fn operation(method: &str, path_and_query: &str) -> String {
    let path = path_and_query.split('?').next().unwrap_or_default();
    let mut template = String::with_capacity(path.len());
    let mut previous = "";
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        template.push('/');
        if ID_AFTER.contains(&previous) {
            template.push_str("{id}");
        } else if segment.chars().all(|c| c.is_ascii_alphabetic()) {
            template.push_str(segment);
        } else {
            // Nothing unexpected reaches a label verbatim.
            template.push_str("{other}");
        }
        previous = segment;
    }
    format!("{method} {template}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_never_reach_the_operation() {
        assert_eq!(
            super::operation("GET", "/companies/8a9f-11/connections/77b?page=1"),
            "GET /companies/{id}/connections/{id}"
        );
        assert_eq!(super::operation("GET", "/integrations/gbol/branding"), "GET /integrations/{id}/branding");
        assert_eq!(super::operation("GET", "/companies/x/data/status"), "GET /companies/{id}/data/status");
        assert_eq!(super::operation("POST", "/companies"), "POST /companies");
        assert_eq!(super::operation("GET", "/odd/12345"), "GET /odd/{other}");
    }
}
