//! Documents instead of a platform: where the lender's requirements take them for a kind
//! (`documentsInstead`), an owner without a supported platform uploads files. Each goes to Codat
//! through the merchant's connection to the file upload integration (`DOCUMENTS_PLATFORM`,
//! Codat's Files API), and is then recorded by the one writer with the readiness it brings and
//! `merchant.document_sent` (Codat sends no webhook for an upload).
//!
//! Who may call: the owner's session (cookie or bearer token, with the CSRF header), under the
//! session's rate limit. The body is read here, after those have let the request through (the
//! server reads no other body this large), within `DOCUMENT_READ_TIMEOUT_SECONDS`. A file is checked by its name's extension and its size before
//! Codat sees it; a business sends at most `MAX_DOCUMENTS`.

use crate::{
    db::{NewDocument, StoredDocument},
    error::AppError,
    extract::SignedIn,
    facts::Cause,
    AppState,
};
use axum::{
    body::{Body, Bytes},
    extract::{Query, State},
    http::{header, HeaderMap},
    Json,
};
use codat::FileToUpload;
use codat_connect_api::{
    document_problem, DocumentProblem, ErrorCode, SentDocument, SourceType, DOCUMENT_NAME_HEADER,
    MAX_DOCUMENTS,
};
use serde::Deserialize;

/// Longest document name kept.
const MAX_NAME: usize = 200;

/// The query of an upload.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// The kind of platform the document stands in for.
    kind: String,
}

/// A stored document as the page and the lender see it.
pub fn sent(document: StoredDocument) -> SentDocument {
    SentDocument {
        kind: document.kind(),
        name: document.name,
        size: u64::try_from(document.size).unwrap_or_default(),
        sent_at: crate::db::rfc3339(document.sent_at),
    }
}

/// `GET /api/documents`: what the business sent, oldest first.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Json<Vec<SentDocument>>, AppError> {
    let documents = state.db.documents(&signed_in.merchant.id).await?;
    Ok(Json(documents.into_iter().map(sent).collect()))
}

/// `POST /api/documents?kind=Accounting`: the document's bytes as the body, its name
/// (percent-encoded) in `x-document-name`, its media type in `Content-Type`.
pub async fn upload(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> axum::response::Result<Json<SentDocument>> {
    let limit = codat_connect_api::MAX_DOCUMENT_BYTES as usize;
    let body = crate::serve::read_within(&headers, body, limit, state.settings.document_read_timeout).await?;
    Ok(send(&state, &signed_in, &query, &headers, body).await?)
}

/// Sends the document read by `upload` to Codat and records it.
async fn send(
    state: &AppState,
    signed_in: &SignedIn,
    query: &UploadQuery,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Json<SentDocument>, AppError> {
    let merchant_id = &signed_in.merchant.id;
    let kind = SourceType::parse(&query.kind);
    let requirements = crate::lender::requirements_of(state, merchant_id).await?;
    let platform_key =
        state.settings.documents_platform.clone().filter(|_| requirements.takes_documents(kind));
    let Some(platform_key) = platform_key else {
        return Err(invalid(ErrorCode::DocumentsNotAllowed, "Documents are not taken instead of this kind."));
    };
    let name = document_name(headers)?;
    if let Some(problem) = document_problem(&name, body.len() as u64) {
        return Err(invalid(ErrorCode::DocumentRefused, refusal(problem)));
    }
    if state.db.documents(merchant_id).await?.len() >= MAX_DOCUMENTS {
        return Err(invalid(ErrorCode::DocumentRefused, "A business sends at most 50 documents."));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 100 && v.contains('/'))
        .unwrap_or("application/octet-stream")
        .to_owned();
    let file = FileToUpload { file_name: name.clone(), content_type, content: body.clone() };
    let connection_id = upload_to_codat(state, signed_in, &platform_key, &file).await?;
    let id = format!("doc_{}", uuid::Uuid::new_v4().simple());
    let sent_at = crate::db::unix_now();
    let size = i64::try_from(body.len()).unwrap_or(i64::MAX);
    let document = NewDocument { id: &id, kind, name: &name, size, connection_id: &connection_id, sent_at };
    let shown = SentDocument {
        name: name.clone(),
        kind,
        size: body.len() as u64,
        sent_at: crate::db::rfc3339(sent_at),
    };
    crate::facts::document_sent(state, merchant_id, document, shown.clone()).await?;
    Ok(Json(shown))
}

/// Uploads `file` through the merchant's file upload connection, made first if it has none
/// (or Codat no longer has it); the connection's id.
async fn upload_to_codat(
    state: &AppState,
    signed_in: &SignedIn,
    platform_key: &str,
    file: &FileToUpload,
) -> Result<String, AppError> {
    let company_id = &signed_in.company_id;
    let stored = state.db.merchant_connections(&signed_in.merchant.id).await?;
    let known = stored.iter().rev().find(|c| c.platform_key.as_deref() == Some(platform_key));
    if let Some(known) = known {
        match state.codat.upload_files(company_id, &known.id, std::slice::from_ref(file)).await {
            Ok(()) => return Ok(known.id.clone()),
            Err(error) if error.status() == Some(reqwest::StatusCode::NOT_FOUND) => {}
            Err(error) => return Err(error.into()),
        }
    }
    let connection = state.codat.create_connection(company_id, platform_key).await?;
    crate::facts::connections_seen(
        state,
        &signed_in.merchant.id,
        std::slice::from_ref(&connection),
        Cause::Page,
    )
    .await?;
    state.codat.upload_files(company_id, &connection.id, std::slice::from_ref(file)).await?;
    Ok(connection.id)
}

/// The document's name from its header: percent-decoded, any folder dropped, spaces tidied.
fn document_name(headers: &HeaderMap) -> Result<String, AppError> {
    let raw = headers.get(DOCUMENT_NAME_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    let base = decoded.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String =
        base.split_whitespace().collect::<Vec<_>>().join(" ").chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(AppError::BadRequest(format!(
            "{DOCUMENT_NAME_HEADER} names the document in 1 to {MAX_NAME} characters."
        )));
    }
    Ok(name)
}

fn refusal(problem: DocumentProblem) -> &'static str {
    match problem {
        DocumentProblem::Type => {
            "Only PDF, XLS, XLSX, XLSB, CSV, DOC, DOCX, PPT, PPTX, JPEG, JPG and PNG files are taken."
        }
        DocumentProblem::Empty => "The document is empty.",
        DocumentProblem::Size => "A document is at most 10 MB.",
    }
}

fn invalid(code: ErrorCode, message: &str) -> AppError {
    AppError::Invalid { code, message: message.to_owned() }
}

#[cfg(test)]
mod tests {
    /// The page's checks (the api crate builds for wasm, without the Codat client) are Codat's.
    #[test]
    fn the_pages_document_limits_are_codats() {
        assert_eq!(codat_connect_api::DOCUMENT_EXTENSIONS, codat::FILE_EXTENSIONS);
        assert_eq!(codat_connect_api::MAX_DOCUMENT_BYTES, codat::MAX_FILE_BYTES as u64);
    }
}
