//! Step 2: the integration grid, with each platform's branding, cached server-side.

use crate::{error::AppError, flow::branding::BrandingImages, AppState};
use axum::{
    extract::{Query, State},
    Json,
};
use codat::{Branding, CodatClient, Integration};
use codat_connect_api::{IntegrationCard, SourceType, GRID_PAGE_SIZE};
use futures_util::future::OptionFuture;
use serde::Deserialize;
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::{RwLock, Semaphore};

/// How long a fetched grid is served before Codat is asked again.
const CACHE_TTL: Duration = Duration::from_secs(10 * 60);
/// Branding requests in flight at once (Codat allows 10 per company; stay below).
const BRANDING_CONCURRENCY: usize = 8;

/// The platforms that connect only from the computer they are installed on, shipped as data.
const DESKTOP_PLATFORMS: &str = include_str!("../../data/desktop_platforms.txt");

/// Whether the platform with Codat key `key` connects only from its own computer.
pub fn is_desktop_only(key: &str) -> bool {
    DESKTOP_PLATFORMS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .any(|line| line.split('\t').next() == Some(key))
}
/// Longest the grid's answer waits for the images it carries; past it, the cards keep their
/// image URLs (a slow image host must not hold up the grid).
const INLINE_WAIT: Duration = Duration::from_secs(3);

/// Query of `GET /api/integrations`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GridQuery {
    source_type: Option<String>,
}

/// A grid and when it was fetched from Codat.
type CachedGrid = (Instant, Arc<Vec<IntegrationCard>>);

/// The grid per source type, with when it was fetched.
#[derive(Debug, Default)]
pub struct IntegrationCache {
    grids: RwLock<HashMap<SourceType, CachedGrid>>,
}

/// `GET /api/integrations?sourceType=Accounting`: the grid, with the platforms the session
/// features first.
pub async fn list(
    State(state): State<AppState>,
    signed_in: Option<crate::extract::SignedIn>,
    Query(query): Query<GridQuery>,
) -> Result<Json<Arc<Vec<IntegrationCard>>>, AppError> {
    let source_type = crate::flow::wire::source_type_param(query.source_type.as_deref())?;
    let grid = state.integrations.grid(&state, source_type).await?;
    let token_hash = signed_in.as_ref().map(|signed_in| signed_in.token_hash.as_str());
    Ok(Json(super::grid_order::for_session(&state, token_hash, grid).await?))
}

impl IntegrationCache {
    /// The grid for a source type: from memory while fresh, else from the database (shared by
    /// every server, kept across restarts) while fresh, else from Codat.
    pub async fn grid(
        &self,
        state: &AppState,
        source_type: SourceType,
    ) -> Result<Arc<Vec<IntegrationCard>>, AppError> {
        if let Some((fetched, grid)) = self.grids.read().await.get(&source_type) {
            if fetched.elapsed() < CACHE_TTL {
                return Ok(grid.clone());
            }
        }
        let stored = state.db.cached_grid(source_type.as_str()).await?;
        let fresh = stored
            .filter(|(_, age)| *age >= 0 && (*age as u64) < CACHE_TTL.as_secs())
            .and_then(|(cards, _)| serde_json::from_str::<Vec<IntegrationCard>>(&cards).ok());
        let cards = match fresh {
            Some(cards) => cards,
            None => {
                let cards = fetch_grid(&state.codat, source_type).await?;
                if let Ok(json) = serde_json::to_string(&cards) {
                    state.db.store_grid(source_type.as_str(), &json).await?;
                }
                cards
            }
        };
        let images = &state.branding_images;
        let cards: Vec<IntegrationCard> = cards
            .into_iter()
            .map(|card| state.platform_aliases.on_card(served_locally(card, images)))
            .collect();
        let chosen = super::grid_order::choices(state).await;
        let cards = super::grid_order::ordered(cards, &state.settings.featured_platforms, &chosen);
        let inlined = tokio::time::timeout(INLINE_WAIT, with_first_page_inlined(cards.clone(), images)).await;
        let grid = Arc::new(inlined.unwrap_or_else(|_| {
            tracing::warn!(
                source_type = source_type.as_str(),
                "branding images too slow to carry in the grid; sent as URLs"
            );
            cards
        }));
        self.grids.write().await.insert(source_type, (Instant::now(), grid.clone()));
        Ok(grid)
    }

    /// A platform's logo as a grid already fetched shows it (a `data:` URI or our URL; from
    /// memory, else the database, however old: a logo rarely changes), never asking Codat: the
    /// connections list must not cost a grid's worth of Codat calls. `None` for a platform in no
    /// grid seen yet.
    pub async fn known_logo(
        &self,
        state: &AppState,
        source_type: SourceType,
        platform_key: &str,
    ) -> Option<String> {
        let in_memory = self.grids.read().await.get(&source_type).and_then(|(_, grid)| {
            grid.iter().find(|card| card.platform_key == platform_key).map(|card| card.logo_url.clone())
        });
        if let Some(logo) = in_memory {
            return Some(logo).filter(|url| !url.is_empty());
        }
        let (stored, _) = state.db.cached_grid(source_type.as_str()).await.ok().flatten()?;
        let cards = serde_json::from_str::<Vec<IntegrationCard>>(&stored).ok()?;
        let card = cards.into_iter().find(|card| card.platform_key == platform_key)?;
        state.branding_images.register(platform_key, "logo", &card.logo_url)
    }
}

/// The grid as Codat gives it (its image URLs), one branding request per platform.
async fn fetch_grid(codat: &CodatClient, source_type: SourceType) -> Result<Vec<IntegrationCard>, AppError> {
    let query = format!("sourceType={}&&enabled=true", source_type.as_str());
    let integrations = codat.list_integrations(&query).await?;
    let limit = Arc::new(Semaphore::new(BRANDING_CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, integration) in integrations.into_iter().enumerate() {
        let (codat, limit) = (codat.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            // A platform without branding still gets a card, with its plain logo.
            let branding = codat.integration_branding(&integration.key).await.unwrap_or_default();
            (index, card(integration, branding))
        });
    }
    let mut cards = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(card) = joined {
            cards.push(card);
        }
    }
    cards.sort_by_key(|(index, _)| *index);
    Ok(cards.into_iter().map(|(_, card)| card).collect())
}

/// The card with its images pointing at our own origin (an image on a host we do not fetch
/// from is left out).
fn served_locally(mut card: IntegrationCard, images: &BrandingImages) -> IntegrationCard {
    let key = card.platform_key.clone();
    card.logo_url = images.register(&key, "logo", &card.logo_url).unwrap_or_default();
    card.button_url = card.button_url.and_then(|src| images.register(&key, "button", &src));
    card.button_hover_url = card.button_hover_url.and_then(|src| images.register(&key, "button-hover", &src));
    card
}

/// The grid with the images of its first page (the cards the app shows before "show more")
/// written into it as `data:` URIs where they are small: the first view then needs no image
/// requests, and a hover image is there before the first hover. Further cards keep their URLs
/// and load as they are shown.
async fn with_first_page_inlined(
    mut cards: Vec<IntegrationCard>,
    images: &BrandingImages,
) -> Vec<IntegrationCard> {
    let limit = Semaphore::new(BRANDING_CONCURRENCY);
    let inline = |url: String| {
        let limit = &limit;
        async move {
            let _permit = limit.acquire().await;
            images.inlined(&url).await.unwrap_or(url)
        }
    };
    let first_page = cards.len().min(GRID_PAGE_SIZE);
    let inlined = futures_util::future::join_all(cards[..first_page].iter().map(|card| {
        let (logo, button, hover) =
            (card.logo_url.clone(), card.button_url.clone(), card.button_hover_url.clone());
        async move {
            let logo = if logo.is_empty() { logo } else { inline(logo).await };
            let button = OptionFuture::from(button.map(inline)).await;
            let hover = OptionFuture::from(hover.map(inline)).await;
            (logo, button, hover)
        }
    }))
    .await;
    for (card, (logo, button, hover)) in cards.iter_mut().zip(inlined) {
        (card.logo_url, card.button_url, card.button_hover_url) = (logo, button, hover);
    }
    cards
}

fn card(integration: Integration, branding: Branding) -> IntegrationCard {
    let image = |img: Option<&codat::BrandingImage>| img.and_then(|i| i.image()).and_then(|i| i.src.clone());
    let square = branding.logo.as_ref().and_then(|l| l.square.as_ref());
    let button = branding.button.as_ref();
    let desktop_only = is_desktop_only(&integration.key);
    IntegrationCard {
        logo_url: image(square).unwrap_or_else(|| integration.logo_url.clone()),
        logo_alt: format!("{} logo", integration.name),
        button_url: image(button.and_then(|b| b.default.as_ref())),
        button_hover_url: image(button.and_then(|b| b.hover.as_ref())),
        is_beta: integration.is_beta.unwrap_or(false),
        source_type: integration.source_type.map_or(SourceType::Other, super::wire::source_type),
        platform_key: integration.key,
        name: integration.name,
        aliases: Vec::new(),
        degraded: false,
        desktop_only,
    }
}

/// The name and kind of the enabled platform with Codat key `key`, from the grid of its kind.
pub async fn offered_platform(state: &AppState, key: &str) -> Result<Option<(String, SourceType)>, AppError> {
    for kind in codat_connect_api::Requirements::KINDS {
        let grid = state.integrations.grid(state, kind).await?;
        if let Some(card) = grid.iter().find(|card| card.platform_key == key) {
            return Ok(Some((card.name.clone(), kind)));
        }
    }
    Ok(None)
}
