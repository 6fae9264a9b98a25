//! The first view's answers inside the page that shows it. A phone on a slow link spends a
//! round trip or more asking, once the app has started, for what the server already knows when
//! it sends the page: the session, the first grid, the connections, the sync. The picker's page
//! (`/connect`) is sent in two parts: everything up to `<body>` at once (so the browser starts
//! fetching the app), then, when those answers are ready, a JSON data element holding them and
//! the end of the document. The app's module script runs only once the document has ended, so
//! it always finds them; it takes each answer once instead of asking (`src/first_answers.rs`).
//!
//! Who may see them: whoever presents the session cookie, exactly as for `/api/*` (the answers
//! are made by the same handlers from the same request). The page is then `no-store`. An
//! embedded page's session is a bearer token the page's own request does not carry: it finds no
//! session here and asks as before.

use crate::{extract::SignedIn, flow, web_app::Encoding, AppState};
use axum::{
    body::{to_bytes, Body, Bytes},
    extract::{OptionalFromRequestParts, State},
    http::request::Parts,
    response::IntoResponse,
};
use codat_connect_api::{paths, Requirement, Requirements, SourceType};
use futures_util::StreamExt as _;
use std::{io::Write as _, time::Duration};

/// The id of the data element; the app reads it by this id.
pub const ELEMENT_ID: &str = "cc-first";

/// Longest the page's second part waits for an answer that needs Codat; an answer not ready by
/// then is left out and the app asks for it itself.
const PATIENCE: Duration = Duration::from_millis(1500);

/// Largest answer written in (a grid of a thousand platforms is fetched by the app instead).
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// One answer as the app would have received it: the path it asks, the status, the body.
type Answer = (String, u16, String);

/// The answers the picker's first view asks for, made by the API's own handlers for this
/// request: the session (or none), the grid of the first kind shown, and for a signed-in
/// owner the connections and the sync.
pub async fn answers(state: &AppState, parts: &mut Parts) -> Vec<Answer> {
    // A session presented but unknown or ended is the same as none here: the app asks again
    // and is told so in its own words.
    let signed_in = <SignedIn as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
        .await
        .ok()
        .flatten();
    let requirements = match &signed_in {
        Some(signed_in) => {
            crate::lender::requirements_of(state, &signed_in.merchant.id).await.unwrap_or_default()
        }
        None => Requirements::default(),
    };
    let first_kind = first_kind(&requirements);
    let grid_path = format!("{}?sourceType={}", paths::INTEGRATIONS, first_kind.as_str());
    let session = answer(
        paths::SESSION,
        flow::signup::current(
            State(state.clone()),
            axum::extract::Query(Default::default()),
            signed_in.clone(),
        ),
    );
    let token_hash = signed_in.as_ref().map(|signed_in| signed_in.token_hash.clone());
    let grid = answer(&grid_path, async move {
        let cards = match state.integrations.grid(state, first_kind).await {
            Ok(cards) => flow::grid_order::for_session(state, token_hash.as_deref(), cards).await,
            Err(error) => Err(error),
        };
        match cards {
            Ok(cards) => axum::Json(cards).into_response(),
            Err(error) => error.into_response(),
        }
    });
    let Some(signed_in) = signed_in else {
        let (session, grid) = tokio::join!(session, grid);
        return [session, grid].into_iter().flatten().collect();
    };
    let connections =
        answer(paths::CONNECTIONS, flow::connections::list(State(state.clone()), signed_in.clone()));
    let sync = answer(paths::SYNC, flow::sync::progress(State(state.clone()), signed_in));
    let (session, grid, connections, sync) = tokio::join!(session, grid, connections, sync);
    [session, grid, connections, sync].into_iter().flatten().collect()
}

/// The kind the picker opens at for an owner with these requirements (the app's own rule:
/// the first kind the lender does not hide).
fn first_kind(requirements: &Requirements) -> SourceType {
    Requirements::KINDS
        .into_iter()
        .find(|kind| requirements.of(*kind) != Requirement::Hidden)
        .unwrap_or(SourceType::Accounting)
}

/// A handler's answer, as the app would read it; `None` when it took longer than
/// [`PATIENCE`] or is too large to carry.
async fn answer<R: IntoResponse>(
    path: &str,
    handler: impl std::future::Future<Output = R>,
) -> Option<Answer> {
    let response = tokio::time::timeout(PATIENCE, handler).await.ok()?.into_response();
    let status = response.status().as_u16();
    let body = to_bytes(response.into_body(), MAX_ANSWER_BYTES).await.ok()?;
    Some((path.to_owned(), status, String::from_utf8(body.to_vec()).ok()?))
}

/// The data element carrying `answers` for `page`, safe inside HTML (no `<` can end it).
pub fn element(page: &str, answers: &[Answer]) -> String {
    let data = serde_json::json!({ "page": page, "answers": answers });
    format!(
        r#"<script type="application/json" id="{ELEMENT_ID}">{}</script>"#,
        data.to_string().replace('<', "\\u003c")
    )
}

/// The page as a body of two parts: `head` at once, `rest` when it resolves, each flushed.
pub fn two_part_body(
    encoding: Encoding,
    head: String,
    rest: impl std::future::Future<Output = String> + Send + 'static,
) -> Body {
    let mut encoder = Encoder::new(encoding);
    let first = encoder.part(head.as_bytes(), false);
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(first) }).chain(
        futures_util::stream::once(async move {
            let rest = rest.await;
            Ok(encoder.part(rest.as_bytes(), true))
        }),
    );
    Body::from_stream(stream)
}

/// A streaming encoder whose output after each part decodes to everything written so far.
enum Encoder {
    Brotli(Box<brotli::CompressorWriter<Vec<u8>>>),
    Gzip(flate2::write::GzEncoder<Vec<u8>>),
    Identity,
}

impl Encoder {
    fn new(encoding: Encoding) -> Self {
        match encoding {
            // Quality 5: about gzip's speed, and a page of a few kilobytes.
            Encoding::Brotli => {
                Self::Brotli(Box::new(brotli::CompressorWriter::new(Vec::new(), 4096, 5, 22)))
            }
            Encoding::Gzip => {
                Self::Gzip(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()))
            }
            Encoding::Identity => Self::Identity,
        }
    }

    /// Encodes `part`, flushed (and the stream ended when `last`); writing to memory cannot fail.
    fn part(&mut self, part: &[u8], last: bool) -> Bytes {
        match self {
            Self::Brotli(writer) => {
                let _ = writer.write_all(part);
                if last {
                    let writer = std::mem::replace(
                        writer,
                        Box::new(brotli::CompressorWriter::new(Vec::new(), 0, 5, 22)),
                    );
                    return Bytes::from(writer.into_inner());
                }
                let _ = writer.flush();
                Bytes::from(std::mem::take(writer.get_mut()))
            }
            Self::Gzip(writer) => {
                let _ = writer.write_all(part);
                if last {
                    let writer = std::mem::replace(
                        writer,
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()),
                    );
                    return Bytes::from(writer.finish().unwrap_or_default());
                }
                let _ = writer.flush();
                Bytes::from(std::mem::take(writer.get_mut()))
            }
            Self::Identity => Bytes::copy_from_slice(part),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    fn decoded(encoding: Encoding, parts: &[Bytes]) -> String {
        let joined: Vec<u8> = parts.iter().flat_map(|p| p.to_vec()).collect();
        let mut text = String::new();
        match encoding {
            Encoding::Brotli => {
                brotli::Decompressor::new(&joined[..], 4096).read_to_string(&mut text).unwrap()
            }
            Encoding::Gzip => flate2::read::GzDecoder::new(&joined[..]).read_to_string(&mut text).unwrap(),
            Encoding::Identity => String::from_utf8(joined).map(|t| text = t).map(|_| 0).unwrap(),
        };
        text
    }

    #[test]
    fn the_first_part_decodes_alone_and_both_decode_to_the_page() {
        for encoding in [Encoding::Brotli, Encoding::Gzip, Encoding::Identity] {
            let mut encoder = Encoder::new(encoding);
            let head =
                encoder.part(b"<!doctype html><head><script type=module></script></head><body>", false);
            let rest = encoder.part(b"<script type=\"application/json\">[]</script></body></html>", true);
            if encoding == Encoding::Brotli {
                // A flushed brotli stream decodes what was written so far.
                let mut partial = Vec::new();
                let mut reader = brotli::Decompressor::new(&head[..], 4096);
                let _ = reader.read_to_end(&mut partial);
                assert!(String::from_utf8_lossy(&partial).ends_with("<body>"), "{encoding:?}");
            }
            if encoding == Encoding::Gzip {
                let mut partial = Vec::new();
                let _ = flate2::read::GzDecoder::new(&head[..]).read_to_end(&mut partial);
                assert!(String::from_utf8_lossy(&partial).ends_with("<body>"), "{encoding:?}");
            }
            let page = decoded(encoding, &[head, rest]);
            assert!(
                page.starts_with("<!doctype html>") && page.ends_with("</body></html>"),
                "{encoding:?}: {page}"
            );
        }
    }

    #[test]
    fn the_data_element_cannot_be_ended_by_an_answer() {
        let answers =
            vec![("/api/session".to_owned(), 200, r#"{"businessName":"</script><script>x"}"#.to_owned())];
        let element = element("/connect", &answers);
        assert_eq!(element.matches("</script>").count(), 1, "{element}");
        assert!(element.ends_with("</script>"));
    }

    #[test]
    fn the_first_kind_is_the_first_the_lender_does_not_hide() {
        let hidden: Requirements =
            serde_json::from_str(r#"{"Accounting": "hidden", "Banking": "required"}"#).unwrap();
        assert_eq!(first_kind(&hidden), SourceType::Banking);
        assert_eq!(first_kind(&Requirements::default()), SourceType::Accounting);
    }
}
