//! Documents instead of a platform: where the lender's requirements take them for a kind
//! (`documentsInstead`), an owner without a supported platform uploads files. Each goes to Codat
//! through the merchant's connection to the file upload integration (`DOCUMENTS_PLATFORM`,
//! Codat's Files API), and is then recorded by the one writer with the readiness it brings and
//! `merchant.document_sent` (Codat sends no webhook for an upload).
//!
//! Who may call: the owner's session (cookie or bearer token, with the CSRF header), under the
//! session's rate limit. The body is read here, after those have let the request through (the
//! server reads no other body this large), within `DOCUMENT_READ_TIMEOUT_SECONDS`. A file is
//! checked by its name's extension and its size before Codat sees it; a business sends at most
//! `MAX_DOCUMENTS`. Each upload is noted before Codat sees it, and one left unrecorded is
//! settled by the sweep (`settle_uploads`).

use crate::{
    db::{NewDocument, NewUpload, StoredDocument, UnsettledUpload},
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
use std::{collections::HashMap, time::Duration};

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

/// A document about to be recorded, as the page and the lender see it.
fn shown(document: &NewDocument<'_>) -> SentDocument {
    SentDocument {
        kind: document.kind,
        name: document.name.to_owned(),
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
    let id = format!("doc_{}", uuid::Uuid::new_v4().simple());
    let sent_at = crate::db::unix_now();
    let size = i64::try_from(body.len()).unwrap_or(i64::MAX);
    // Noted before Codat sees it: should this server stop, or Codat's answer be lost, before the
    // document is recorded, the sweep finds it at Codat and records it (`settle_uploads`).
    state
        .db
        .begin_upload(merchant_id, NewUpload { id: &id, kind, name: &name, size, started_at: sent_at })
        .await?;
    let connection_id = match upload_to_codat(state, signed_in, &platform_key, &file).await {
        Ok(connection_id) => connection_id,
        Err(error) => {
            if let AppError::Codat(codat) = &error {
                if codat.status().is_some_and(|status| status.is_client_error()) {
                    // Codat refused it: nothing of it is there to settle.
                    state.db.forget_upload(&id).await?;
                }
            }
            return Err(error);
        }
    };
    let document = NewDocument { id: &id, kind, name: &name, size, connection_id: &connection_id, sent_at };
    let shown = shown(&document);
    crate::facts::document_sent(state, merchant_id, document, shown.clone(), Cause::Page).await?;
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

/// What settling uploads left unrecorded did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UploadsSettled {
    /// Found at Codat and recorded, with the lender's event.
    pub recorded: u64,
    /// Not at Codat, forgotten.
    pub forgotten: u64,
}

/// Settles document uploads begun at least `older_than` ago and never recorded (the server
/// stopped, or Codat's answer was lost, in between). One that reached Codat (its company lists
/// more files of that name than the merchant has documents of it) is recorded through the one
/// writer as if Codat's answer had come; the rest are forgotten. A merchant with an upload begun
/// since is left for a later sweep: its own may be on its way.
pub async fn settle_uploads(state: &AppState, older_than: Duration) -> Result<UploadsSettled, AppError> {
    let older_than = i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX);
    let before = crate::db::unix_now().saturating_sub(older_than) + 1;
    let unsettled = state.db.unsettled_uploads(before).await?;
    let mut settled = UploadsSettled::default();
    for uploads in unsettled.chunk_by(|a, b| a.merchant_id == b.merchant_id) {
        let merchant_id = &uploads[0].merchant_id;
        match settle_merchant_uploads(state, merchant_id, uploads, before).await {
            Ok(merchant) => {
                settled.recorded += merchant.recorded;
                settled.forgotten += merchant.forgotten;
            }
            Err(error) => {
                tracing::warn!(merchant = %merchant_id, %error, "document uploads not settled; the next sweep tries again");
            }
        }
    }
    Ok(settled)
}

async fn settle_merchant_uploads(
    state: &AppState,
    merchant_id: &str,
    uploads: &[UnsettledUpload],
    before: i64,
) -> Result<UploadsSettled, AppError> {
    let company_id = state.db.merchant(merchant_id).await?.and_then(|merchant| merchant.company_id);
    let at_codat = match &company_id {
        Some(company_id) => state.codat.list_files(company_id).await?,
        None => Vec::new(),
    };
    if state.db.uploading_since(merchant_id, before).await? {
        return Ok(UploadsSettled::default());
    }
    // Files of each name at Codat that no recorded document accounts for.
    let mut unclaimed: HashMap<String, i64> = HashMap::new();
    for file in &at_codat {
        *unclaimed.entry(file.file_name.clone().unwrap_or_default()).or_default() += 1;
    }
    for document in state.db.documents(merchant_id).await? {
        *unclaimed.entry(document.name).or_default() -= 1;
    }
    let connections = state.db.merchant_connections(merchant_id).await?;
    let documents_platform = state.settings.documents_platform.as_deref();
    let connection = connections.iter().rev().find(|c| c.platform_key.as_deref() == documents_platform);
    let mut settled = UploadsSettled::default();
    for upload in uploads {
        let left = unclaimed.entry(upload.name.clone()).or_default();
        let Some(connection) = connection.filter(|_| *left > 0) else {
            state.db.forget_upload(&upload.id).await?;
            settled.forgotten += 1;
            continue;
        };
        *left -= 1;
        let document = NewDocument {
            id: &upload.id,
            kind: SourceType::parse(&upload.kind),
            name: &upload.name,
            size: upload.size,
            connection_id: &connection.id,
            sent_at: upload.started_at,
        };
        crate::facts::document_sent(state, merchant_id, document, shown(&document), Cause::Sweep).await?;
        settled.recorded += 1;
    }
    Ok(settled)
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
