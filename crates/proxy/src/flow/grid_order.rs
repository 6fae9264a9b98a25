//! The grid's order, the same for every owner of this lender: the platforms the lender features
//! (`FEATURED_PLATFORMS`, in its order), then those its owners chose most over the last 30 days
//! (the funnel's counts: no one's data, only how often each platform was chosen), then by name.
//! A session the lender started may feature platforms of its own, shown before all of them.
//! Platforms judged degraded (`crate::platform_health`) are marked as each answer is made.

use crate::{error::AppError, AppState};
use codat_connect_api::IntegrationCard;
use std::{collections::HashMap, sync::Arc};

/// How far back the owners' choices count.
const CHOICES_COUNTED: i64 = 30 * 24 * 60 * 60;

/// How often each platform was chosen over the last 30 days (none if the counts cannot be read:
/// the order falls back to the lender's and the names').
pub async fn choices(state: &AppState) -> HashMap<String, i64> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    match state.db.platform_choices(now - CHOICES_COUNTED, now + 1).await {
        Ok(choices) => choices.into_iter().collect(),
        Err(error) => {
            tracing::warn!(%error, "the funnel's counts could not be read; the grid is ordered without them");
            HashMap::new()
        }
    }
}

/// `cards` in the grid's order: `featured` first in its order, then the most `chosen`, then
/// by name (case aside); cards alike in all three keep Codat's order.
pub fn ordered(
    mut cards: Vec<IntegrationCard>,
    featured: &[String],
    chosen: &HashMap<String, i64>,
) -> Vec<IntegrationCard> {
    let place = |card: &IntegrationCard| featured.iter().position(|key| *key == card.platform_key);
    let times = |card: &IntegrationCard| chosen.get(&card.platform_key).copied().unwrap_or(0);
    cards.sort_by_cached_key(|card| {
        (place(card).unwrap_or(usize::MAX), std::cmp::Reverse(times(card)), card.name.to_lowercase())
    });
    cards
}

/// The grid as the session with `token_hash` sees it: the platforms it features first, in its
/// order, the others in the grid's; degraded platforms marked.
pub async fn for_session(
    state: &AppState,
    token_hash: Option<&str>,
    grid: Arc<Vec<IntegrationCard>>,
) -> Result<Arc<Vec<IntegrationCard>>, AppError> {
    let degraded = state.degraded_platforms.get(&state.db).await;
    let grid = if grid.iter().any(|card| degraded.contains(&card.platform_key)) {
        let marked = grid
            .iter()
            .map(|card| IntegrationCard { degraded: degraded.contains(&card.platform_key), ..card.clone() });
        Arc::new(marked.collect())
    } else {
        grid
    };
    let Some(token_hash) = token_hash else { return Ok(grid) };
    let featured = state.db.session_extras(token_hash).await?.featured_platforms;
    if featured.is_empty() {
        return Ok(grid);
    }
    let mut cards = Vec::clone(&grid);
    // A stable sort: the featured in their order, the others as the grid had them.
    cards.sort_by_cached_key(|card| {
        featured.iter().position(|key| *key == card.platform_key).unwrap_or(usize::MAX)
    });
    Ok(Arc::new(cards))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aliases::tests::card;

    fn names(cards: &[IntegrationCard]) -> Vec<&str> {
        cards.iter().map(|card| card.name.as_str()).collect()
    }

    #[test]
    fn featured_first_then_the_most_chosen_then_by_name() {
        let cards = vec![
            card("wave", "Wave"),
            card("sage", "sage Accounting"),
            card("xero", "Xero"),
            card("qbox", "QuickBooks Online"),
            card("frag", "FreeAgent"),
        ];
        let featured = ["xero".to_owned(), "qbox".to_owned(), "none".to_owned()];
        let chosen = HashMap::from([("wave".to_owned(), 3), ("frag".to_owned(), 5), ("xero".to_owned(), 1)]);
        let ordered = ordered(cards.clone(), &featured, &chosen);
        assert_eq!(names(&ordered), ["Xero", "QuickBooks Online", "FreeAgent", "Wave", "sage Accounting"]);
        let by_name = ordered_by_name_alone(cards);
        assert_eq!(names(&by_name), ["FreeAgent", "QuickBooks Online", "sage Accounting", "Wave", "Xero"]);
    }

    fn ordered_by_name_alone(cards: Vec<IntegrationCard>) -> Vec<IntegrationCard> {
        ordered(cards, &[], &HashMap::new())
    }
}
