//! Codat's Files API (`Codat-Files.json`, the Lending API's "File upload" operations): a
//! company's files uploaded through a connection to a file upload integration, listed, and
//! downloaded as one archive.
//!
//! As strict as Codat's docs: 1 to 20 files a request in the `file` field, each a PDF, XLS,
//! XLSX, XLSB, CSV, DOC, DOCX, PPT, PPTX, JPEG, JPG or PNG (by its name's extension) of at most
//! 10 MB and not empty; only to a connection of a file upload integration. Uploads send no
//! webhook and leave the connection's status as it was (Codat documents neither).

use super::{connection_not_found, prelude::*};
use crate::{state::UploadedFile, zip};
use axum::extract::{multipart::MultipartRejection, Multipart};
// Codat's limits, as the client crate states them.
use codat::{FILE_EXTENSIONS as EXTENSIONS, MAX_FILES_PER_UPLOAD as MAX_FILES, MAX_FILE_BYTES};

/// The largest request body: every file at its largest, and the form's own bytes.
pub const MAX_BODY_BYTES: usize = MAX_FILES * MAX_FILE_BYTES + 64 * 1024;

/// `POST /companies/{companyId}/connections/{connectionId}/files`: 200 with no body.
pub async fn upload(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, connection_id)): Path<(String, String)>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<StatusCode> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let connection = emulator
        .store
        .connection(&company_id, &connection_id)
        .ok_or_else(|| connection_not_found(&connection_id))?;
    let platform = emulator.catalog.of_connection(&connection);
    if !platform.as_ref().is_some_and(|p| p.file_upload) {
        return Err(CodatErrorResponse::bad_request(format!(
            "Data connection {connection_id} is not to a file upload integration."
        )));
    }
    let mut form = form.map_err(|rejection| CodatErrorResponse::bad_request(rejection.body_text()))?;
    let mut files = Vec::new();
    while let Some(field) =
        form.next_field().await.map_err(|e| CodatErrorResponse::bad_request(e.body_text()))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let content = field.bytes().await.map_err(|e| CodatErrorResponse::bad_request(e.body_text()))?;
        check_file(&file_name, content.len())?;
        files.push(UploadedFile {
            file_name,
            source_type: connection.source_type,
            uploaded: crate::state::now(),
            content: content.to_vec(),
        });
        if files.len() > MAX_FILES {
            return Err(CodatErrorResponse::bad_request(format!(
                "Up to {MAX_FILES} files can be uploaded at a time."
            )));
        }
    }
    if files.is_empty() {
        return Err(CodatErrorResponse::bad_request("No file was sent in the 'file' field."));
    }
    emulator.store.insert_files(&company_id, files);
    Ok(StatusCode::OK)
}

/// Refuses a file Codat would not take, saying why.
fn check_file(file_name: &str, size: usize) -> ApiResult<()> {
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    if !extension.is_some_and(|ext| EXTENSIONS.contains(&ext.as_str())) {
        return Err(CodatErrorResponse::bad_request(format!(
            "File '{file_name}' is not of a type that can be uploaded (PDF, XLS, XLSX, XLSB, CSV, DOC, \
             DOCX, PPT, PPTX, JPEG, JPG or PNG)."
        )));
    }
    if size == 0 {
        return Err(CodatErrorResponse::bad_request(format!("File '{file_name}' is empty.")));
    }
    if size > MAX_FILE_BYTES {
        return Err(CodatErrorResponse::bad_request(format!("File '{file_name}' is larger than 10MB.")));
    }
    Ok(())
}

/// One file as Codat lists it (the spec's `File`: no other properties).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ListedFile {
    file_name: String,
    /// Nullable in the spec's OpenAPI 3.0 wording, which its 3.1 schema does not allow: left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    source_type: String,
    uploaded: String,
}

/// `GET /companies/{companyId}/files`: every file, oldest first (no paging, as in the spec).
pub async fn list(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
) -> ApiResult<Response> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let files: Vec<ListedFile> = emulator
        .store
        .files(&company_id)
        .into_iter()
        .map(|file| ListedFile {
            file_name: file.file_name,
            display_name: None,
            source_type: file.source_type.as_str().to_owned(),
            uploaded: file.uploaded,
        })
        .collect();
    Ok(Json(files).into_response())
}

/// The query of a download.
#[derive(Debug, serde::Deserialize)]
pub struct DownloadQuery {
    /// Only files uploaded on this day (a date, or a date-time whose day counts).
    date: Option<String>,
}

/// `GET /companies/{companyId}/files/download[?date=]`: the files as one ZIP archive; 404 when
/// there are none (on that day).
pub async fn download(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> ApiResult<Response> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let day =
        match query.date.as_deref() {
            Some(date) => Some(day_of(date).ok_or_else(|| {
                CodatErrorResponse::bad_request(format!("'{date}' is not a date (ISO 8601)."))
            })?),
            None => None,
        };
    let files: Vec<UploadedFile> = emulator
        .store
        .files(&company_id)
        .into_iter()
        .filter(|file| day.as_deref().is_none_or(|day| file.uploaded.starts_with(day)))
        .collect();
    if files.is_empty() {
        return Err(CodatErrorResponse::not_found(format!("No files found for company {company_id}.")));
    }
    let entries: Vec<(&str, &[u8])> =
        files.iter().map(|file| (file.file_name.as_str(), file.content.as_slice())).collect();
    let archive = zip::stored(&entries);
    Ok(([(axum::http::header::CONTENT_TYPE, "application/octet-stream")], archive).into_response())
}

/// `2022-10-23` of `2022-10-23` or `2022-10-23T00:00:00Z`; `None` for anything else.
fn day_of(date: &str) -> Option<String> {
    let day = date.get(..10)?;
    time::Date::parse(day, &time::format_description::well_known::Iso8601::DATE).ok()?;
    let rest = &date[10..];
    (rest.is_empty() || rest.starts_with('T')).then(|| day.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_codat_would_refuse_are_refused() {
        assert!(check_file("statement.PDF", 10).is_ok());
        assert!(check_file("ledger.xlsx", MAX_FILE_BYTES).is_ok());
        assert!(check_file("tool.exe", 10).is_err());
        assert!(check_file("no-extension", 10).is_err());
        assert!(check_file("empty.pdf", 0).is_err());
        assert!(check_file("huge.pdf", MAX_FILE_BYTES + 1).is_err());
    }

    #[test]
    fn a_download_day_is_a_date_or_a_date_time() {
        assert_eq!(day_of("2022-10-23").as_deref(), Some("2022-10-23"));
        assert_eq!(day_of("2022-10-23T00:00:00Z").as_deref(), Some("2022-10-23"));
        assert_eq!(day_of("2022-13-40"), None);
        assert_eq!(day_of("yesterday"), None);
    }
}
