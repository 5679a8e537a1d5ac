//! Serves the built web app (Trunk's `dist/`) with a strict Content-Security-Policy,
//! cache headers fit for hashed file names, and an SPA fallback to `index.html`.
//! Files compressed at build time (`x.wasm.br`, `x.wasm.gz`, written by `cargo
//! xtask build`) are served as they are, with the original's type: nothing is
//! compressed per request, and the wasm arrives as `application/wasm`, which the
//! browser compiles while it downloads. The policy follows `index.html` as it
//! is on disk, so a new build of the app needs no restart. (The headers every
//! response carries are added in `security`.)

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{Html, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};

/// Routes for the static app. When `dist` is missing (the app was never built) `/`
/// explains how to build it instead of answering a bare 404.
pub fn router(dist: &Path) -> Router {
    let index = dist.join("index.html");
    let Ok(index_html) = std::fs::read_to_string(&index) else {
        tracing::warn!(dist = %dist.display(), "no built web app; serving the API only");
        return Router::new().route("/", get(|| async { Html(NOT_BUILT) }));
    };
    let policy = Arc::new(PagePolicy::new(index.clone(), &index_html));
    let index = ServeFile::new(index).precompressed_br().precompressed_gzip();
    let files = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(index);
    Router::new().fallback_service(files).layer(middleware::from_fn(move |request: Request, next: Next| {
        let policy = policy.clone();
        async move {
            let cache = cache_control(request.uri().path());
            let csp = policy.now().await;
            let mut response: Response = next.run(request).await;
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            response
        }
    }))
}

const NOT_BUILT: &str = "<!doctype html><title>Hanmadi</title><p>The web app has not been built. \
Run <code>cargo xtask serve</code>, or <code>trunk build</code> and restart the server.";

/// Trunk names every asset with a content hash (`hanmadi-3f2a…_bg.wasm`, 10 to 16
/// hex digits: it prints a 64-bit hash without leading zeros), so those
/// can be cached forever; `index.html` and SPA routes must always be revalidated
/// so that a deploy reaches users on their next load.
fn cache_control(path: &str) -> &'static str {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let hashed = stem.rsplit(['-', '_']).any(|part| part.len() >= 10 && part.bytes().all(|b| b.is_ascii_hexdigit()));
    if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// The policy for `index.html` as it is now. A new build written while the
/// server runs has a new loader, whose hash the old policy would not name: the
/// browser would block it and show a blank page. So the file's modification
/// time and length are looked at on each request, and the policy made again
/// when either moved (the length too: a file system's coarse clock may give
/// a page rewritten in place the time it had half written).
struct PagePolicy {
    index: PathBuf,
    /// The policy, and the version of the page it was made from.
    made: Mutex<(Option<(SystemTime, u64)>, HeaderValue)>,
}

impl PagePolicy {
    fn new(index: PathBuf, html: &str) -> Self {
        let version = std::fs::metadata(&index).ok().and_then(|metadata| version(&metadata));
        PagePolicy { index, made: Mutex::new((version, policy_header(html))) }
    }

    async fn now(&self) -> HeaderValue {
        let on_disk = tokio::fs::metadata(&self.index).await.ok().and_then(|metadata| version(&metadata));
        {
            let made = self.made.lock().expect("never poisoned: nothing panics while holding it");
            if made.0 == on_disk {
                return made.1.clone();
            }
        }
        match tokio::fs::read_to_string(&self.index).await {
            Ok(html) => {
                let policy = policy_header(&html);
                *self.made.lock().expect("never poisoned") = (on_disk, policy.clone());
                policy
            }
            // Between a build's removing the page and writing it again: the
            // last policy until it is there.
            Err(_) => self.made.lock().expect("never poisoned").1.clone(),
        }
    }
}

fn version(metadata: &std::fs::Metadata) -> Option<(SystemTime, u64)> {
    Some((metadata.modified().ok()?, metadata.len()))
}

fn policy_header(index_html: &str) -> HeaderValue {
    HeaderValue::from_str(&content_security_policy(index_html)).expect("the policy is plain ASCII")
}

/// A policy that allows only our own scripts, styles and socket. Trunk's loader is
/// an inline `<script type="module">`; rather than allowing every inline script,
/// the policy names the exact hash of each one found in `index.html`.
fn content_security_policy(index_html: &str) -> String {
    let script_hashes: String =
        inline_scripts(index_html).map(|script| format!(" 'sha256-{}'", sha256_base64(script))).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{script_hashes}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

fn sha256_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets_are_immutable_and_pages_revalidate() {
        assert_eq!(cache_control("/hanmadi-1a2b3c4d5e6f7a8b_bg.wasm"), "public, max-age=31536000, immutable");
        assert_eq!(cache_control("/style-0123456789abcdef.css"), "public, max-age=31536000, immutable");
        assert_eq!(cache_control("/hanmadi-70b2fb7336326c0.js"), "public, max-age=31536000, immutable");
        assert_eq!(cache_control("/"), "no-cache");
        assert_eq!(cache_control("/index.html"), "no-cache");
        assert_eq!(cache_control("/rooms/7"), "no-cache");
        assert_eq!(cache_control("/manifest.json"), "no-cache");
    }

    #[test]
    fn the_policy_names_each_inline_script_by_hash_and_ignores_external_ones() {
        let html = r#"<script src="/a.js"></script><script type="module">init('/x.wasm');</script>"#;
        let scripts: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(scripts, ["init('/x.wasm');"]);
        let csp = content_security_policy(html);
        assert!(csp.contains(&format!("'sha256-{}'", sha256_base64("init('/x.wasm');"))), "{csp}");
        assert!(!csp.contains("unsafe-inline"));
    }
}
