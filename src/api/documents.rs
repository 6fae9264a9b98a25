//! A document sent instead of a platform: the one call that is not a fetch.

use super::{judge, ApiFailure, ApiResult};
use crate::embed;
use codat_connect_api::{paths, SourceType, CSRF_HEADER};

/// Sends one document for `kind` with `XMLHttpRequest` (a fetch cannot report an upload's
/// progress): `progress` hears the share sent, from 0 to 1, and `done` how it ended.
pub fn send_document(
    file: &web_sys::File,
    kind: SourceType,
    progress: impl Fn(f64) + 'static,
    done: impl FnOnce(ApiResult<()>) + 'static,
) {
    use wasm_bindgen::{closure::Closure, JsCast as _};
    let Ok(request) = web_sys::XmlHttpRequest::new() else { return done(Err(ApiFailure::Unreachable)) };
    let name = String::from(js_sys::encode_uri_component(&file.name()));
    let opened = request
        .open("POST", &format!("{}?kind={}", paths::DOCUMENTS, kind.as_str()))
        .and_then(|()| request.set_request_header(CSRF_HEADER, "1"))
        .and_then(|()| request.set_request_header(codat_connect_api::DOCUMENT_NAME_HEADER, &name))
        .and_then(|()| match embed::session_token() {
            Some(token) => request.set_request_header("Authorization", &format!("Bearer {token}")),
            None => Ok(()),
        });
    let on_progress = Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            progress(event.loaded() / event.total());
        }
    });
    if let Ok(upload) = request.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let answered = request.clone();
    // Runs once, on load or on a failed send; the progress closure lives until then.
    let finish = Closure::once_into_js(move || {
        drop(on_progress);
        let status = answered.status().unwrap_or(0);
        let result = match status {
            0 => Err(ApiFailure::Unreachable),
            _ => judge(status, answered.response_text().ok().flatten().unwrap_or_default()).map(|_| ()),
        };
        done(result);
    });
    request.set_onloadend(Some(finish.unchecked_ref()));
    if opened.and_then(|()| request.send_with_opt_blob(Some(file))).is_err() {
        // Not sent at all: it ends now, unreachable.
        request.set_onloadend(None);
        let _ = finish.unchecked_ref::<js_sys::Function>().call0(&wasm_bindgen::JsValue::NULL);
    }
}
