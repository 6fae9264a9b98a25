//! The funnel's report for the lender: `GET /v1/analytics/funnel?from=&to=`, JSON or CSV.

use super::STEPS;
use crate::{error::AppError, AppState};
use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The funnel over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Funnel {
    /// First day counted (`YYYY-MM-DD`, UTC).
    pub from: String,
    /// Last day counted.
    pub to: String,
    /// Each step with how often it was reached, in the order a visitor meets them.
    pub steps: Vec<StepCount>,
    /// Per platform: how often each step was reached for it (`link_returned:200` by status).
    pub platforms: BTreeMap<String, BTreeMap<String, i64>>,
    /// Searches that found nothing, most frequent first.
    pub zero_result_searches: Vec<SearchCount>,
    /// Why owners left before linking what was required ("I'll do this later"): how often each
    /// reason was given (`unsaid` when they skipped the question), most frequent first.
    pub leaving_reasons: Vec<LeavingCount>,
    /// What owners who left for another reason wrote, most frequent first.
    pub leaving_words: Vec<SearchCount>,
}

/// A reason for leaving early, and how often it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeavingCount {
    /// `not_my_software`, `no_login`, `not_comfortable`, `later`, `other` or `unsaid`.
    pub reason: String,
    /// How often.
    pub count: i64,
}

/// A step and its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCount {
    /// The step.
    pub step: String,
    /// How often it was reached.
    pub count: i64,
}

/// A search that found nothing, and how often it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchCount {
    /// Its text.
    pub text: String,
    /// How often.
    pub count: i64,
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD&format=json|csv` (the last 30 days by default).
#[derive(Debug, Deserialize)]
pub struct FunnelQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// `GET /v1/analytics/funnel`
pub async fn report(
    State(state): State<AppState>,
    Query(query): Query<FunnelQuery>,
) -> Result<Response, AppError> {
    let today = time::OffsetDateTime::now_utc().date();
    let day = |text: Option<&str>, default: time::Date| match text {
        None => Ok(default),
        Some(text) => time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
            .map_err(|_| AppError::BadRequest("from and to are dates such as 2026-12-01.".into())),
    };
    let to = day(query.to.as_deref(), today)?;
    let from = day(query.from.as_deref(), to - time::Duration::days(29))?;
    if from > to || (to - from).whole_days() > 366 {
        return Err(AppError::BadRequest("from is on or before to, at most a year apart.".into()));
    }
    let start = from.midnight().assume_utc().unix_timestamp();
    let end = (to + time::Duration::days(1)).midnight().assume_utc().unix_timestamp();
    let counts = state.db.funnel_counts(start, end).await?;
    let mut steps: Vec<StepCount> =
        STEPS.iter().map(|step| StepCount { step: (*step).to_owned(), count: 0 }).collect();
    let mut platforms: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for (step, platform_key, detail, count) in counts.per_step_platform {
        if let Some(total) = steps.iter_mut().find(|s| s.step == step) {
            total.count += count;
        }
        if let Some(key) = platform_key {
            let name = match (step.as_str(), detail) {
                ("link_returned", Some(status)) => format!("link_returned:{status}"),
                _ => step,
            };
            *platforms.entry(key).or_default().entry(name).or_default() += count;
        }
    }
    let zero_result_searches =
        counts.zero_result_searches.into_iter().map(|(text, count)| SearchCount { text, count }).collect();
    let (leaving_reasons, leaving_words) = leaving(counts.leaving);
    let funnel = Funnel {
        from: from.to_string(),
        to: to.to_string(),
        steps,
        platforms,
        zero_result_searches,
        leaving_reasons,
        leaving_words,
    };
    match query.format.as_deref() {
        None | Some("json") => Ok(Json(funnel).into_response()),
        Some("csv") => {
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv(&funnel)).into_response())
        }
        Some(_) => Err(AppError::BadRequest("format is json or csv.".into())),
    }
}

/// The funnel as CSV: `section,key,step,count` rows.
fn csv(funnel: &Funnel) -> String {
    let mut text = String::from("section,key,step,count\r\n");
    for step in &funnel.steps {
        text.push_str(&crate::csv::row(&["step", "", &step.step, &step.count.to_string()]));
    }
    for (platform, steps) in &funnel.platforms {
        for (step, count) in steps {
            text.push_str(&crate::csv::row(&["platform", platform, step, &count.to_string()]));
        }
    }
    for reason in &funnel.leaving_reasons {
        text.push_str(&crate::csv::row(&[
            "leaving_reason",
            &reason.reason,
            "left_early",
            &reason.count.to_string(),
        ]));
    }
    for words in &funnel.leaving_words {
        text.push_str(&crate::csv::row(&[
            "leaving_words",
            &words.text,
            "left_early",
            &words.count.to_string(),
        ]));
    }
    for search in &funnel.zero_result_searches {
        text.push_str(&crate::csv::row(&[
            "zero_result_search",
            &search.text,
            "search_made",
            &search.count.to_string(),
        ]));
    }
    text
}

/// The reasons counted (an owner's own words count as `other`) and the words themselves.
fn leaving(details: Vec<(String, i64)>) -> (Vec<LeavingCount>, Vec<SearchCount>) {
    let mut reasons: Vec<LeavingCount> = Vec::new();
    let mut words = Vec::new();
    for (detail, count) in details {
        let reason = match detail.strip_prefix("other:") {
            Some(text) => {
                words.push(SearchCount { text: text.to_owned(), count });
                "other"
            }
            None => detail.as_str(),
        };
        match reasons.iter_mut().find(|known| known.reason == reason) {
            Some(known) => known.count += count,
            None => reasons.push(LeavingCount { reason: reason.to_owned(), count }),
        }
    }
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    (reasons, words)
}
