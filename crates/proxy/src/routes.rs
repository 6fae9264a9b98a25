//! Every route of the server and the layers around them.

use crate::{flow, lender, live, rate_limit, security, spa, webhooks, AppState};
use axum::{
    extract::DefaultBodyLimit, http::header, http::StatusCode, middleware, routing::get, Json, Router,
};
use codat_connect_api::{paths, ApiError, ErrorCode};
use tower_http::{
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

/// Every route of the server.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route(paths::SIGN_UP, axum::routing::post(flow::signup::sign_up))
        .route(paths::LOG_OUT, axum::routing::post(flow::signup::log_out))
        .route(paths::SESSION, get(flow::signup::current))
        .route(paths::INTEGRATIONS, get(flow::integrations::list))
        .route(paths::CONNECTIONS, get(flow::connections::list).post(flow::connections::create))
        .route("/api/connections/{id}", get(flow::connections::get).delete(flow::connections::delete))
        .route("/api/connections/{id}/unlink", axum::routing::post(flow::connections::unlink))
        .route("/api/connections/{id}/link", axum::routing::post(flow::connections::link))
        .route(paths::CONSENT, get(flow::consent::terms))
        .route(paths::CONSENTS, get(flow::consent::receipts))
        .route(paths::FUNNEL, axum::routing::post(crate::funnel::record))
        .route(paths::CONTINUE_ELSEWHERE, axum::routing::post(flow::link_start::continue_elsewhere))
        .route(paths::HANDOFFS, axum::routing::post(flow::handoff::request))
        .route(paths::DOCUMENTS, get(flow::documents::list).post(flow::documents::upload))
        .route(paths::CALLBACK, axum::routing::post(flow::callback::confirm))
        .route(paths::SYNC, get(flow::sync::progress))
        .route(paths::SYNC_REFRESH, axum::routing::post(flow::sync::refresh))
        .route(paths::EVENTS, get(live::events))
        .route(paths::EVENTS_TICKET, axum::routing::post(live::ticket))
        .route("/api/{*rest}", axum::routing::any(unknown_api))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(security::require_same_site))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit::limit_api))
        .layer(no_store());
    // The lender's API: the admin token in front of every route, and every answer is about
    // merchants.
    let lender_api = Router::new()
        .route("/v1/sessions", axum::routing::post(lender::sessions::create))
        .route("/v1/sessions/{token}", axum::routing::delete(lender::sessions::revoke))
        .route("/v1/merchants", get(lender::status::merchants))
        .route("/v1/merchants/{merchant_id}", get(lender::status::merchant))
        .route("/v1/merchants/{merchant_id}/consents", get(lender::consents::export))
        .route(
            "/v1/merchants/{merchant_id}/handoffs/{handoff_id}",
            axum::routing::delete(lender::handoffs::revoke),
        )
        .route("/v1/webhook-deliveries", get(lender::deliveries::list))
        .route("/v1/analytics/funnel", get(crate::funnel::report))
        .route("/v1/platforms", get(lender::platforms::health))
        .route("/v1/webhook-deliveries/{id}/replay", axum::routing::post(lender::deliveries::replay))
        .route_layer(middleware::from_extractor_with_state::<crate::extract::Admin, _>(state.clone()))
        .layer(no_store());
    let mut router = Router::new()
        .merge(api)
        .merge(lender_api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/start/{code}",
            get(flow::link_start::page)
                .post(flow::link_start::open)
                .layer(middleware::from_fn_with_state(state.clone(), rate_limit::limit_address)),
        )
        .route(
            "/webhooks/codat",
            axum::routing::post(webhooks::receive)
                .layer(middleware::from_fn_with_state(state.clone(), rate_limit::limit_webhooks)),
        )
        .route("/", get(spa::index))
        .route("/index.html", get(spa::index))
        .route("/theme.css", get(spa::theme))
        .route("/branding/{platform_key}/{slot}", get(flow::branding::serve))
        .method_not_allowed_fallback(method_not_allowed);
    if let Some(emulator) = &state.emulator {
        router = router.nest_service("/emulator", codat_emulator::router(emulator.clone()));
    }
    // Any other path: one of the app's files (the brotli or gzip copy `cargo xtask` wrote beside
    // it when the browser accepts one), else the app, whose status `spa::index` sets.
    let assets = axum::handler::Handler::with_state(spa::file_or_index, state.clone());
    let assets = tower::Layer::layer(&middleware::from_fn(spa::asset_caching), assets);
    let router = router.fallback_service(assets);
    router
        .layer(CompressionLayer::new().compress_when(compressible()))
        .layer(DefaultBodyLimit::max(crate::serve::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), crate::serve::read_body_in_time))
        .layer(middleware::from_fn_with_state(state.clone(), security::security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), crate::metrics::track_http))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            let path = logged_path(request.uri().path());
            tracing::info_span!("request", method = %request.method(), path = %path, request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// `Cache-Control: no-store` on every answer (personal data: no shared cache may keep it).
fn no_store() -> SetResponseHeaderLayer<axum::http::HeaderValue> {
    SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    )
}

/// What is compressed on the fly (JSON, SVG and HTML answers; the app's files come compressed
/// already): not what is small, images other than SVG, or event streams, which must flow.
fn compressible() -> impl tower_http::compression::Predicate {
    use tower_http::compression::predicate::{NotForContentType, Predicate as _, SizeAbove};
    SizeAbove::new(1024)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::GRPC)
}

/// The path as logged: a session token or a link's code named in the path is not.
fn logged_path(path: &str) -> &str {
    if path.starts_with("/v1/sessions/") {
        "/v1/sessions/{token}"
    } else if path.starts_with("/start/") {
        "/start/{code}"
    } else {
        path
    }
}

/// Ready when storage answers (a load balancer sends no traffic before) and no stop has been
/// asked for (it sends none after); the details carry the
/// latest check of the set-up with Codat, which does not change readiness.
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, Json<serde_json::Value>) {
    let checks = state.check_report();
    if state.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "stopping", "checks": checks})),
        );
    }
    if state.db.is_ready().await {
        (StatusCode::OK, Json(serde_json::json!({"status": "ready", "checks": checks})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "database unavailable", "checks": checks})),
        )
    }
}

async fn method_not_allowed() -> (StatusCode, Json<ApiError>) {
    let message = "This endpoint does not take that method.".into();
    (StatusCode::METHOD_NOT_ALLOWED, Json(ApiError { code: ErrorCode::MethodNotAllowed, message }))
}

async fn unknown_api() -> (StatusCode, Json<ApiError>) {
    (
        StatusCode::NOT_FOUND,
        Json(ApiError { code: ErrorCode::NotFound, message: "There is no such API endpoint.".into() }),
    )
}
