//! Codat's Platform API: typed models and an async client.
//!
//! The models follow Codat's published OpenAPI description (`shared/codat/Codat-Platform.yaml`):
//! field names as the spec spells them, unknown fields ignored, unknown enum values kept as
//! `Unknown` rather than failing a whole response, and every field the spec leaves optional
//! optional here too. The client speaks to real Codat or to anything Codat-compatible, such as
//! the `codat-emulator` crate.

mod client;
mod dates;
mod error;
mod files;
mod info;
mod models;
pub mod observe;
mod signature;
mod sync;
mod transport;
mod webhooks;

pub use client::{ApiKey, CodatClient};
pub use dates::parse_date_time;
pub use error::CodatError;
pub use files::{FileToUpload, UploadedFile, FILE_EXTENSIONS, MAX_FILES_PER_UPLOAD, MAX_FILE_BYTES};
pub use info::CompanyInformation;
pub use models::*;
pub use signature::{BadSecret, WebhookSecret};
pub use sync::*;
pub use transport::MAX_CONCURRENT_PER_COMPANY;
pub use webhooks::*;
