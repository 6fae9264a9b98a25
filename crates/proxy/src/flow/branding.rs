//! Platform logos and buttons served from our own origin: each image is fetched from Codat once,
//! kept in memory, and answered with `Cache-Control` and an `ETag`, so the page needs no
//! third-party image host (the CSP allows `img-src 'self'` only) and repeat views cost nothing.

use crate::{error::AppError, AppState};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};

/// Largest image accepted from Codat.
const MAX_IMAGE_BYTES: usize = 512 * 1024;

/// Largest image written into the grid's answer as a `data:` URI rather than fetched on its own.
pub const MAX_INLINE_BYTES: usize = 6 * 1024;

/// An image as we serve it.
#[derive(Debug)]
struct Image {
    bytes: Bytes,
    content_type: String,
    etag: String,
}

/// Where each image comes from, and the images fetched so far.
#[derive(Debug)]
pub struct BrandingImages {
    sources: RwLock<HashMap<String, String>>,
    images: RwLock<HashMap<String, Arc<Image>>>,
    http: reqwest::Client,
    allowed_origins: Vec<String>,
    rewrite: Option<(String, String)>,
}

impl BrandingImages {
    /// Images may come only from `allowed_origins`; URLs starting with `rewrite.0` are fetched
    /// from `rewrite.1` instead (the embedded emulator, reached on loopback).
    pub fn new(allowed_origins: Vec<String>, rewrite: Option<(String, String)>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { sources: RwLock::default(), images: RwLock::default(), http, allowed_origins, rewrite }
    }

    /// Our URL for one of a platform's images, remembering where to fetch it; `None` for a source
    /// on a host we do not fetch from.
    pub fn register(&self, platform_key: &str, slot: &str, source: &str) -> Option<String> {
        let origin = url::Url::parse(source).ok()?.origin().ascii_serialization();
        let rewritten = self.rewrite.as_ref().is_some_and(|(from, _)| source.starts_with(from.as_str()));
        if !rewritten && !self.allowed_origins.contains(&origin) {
            return None;
        }
        let id = format!("{platform_key}/{slot}");
        self.sources.write().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), source.to_owned());
        Some(format!("/branding/{id}"))
    }

    /// The image behind one of our URLs (`/branding/...`) as a `data:` URI, when it is small
    /// enough to travel inside the grid's answer (no request of its own, no round trip); `None`
    /// for a larger one, or one that cannot be fetched now (its URL then stays).
    pub async fn inlined(&self, url: &str) -> Option<String> {
        let id = url.strip_prefix("/branding/")?;
        let image = self.image(id).await.ok()?;
        (image.bytes.len() <= MAX_INLINE_BYTES).then(|| data_uri(&image.content_type, &image.bytes))
    }

    async fn image(&self, id: &str) -> Result<Arc<Image>, AppError> {
        if let Some(image) = self.images.read().unwrap_or_else(|e| e.into_inner()).get(id) {
            return Ok(image.clone());
        }
        let source = self.sources.read().unwrap_or_else(|e| e.into_inner()).get(id).cloned();
        let source = source.ok_or_else(|| AppError::NotFound("There is no such image.".into()))?;
        let fetched = match &self.rewrite {
            Some((from, to)) if source.starts_with(from.as_str()) => format!("{to}{}", &source[from.len()..]),
            _ => source,
        };
        let response = self.http.get(&fetched).send().await.map_err(|_| unavailable())?;
        if !response.status().is_success() {
            return Err(unavailable());
        }
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .filter(|t| t.starts_with("image/"))
            .ok_or_else(unavailable)?
            .to_owned();
        let bytes = response.bytes().await.map_err(|_| unavailable())?;
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(unavailable());
        }
        let etag = format!("\"{}\"", &crate::digest::sha256_hex(&bytes)[..32]);
        let image = Arc::new(Image { bytes, content_type, etag });
        self.images.write().unwrap_or_else(|e| e.into_inner()).insert(id.to_owned(), image.clone());
        Ok(image)
    }
}

fn unavailable() -> AppError {
    AppError::UntrustedUpstream("branding image unavailable".into())
}

/// `GET /branding/{platformKey}/{slot}`
pub async fn serve(
    State(state): State<AppState>,
    Path((platform_key, slot)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let image = state.branding_images.image(&format!("{platform_key}/{slot}")).await?;
    let cache = [(header::CACHE_CONTROL, "public, max-age=86400"), (header::ETAG, image.etag.as_str())];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == image.etag || tag.trim() == "*"));
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, [(header::CONTENT_TYPE, image.content_type.as_str())], image.bytes.clone()).into_response())
}

/// Characters an SVG keeps as they are inside a `data:` URI: letters, digits and the URL-safe
/// punctuation SVG is made of. Everything else (`<`, `>`, `"`, `#`, `%`, spaces, non-ASCII) is
/// percent-encoded, so the URI is also safe inside JSON inside a `<script>` element.
const SVG_KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'/')
    .remove(b':')
    .remove(b';')
    .remove(b'=')
    .remove(b',')
    .remove(b'(')
    .remove(b')')
    .remove(b'!')
    .remove(b'*')
    .remove(b'\'');

/// An image as a `data:` URI: an SVG as percent-encoded text (brotli then packs what the grid's
/// logos share, where base64 hides it: the picker's page is a kilobyte smaller), any other
/// image as base64.
fn data_uri(content_type: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    match std::str::from_utf8(bytes) {
        Ok(svg) if content_type.starts_with("image/svg+xml") => {
            format!("data:image/svg+xml,{}", percent_encoding::utf8_percent_encode(svg, SVG_KEPT))
        }
        _ => {
            format!("data:{content_type};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::data_uri;

    #[test]
    fn an_svg_travels_as_text_that_decodes_to_it_and_other_images_as_base64() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg"><text fill="#fff">Café 100%</text></svg>"##;
        let uri = data_uri("image/svg+xml", svg.as_bytes());
        let text = uri.strip_prefix("data:image/svg+xml,").unwrap();
        assert!(!text.contains(['<', '>', '"', '#', ' ']), "{text}");
        assert_eq!(percent_encoding::percent_decode_str(text).decode_utf8().unwrap(), svg);
        assert_eq!(data_uri("image/png", &[0x89, b'P', b'N', b'G']), "data:image/png;base64,iVBORw==");
    }
}
