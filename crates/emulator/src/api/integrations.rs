//! `/integrations`: list, get, branding; and the emulator's own branding images.

use super::{integration_not_found, prelude::*};
use crate::branding::{self, Artwork};
use axum::http::header;
use codat::{Branding, BrandingButton, BrandingImage, BrandingLogo, ImageReference, Integration};

/// `GET /integrations`
pub async fn list(
    State(emulator): State<Arc<Emulator>>,
    Query(params): Query<ListParams>,
) -> ApiResult<Response> {
    let integrations: Vec<Integration> =
        emulator.catalog.all().iter().map(|p| emulator.integration(p)).collect();
    Ok(Json(paginate(&integrations, &params, "/integrations")?).into_response())
}

/// `GET /integrations/{platformKey}`
pub async fn get(
    State(emulator): State<Arc<Emulator>>,
    Path(key): Path<String>,
) -> ApiResult<Json<Integration>> {
    let platform = emulator.catalog.get(&key).ok_or_else(|| integration_not_found(&key))?;
    Ok(Json(emulator.integration(&platform)))
}

/// `GET /integrations/{platformKey}/branding`
pub async fn branding(
    State(emulator): State<Arc<Emulator>>,
    Path(key): Path<String>,
) -> ApiResult<Json<Branding>> {
    let platform = emulator.catalog.get(&key).ok_or_else(|| integration_not_found(&key))?;
    let image = |artwork: Artwork, alt: String| BrandingImage {
        image: Some(ImageReference {
            src: Some(emulator.artwork_url(&platform.key, artwork)),
            alt: Some(alt),
        }),
    };
    let lower = platform.name.to_lowercase();
    Ok(Json(Branding {
        logo: Some(BrandingLogo {
            full: Some(image(Artwork::Full, format!("{lower} full icon"))),
            square: Some(image(Artwork::Square, format!("{lower} square icon"))),
        }),
        button: (!platform.no_buttons).then(|| BrandingButton {
            default: Some(image(Artwork::Button, format!("{lower} default button icon"))),
            hover: (!platform.no_hover)
                .then(|| image(Artwork::ButtonHover, format!("{lower} hover button icon"))),
        }),
        source_id: Some(platform.source_id.clone()),
    }))
}

/// `GET /static/{platformKey}/{artwork}.svg`: the emulator's branding images (no auth).
pub async fn artwork(
    State(emulator): State<Arc<Emulator>>,
    Path((key, file)): Path<(String, String)>,
) -> Response {
    let artwork = file.strip_suffix(".svg").and_then(Artwork::from_slug);
    match (emulator.catalog.get(&key), artwork) {
        (Some(platform), Some(artwork)) => (
            [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
            branding::svg(&platform, artwork),
        )
            .into_response(),
        _ => CodatErrorResponse::not_found("No such image.").into_response(),
    }
}
