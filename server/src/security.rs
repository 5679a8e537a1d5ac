//! Headers that protect every response, and CORS for the HTTP API.
//!
//! Every response says: do not guess content types, send no referrer, and do
//! not let another site frame this one. The static app adds its own strict
//! Content-Security-Policy (see `static_files`); everything else (JSON,
//! errors) gets a policy that allows nothing at all. HSTS belongs to the TLS
//! proxy in front (see the README), since this server speaks plain HTTP.

use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// `router` with the headers every response carries (an inner layer's own
/// value, like the app's policy, wins).
pub fn with_headers(router: Router) -> Router {
    let header =
        |name: HeaderName, value| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    router
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"))
}

/// CORS for the HTTP API, from the same `--allowed-origins` list the socket
/// uses, so the app served from another origin can sign in and read history.
/// Origins were checked at start-up (`Config::check`). A 429's `Retry-After`
/// is exposed, which a page on another origin could not read otherwise: the
/// app says when to try again from it.
pub fn cors(allowed_origins: &[String]) -> CorsLayer {
    let origins = allowed_origins.iter().filter_map(|origin| HeaderValue::from_str(origin).ok());
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}
