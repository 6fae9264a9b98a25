//! What the app's wire types need from a request: a `?sourceType=` query value. (Codat's models
//! become wire types through `From`, in `codat_connect_api`'s `codat` feature.)

use codat_connect_api::SourceType;

/// A `?sourceType=` query value (Accounting when absent): one of the picker's three kinds.
pub fn source_type_param(text: Option<&str>) -> Result<SourceType, crate::error::AppError> {
    let text = text.unwrap_or("Accounting");
    match SourceType::parse(text) {
        SourceType::Other => Err(crate::error::AppError::BadRequest(format!(
            "Unknown source type '{text}': use Accounting, Banking or Commerce."
        ))),
        kind => Ok(kind),
    }
}
