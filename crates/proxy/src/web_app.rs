//! The built web app: carried inside the binary (the release `dist/`, with the brotli and gzip
//! copies `cargo xtask` writes beside each file), or read from a directory (`DIST_DIR`, for
//! development). Either way a file is answered with its type, the copy the browser accepts,
//! and an `ETag`; cache rules are `spa::asset_caching`'s.

use axum::{
    body::Body,
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use rust_embed::RustEmbed;
use std::{borrow::Cow, path::PathBuf};

/// trunk's output, embedded when the server is built in release mode (read from the source
/// tree's `dist/` at run time in debug builds, as rust-embed does). Empty when the app was not
/// built before the server.
#[derive(RustEmbed)]
#[folder = "../../dist"]
#[allow_missing = true]
struct Embedded;

/// Where the app's files come from.
#[derive(Debug, Clone)]
pub enum WebApp {
    /// Inside the binary.
    Embedded,
    /// A directory holding trunk's output.
    Directory(PathBuf),
}

impl WebApp {
    /// `DIST_DIR` when set, else the embedded app.
    pub fn from_setting(dist_dir: Option<&PathBuf>) -> Self {
        match dist_dir {
            Some(dir) => Self::Directory(dir.clone()),
            None => Self::Embedded,
        }
    }

    /// Where it is, for the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Self::Embedded => "embedded".into(),
            Self::Directory(dir) => dir.display().to_string(),
        }
    }

    /// The app's `index.html`, if it was built.
    pub fn index_html(&self) -> Option<String> {
        let bytes = match self {
            Self::Embedded => Embedded::get("index.html")?.data.into_owned(),
            Self::Directory(dir) => std::fs::read(dir.join("index.html")).ok()?,
        };
        String::from_utf8(bytes).ok()
    }

    /// One of the app's files, by its path in the URL (`None` when there is no such file).
    pub async fn file(&self, request: &Parts) -> Option<Response> {
        if !matches!(request.method, Method::GET | Method::HEAD) {
            return None;
        }
        let name = file_name(request.uri.path())?;
        if !self.exists(&name).await {
            return None;
        }
        // A compressed copy is chosen only beside the plain file.
        let mut chosen = None;
        for encoding in accepted_encodings(&request.headers).into_iter().chain([Encoding::Identity]) {
            if let Some(found) = self.read(&format!("{name}{}", encoding.suffix())).await {
                chosen = Some((found, encoding));
                break;
            }
        }
        let ((bytes, hash), encoding) = chosen?;
        let etag = format!("\"{}{}\"", hex(&hash[..16]), encoding.suffix());
        let mut response = if request
            .headers
            .get(header::IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"))
        {
            StatusCode::NOT_MODIFIED.into_response()
        } else if request.method == Method::HEAD {
            let mut head = StatusCode::OK.into_response();
            head.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            head
        } else {
            Response::new(Body::from(bytes))
        };
        let headers = response.headers_mut();
        let mime = mime_guess::from_path(&name).first_or_octet_stream();
        if let Ok(value) = HeaderValue::from_str(mime.as_ref()) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        if let Some(coding) = encoding.header() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, value);
        }
        Some(response)
    }

    async fn exists(&self, name: &str) -> bool {
        match self {
            Self::Embedded => Embedded::get(name).is_some(),
            Self::Directory(dir) => tokio::fs::metadata(dir.join(name)).await.is_ok_and(|m| m.is_file()),
        }
    }

    /// A file's bytes and their SHA-256 (computed at build time for the embedded app).
    async fn read(&self, name: &str) -> Option<(Cow<'static, [u8]>, [u8; 32])> {
        match self {
            Self::Embedded => Embedded::get(name).map(|file| (file.data, file.metadata.sha256_hash())),
            Self::Directory(dir) => {
                let bytes = tokio::fs::read(dir.join(name)).await.ok()?;
                let hash = <sha2::Sha256 as sha2::Digest>::digest(&bytes);
                Some((Cow::Owned(bytes), hash.into()))
            }
        }
    }
}

/// A URL path as a file name inside the app: no empty, `.` or `..` segment, no backslash, and
/// never a compressed copy asked for by name.
fn file_name(path: &str) -> Option<String> {
    let name = path.strip_prefix('/')?;
    let safe = !name.is_empty()
        && name.split('/').all(|segment| !segment.is_empty() && segment != "." && segment != "..")
        && !name.contains('\\')
        && !name.ends_with(".br")
        && !name.ends_with(".gz");
    safe.then(|| name.to_owned())
}

/// A content coding the server sends: the app's files have a copy in each, and the picker's
/// page (`crate::first_view`) is compressed in it as it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Brotli.
    Brotli,
    /// Gzip.
    Gzip,
    /// As is.
    Identity,
}

impl Encoding {
    /// The best coding the request accepts: brotli, else gzip, else as is.
    pub(crate) fn best_accepted(headers: &HeaderMap) -> Self {
        accepted_encodings(headers).first().copied().unwrap_or(Self::Identity)
    }

    fn suffix(self) -> &'static str {
        match self {
            Self::Brotli => ".br",
            Self::Gzip => ".gz",
            Self::Identity => "",
        }
    }

    /// The `Content-Encoding` to send, if any.
    pub(crate) fn header(self) -> Option<&'static str> {
        match self {
            Self::Brotli => Some("br"),
            Self::Gzip => Some("gzip"),
            Self::Identity => None,
        }
    }
}

/// The compressed codings the browser accepts (not with `q=0`), brotli first.
fn accepted_encodings(headers: &HeaderMap) -> Vec<Encoding> {
    let mut accepted = Vec::new();
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            let encoding = match coding.as_str() {
                "br" => Encoding::Brotli,
                "gzip" => Encoding::Gzip,
                _ => continue,
            };
            if !refused && !accepted.contains(&encoding) {
                accepted.push(encoding);
            }
        }
    }
    accepted.sort_by_key(|encoding| *encoding != Encoding::Brotli);
    accepted
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_inside_the_app_are_files() {
        assert_eq!(file_name("/app-1f.css").as_deref(), Some("app-1f.css"));
        assert_eq!(file_name("/assets/embed.js").as_deref(), Some("assets/embed.js"));
        for path in ["/", "/../Cargo.toml", "/assets/../x", "//etc/passwd", "/a\\b", "/app.js.br", "/x.gz"] {
            assert_eq!(file_name(path), None, "{path}");
        }
    }

    #[test]
    fn brotli_is_preferred_and_a_refused_coding_is_not_sent() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br;q=0.5"));
        assert_eq!(accepted_encodings(&headers), [Encoding::Brotli, Encoding::Gzip]);
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br;q=0, gzip"));
        assert_eq!(accepted_encodings(&headers), [Encoding::Gzip]);
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        assert!(accepted_encodings(&headers).is_empty());
    }

    #[test]
    fn the_best_accepted_encoding_prefers_brotli_and_honours_refusals() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            Encoding::best_accepted(&headers)
        };
        assert_eq!(with("gzip, deflate, br, zstd"), Encoding::Brotli);
        assert_eq!(with("gzip, br;q=0"), Encoding::Gzip);
        assert_eq!(with("identity"), Encoding::Identity);
        assert_eq!(Encoding::best_accepted(&HeaderMap::new()), Encoding::Identity);
    }
}
