//! An offline, stateful emulator of Codat's Platform API.
//!
//! It answers the paths, bodies, status codes, paging envelope, query language, error body and
//! Basic auth of Codat's published spec, and serves its own Link pages where a business owner
//! authorizes (or cancels, or fails) a connection before being redirected with Codat's
//! placeholders filled. It runs inside the Codat Connect proxy by default, and alone as the
//! `codat-emulator` binary, like `stripe-mock` for Stripe.

pub mod api;
pub mod branding;
pub mod catalog;
pub mod error;
pub mod link;
pub mod paging;
pub mod query;
pub mod state;

use axum::{
    extract::{Request, State},
    http::header,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use branding::Artwork;
use catalog::Platform;
use codat::Integration;
use state::{Catalog, Store};
use std::sync::Arc;

/// The `clientId` the emulator reports in redirects.
pub const CLIENT_ID: &str = "00000000-0000-4000-8000-00000000c0da";

/// How an emulator is set up.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The URL at which browsers reach the emulator (its Link pages and images), no trailing `/`.
    pub public_url: String,
    /// API keys accepted in the Basic `Authorization` header.
    pub api_keys: Vec<String>,
    /// The profile's redirect URL template until a client changes it with `PUT /profile`.
    pub redirect_url: String,
}

/// A running emulator's state.
#[derive(Debug)]
pub struct Emulator {
    config: EmulatorConfig,
    /// Companies, connections and the profile.
    pub store: Store,
    /// The platforms on offer.
    pub catalog: Catalog,
}

impl Emulator {
    /// A fresh emulator with the shipped catalog and no companies.
    pub fn new(config: EmulatorConfig) -> Arc<Self> {
        let store = Store::new(config.redirect_url.clone());
        Arc::new(Self { config, store, catalog: Catalog::shipped() })
    }

    /// The URL at which browsers reach the emulator.
    pub fn public_url(&self) -> &str {
        self.config.public_url.trim_end_matches('/')
    }

    /// The Link URL of a connection, shaped like Codat's `link-api` one.
    pub fn link_url(&self, company_id: &str, connection_id: &str) -> String {
        format!("{}/link-api/companies/{company_id}/connections/{connection_id}/start", self.public_url())
    }

    /// Where one of a platform's branding images is served.
    pub fn artwork_url(&self, platform_key: &str, artwork: Artwork) -> String {
        format!("{}/static/{platform_key}/{}.svg", self.public_url(), artwork.slug())
    }

    fn integration(&self, platform: &Platform) -> Integration {
        Integration {
            key: platform.key.clone(),
            logo_url: self.artwork_url(&platform.key, Artwork::Square),
            name: platform.name.clone(),
            enabled: platform.enabled,
            source_id: Some(platform.source_id.clone()),
            source_type: Some(platform.source_type),
            integration_id: Some(platform.integration_id.clone()),
            is_offline_connector: Some(
                platform.setup_note.as_deref().is_some_and(|n| n.contains("on-premise")),
            ),
            is_beta: Some(platform.is_beta),
            data_provided_by: Some("Codat".into()),
        }
    }

    fn accepts(&self, authorization: Option<&str>) -> bool {
        authorization.and_then(decode_basic).is_some_and(|key| self.config.api_keys.contains(&key))
    }
}

/// The emulator's routes: the Codat API (Basic auth), Link pages and branding images (public).
pub fn router(emulator: Arc<Emulator>) -> Router {
    let api = Router::new()
        .route("/companies", get(api::list_companies).post(api::create_company))
        .route("/companies/{company_id}", get(api::get_company))
        .route("/companies/{company_id}/connections", get(api::list_connections).post(api::create_connection))
        .route("/companies/{company_id}/connections/{connection_id}", get(api::get_connection))
        .route("/integrations", get(api::list_integrations))
        .route("/integrations/{platform_key}", get(api::get_integration))
        .route("/integrations/{platform_key}/branding", get(api::get_branding))
        .route("/profile", get(api::get_profile).put(api::put_profile))
        .fallback(api::unknown_route)
        .route_layer(middleware::from_fn_with_state(emulator.clone(), require_api_key));
    let public = Router::new()
        .route("/static/{platform_key}/{file}", get(api::artwork))
        .route("/link-api/link.css", get(link::stylesheet))
        .route("/link-api/companies/{company_id}/connections/{connection_id}/start", get(link::start))
        .route(
            "/link-api/companies/{company_id}/connections/{connection_id}/complete",
            axum::routing::post(link::complete),
        );
    public.merge(api).with_state(emulator)
}

async fn require_api_key(State(emulator): State<Arc<Emulator>>, request: Request, next: Next) -> Response {
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if emulator.accepts(authorization) {
        next.run(request).await
    } else {
        error::CodatErrorResponse::unauthorized().into_response()
    }
}

/// The API key inside a Basic `Authorization` value.
fn decode_basic(value: &str) -> Option<String> {
    use base64::Engine as _;
    let encoded = value.strip_prefix("Basic ")?.trim();
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_the_key_from_a_basic_header_and_refuses_anything_else() {
        assert_eq!(super::decode_basic("Basic YWJj").as_deref(), Some("abc"));
        assert_eq!(super::decode_basic("Basic a2V5LTE=").as_deref(), Some("key-1"));
        assert_eq!(super::decode_basic("Bearer YWJj"), None);
        assert_eq!(super::decode_basic("Basic ***"), None);
    }
}
