//! Codat's Files API (`spec/Codat-Files.json`, the Lending API's "File upload" operations): a
//! company's files, uploaded through a connection to a file upload integration.

use crate::{
    client::{segment, CodatClient},
    error::api_error,
    CodatError,
};
use bytes::Bytes;
use reqwest::Method;
use serde::{Deserialize, Serialize};

/// Files one upload may carry (Codat's limit).
pub const MAX_FILES_PER_UPLOAD: usize = 20;
/// The largest file Codat takes: 10 MB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The extensions Codat takes, lower case.
pub const FILE_EXTENSIONS: [&str; 12] =
    ["pdf", "xls", "xlsx", "xlsb", "csv", "doc", "docx", "ppt", "pptx", "jpeg", "jpg", "png"];

/// One file to upload.
#[derive(Debug, Clone)]
pub struct FileToUpload {
    /// Its name, with the extension Codat judges its type by.
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// Its bytes.
    pub content: Bytes,
}

/// A file as Codat lists it (`File`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadedFile {
    /// The file's name.
    #[serde(default)]
    pub file_name: Option<String>,
    /// An optional display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The source of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// When it was uploaded (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded: Option<String>,
}

impl CodatClient {
    /// `POST /companies/{companyId}/connections/{connectionId}/files`: uploads `files` (at most
    /// [`MAX_FILES_PER_UPLOAD`]) in one `multipart/form-data` request. Not retried: a repeat
    /// would store the files twice.
    pub async fn upload_files(
        &self,
        company_id: &str,
        connection_id: &str,
        files: &[FileToUpload],
    ) -> Result<(), CodatError> {
        let path = format!("/companies/{}/connections/{}/files", segment(company_id), segment(connection_id));
        let (status, bytes) = self.exchange_files(Method::POST, path, files).await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(api_error(status, &bytes))
        }
    }

    /// `GET /companies/{companyId}/files`: every file the company uploaded.
    pub async fn list_files(&self, company_id: &str) -> Result<Vec<UploadedFile>, CodatError> {
        let path = format!("/companies/{}/files", segment(company_id));
        self.send(Method::GET, path, None::<&()>).await
    }
}

/// The `multipart/form-data` body of an upload: each file in the `file` field.
pub(crate) fn form(files: &[FileToUpload]) -> reqwest::multipart::Form {
    files.iter().fold(reqwest::multipart::Form::new(), |form, file| {
        let part = reqwest::multipart::Part::stream(file.content.clone()).file_name(file.file_name.clone());
        let part = part.mime_str(&file.content_type).unwrap_or_else(|_| {
            reqwest::multipart::Part::stream(file.content.clone()).file_name(file.file_name.clone())
        });
        form.part("file", part)
    })
}
