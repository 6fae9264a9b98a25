//! Checking the emulator's answers against one of Codat's published OpenAPI descriptions: the
//! status must be one the spec declares for the operation, and a JSON body must validate
//! (with a JSON Schema validator) against the schema the spec gives for it.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

/// The emulator's API key, `key`, as a Basic `Authorization` value.
pub const BASIC: &str = "Basic a2V5";

/// One of Codat's specs, parsed.
#[derive(Clone, Copy)]
pub struct Spec(pub &'static Value);

/// An answer: its status and body (JSON, or `Null` when empty or not JSON).
pub struct Call {
    pub status: StatusCode,
    pub body: Value,
}

/// Escapes one JSON Pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl Spec {
    /// The JSON Pointer a local `$ref` names, checked to lead somewhere.
    fn resolve(self, value: &Value) -> Option<String> {
        let reference = value.get("$ref").and_then(Value::as_str)?;
        let pointer = reference.trim_start_matches('#').to_owned();
        assert!(self.0.pointer(&pointer).is_some(), "dangling $ref {reference}");
        Some(pointer)
    }

    /// Validates `instance` against the schema at `pointer`, with the whole spec as the root so
    /// every `$ref` inside resolves.
    pub fn validate(self, pointer: &str, instance: &Value, what: &str) {
        let mut root = self.0.clone();
        // A `$ref` is a URI: braces in path templates must be percent-encoded in its fragment.
        root["$ref"] = Value::String(format!("#{}", pointer.replace('{', "%7B").replace('}', "%7D")));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap_or_else(|e| panic!("{what}: the schema at {pointer} does not compile: {e}"));
        let errors: Vec<String> =
            validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(
            errors.is_empty(),
            "{what} breaks the spec's schema {pointer}:\n{}\n{instance:#}",
            errors.join("\n")
        );
    }

    /// The pointer of the JSON schema the spec gives for one operation's answer.
    pub fn response_schema(self, path: &str, method: &str, status: StatusCode) -> String {
        let responses = format!("/paths/{}/{method}/responses", escape(path));
        let code = status.as_u16().to_string();
        let response_pointer = format!("{responses}/{code}");
        let response = self
            .0
            .pointer(&response_pointer)
            .unwrap_or_else(|| panic!("the spec declares no {code} for {method} {path}"));
        let base = self.resolve(response).unwrap_or(response_pointer);
        format!("{base}/content/application~1json/schema")
    }

    /// Sends a JSON request (or none) with the API key and checks the answer.
    pub async fn call(
        self,
        app: &Router,
        method: &str,
        path: &str,
        body: Option<Value>,
        template: &str,
    ) -> Call {
        let mut request = Request::builder().method(method).uri(path);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request.body(body.map(|b| Body::from(b.to_string())).unwrap_or_default()).unwrap();
        self.send(app, request, template).await.0
    }

    /// Sends `request` with the API key and checks the answer against the operation at
    /// `template`: its status declared, its JSON body valid. The raw body comes back too.
    pub async fn send(self, app: &Router, mut request: Request<Body>, template: &str) -> (Call, Vec<u8>) {
        let method = request.method().as_str().to_lowercase();
        let path = request.uri().to_string();
        request.headers_mut().insert(header::AUTHORIZATION, BASIC.parse().unwrap());
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        let declared =
            self.0.pointer(&format!("/paths/{}/{method}/responses/{}", escape(template), status.as_u16()));
        assert!(declared.is_some(), "{method} {path} answered {status}, which the spec does not declare");
        let body: Value =
            if json && !bytes.is_empty() { serde_json::from_slice(&bytes).unwrap() } else { Value::Null };
        if json && !bytes.is_empty() {
            let what = format!("{method} {path} ({status})");
            self.validate(&self.response_schema(template, &method, status), &body, &what);
        }
        (Call { status, body }, bytes)
    }
}
