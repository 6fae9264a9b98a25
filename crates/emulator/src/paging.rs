//! Codat's paging envelope, query filter and ordering for list endpoints.

use crate::{error::CodatErrorResponse, query::Query};
use codat::{Link, Page, PageLinks};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Largest `pageSize` Codat accepts.
const MAX_PAGE_SIZE: u32 = 5000;

/// The query parameters every list endpoint takes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    page: Option<String>,
    page_size: Option<String>,
    query: Option<String>,
    order_by: Option<String>,
}

impl ListParams {
    /// The same paging and order, without the `query` filter.
    pub fn without_query(self) -> Self {
        Self { query: None, ..self }
    }
}

/// Filters, orders and pages `items`, answering Codat's envelope for the resource at `path`.
pub fn paginate<T: Serialize>(
    items: &[T],
    params: &ListParams,
    path: &str,
) -> Result<Page<Value>, CodatErrorResponse> {
    let page = parse_bounded("page", params.page.as_deref(), 1, 1, u32::MAX)?;
    let page_size = parse_bounded("pageSize", params.page_size.as_deref(), 100, 1, MAX_PAGE_SIZE)?;
    let query = match params.query.as_deref().filter(|q| !q.is_empty()) {
        Some(text) => {
            Some(Query::parse(text).map_err(|error| CodatErrorResponse::bad_request(error.to_string()))?)
        }
        None => None,
    };
    let mut matching: Vec<Value> = items
        .iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .filter(|value| query.as_ref().is_none_or(|q| q.matches(value)))
        .collect();
    if let Some(order_by) = params.order_by.as_deref().filter(|o| !o.is_empty()) {
        let (field, descending) = match order_by.strip_prefix('-') {
            Some(field) => (field, true),
            None => (order_by, false),
        };
        matching.sort_by(|a, b| {
            let ordering = sort_key(a, field).cmp(&sort_key(b, field));
            if descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
    }
    let total = matching.len() as u64;
    let start = (u64::from(page - 1) * u64::from(page_size)).min(total) as usize;
    let results: Vec<Value> = matching.into_iter().skip(start).take(page_size as usize).collect();
    let href = |n: u32| Link { href: page_href(path, n, page_size, params) };
    let last_page = total.div_ceil(u64::from(page_size)).max(1);
    Ok(Page {
        page_number: page,
        page_size,
        total_results: total,
        links: PageLinks {
            self_link: Link { href: path.to_owned() },
            current: href(page),
            next: (u64::from(page) < last_page).then(|| href(page + 1)),
            previous: (page > 1).then(|| href(page - 1)),
        },
        results,
    })
}

fn parse_bounded(
    name: &str,
    raw: Option<&str>,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, CodatErrorResponse> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(CodatErrorResponse::bad_request(format!(
            "The value '{raw}' is not valid for {name}: it must be a whole number from {min} to {max}."
        ))),
    }
}

fn sort_key(item: &Value, field: &str) -> String {
    match item.get(field) {
        Some(Value::String(s)) => s.to_lowercase(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn page_href(path: &str, page: u32, page_size: u32, params: &ListParams) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("page", &page.to_string());
    query.append_pair("pageSize", &page_size.to_string());
    if let Some(q) = params.query.as_deref().filter(|q| !q.is_empty()) {
        query.append_pair("query", q);
    }
    if let Some(o) = params.order_by.as_deref().filter(|o| !o.is_empty()) {
        query.append_pair("orderBy", o);
    }
    format!("{path}?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(page: &str, size: &str) -> ListParams {
        ListParams { page: Some(page.into()), page_size: Some(size.into()), ..Default::default() }
    }

    #[test]
    fn links_point_to_the_neighbouring_pages() {
        let items: Vec<u32> = (0..5).collect();
        let page = paginate(&items, &params("2", "2"), "/things").unwrap();
        assert_eq!(page.results, vec![Value::from(2), Value::from(3)]);
        assert_eq!(page.total_results, 5);
        assert_eq!(page.links.self_link.href, "/things");
        assert_eq!(page.links.next.unwrap().href, "/things?page=3&pageSize=2");
        assert_eq!(page.links.previous.unwrap().href, "/things?page=1&pageSize=2");
    }

    #[test]
    fn the_last_page_has_no_next_link() {
        let items: Vec<u32> = (0..4).collect();
        let page = paginate(&items, &params("2", "2"), "/things").unwrap();
        assert!(page.links.next.is_none());
    }

    #[test]
    fn out_of_range_page_size_is_a_bad_request() {
        let items: Vec<u32> = Vec::new();
        assert!(paginate(&items, &params("1", "0"), "/t").is_err());
        assert!(paginate(&items, &params("1", "5001"), "/t").is_err());
        assert!(paginate(&items, &params("x", "10"), "/t").is_err());
    }
}
