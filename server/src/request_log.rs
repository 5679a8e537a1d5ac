//! What the server's request log (tower-http's `TraceLayer`, at debug level)
//! says of each request: its method and path, never a secret the path or the
//! query carries. An invite link's token is the secret that joins its room,
//! so it is left out of the two paths that hold one (the invite page and its
//! preview); the query is never logged, since it holds what people search for
//! and the names of the files they upload.

use axum::http::Request;
use tracing::Span;

/// Paths whose next segment is an invite token.
const TOKEN_AFTER: [&str; 2] = ["/invite/", "/api/invites/"];

/// The span each request is logged under.
pub fn span_for<B>(request: &Request<B>) -> Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
        version = ?request.version(),
    )
}

/// `path` with the token in it, if any, shown as `…`.
fn loggable_path(path: &str) -> String {
    for prefix in TOKEN_AFTER {
        if let Some(rest) = path.strip_prefix(prefix) {
            let after_token = rest.find('/').map_or("", |end| &rest[end..]);
            return format!("{prefix}…{after_token}");
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_token_is_never_logged() {
        let token = "ab".repeat(32);
        assert_eq!(loggable_path(&format!("/invite/{token}")), "/invite/…");
        assert_eq!(loggable_path(&format!("/api/invites/{token}")), "/api/invites/…");
        assert_eq!(loggable_path(&format!("/api/invites/{token}/more")), "/api/invites/…/more");
        // A room's invite ids name no secret: that list is shown to its members.
        assert_eq!(loggable_path("/api/rooms/4/invites/17"), "/api/rooms/4/invites/17");
        assert_eq!(loggable_path("/api/search"), "/api/search");
    }
}
