//! `/webhooks`: webhook consumers (list, create, delete).

use super::prelude::*;
use codat::{WebhookConsumer, WebhookConsumers};

/// `GET /webhooks`
pub async fn list(State(emulator): State<Arc<Emulator>>) -> Json<WebhookConsumers> {
    Json(WebhookConsumers { results: emulator.webhooks.consumers() })
}

/// `POST /webhooks`: 201 with the new consumer.
pub async fn create(
    State(emulator): State<Arc<Emulator>>,
    body: Result<Json<WebhookConsumer>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<WebhookConsumer>)> {
    let Json(consumer) = body.map_err(bad_body)?;
    let url_ok = url::Url::parse(&consumer.url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !url_ok {
        return Err(CodatErrorResponse::bad_request("The consumer URL must be an absolute http(s) URL."));
    }
    if consumer
        .company_tags
        .as_ref()
        .is_some_and(|tags| tags.len() > 10 || tags.iter().any(|t| t.len() > 128))
    {
        return Err(CodatErrorResponse::bad_request("At most 10 company tags of at most 128 characters."));
    }
    let created = emulator
        .webhooks
        .add(consumer)
        .ok_or_else(|| CodatErrorResponse::bad_request("A client has at most 50 webhook consumers."))?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `DELETE /webhooks/{webhookId}`: 204.
pub async fn delete(State(emulator): State<Arc<Emulator>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    if emulator.webhooks.remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(CodatErrorResponse::not_found(format!("Webhook consumer {id} not found.")))
    }
}
