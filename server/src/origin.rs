//! Which pages may open the socket. Browsers attach cookies and credentials to
//! WebSocket upgrades from any site, so without this check a malicious page could
//! open a socket as its visitor (cross-site WebSocket hijacking).

use axum::http::{header, HeaderMap};

/// True when the upgrade comes from the server's own origin, from an origin on the
/// allowlist, or from something that is not a browser (no `Origin` header: such a
/// client can claim any origin anyway, so refusing it protects nothing).
pub fn is_allowed(headers: &HeaderMap, allowlist: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    let origin = origin.trim_end_matches('/');
    let same_origin = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(|host| origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host));
    same_origin || allowlist.iter().any(|allowed| allowed.trim_end_matches('/') == origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, origin.parse().unwrap());
        }
        headers
    }

    #[test]
    fn same_origin_is_allowed() {
        assert!(is_allowed(&headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080"), &[]));
        assert!(is_allowed(&headers(Some("https://chat.example"), "chat.example"), &[]));
    }

    #[test]
    fn listed_origins_are_allowed() {
        let allowlist = vec!["http://localhost:3000".to_owned()];
        assert!(is_allowed(&headers(Some("http://localhost:3000"), "127.0.0.1:8080"), &allowlist));
    }

    #[test]
    fn other_sites_are_refused() {
        let allowlist = vec!["http://localhost:3000".to_owned()];
        for evil in ["https://evil.example", "http://127.0.0.1:8080.evil.example", "null"] {
            assert!(!is_allowed(&headers(Some(evil), "127.0.0.1:8080"), &allowlist), "{evil}");
        }
    }

    #[test]
    fn clients_that_are_not_browsers_send_no_origin_and_pass() {
        assert!(is_allowed(&headers(None, "127.0.0.1:8080"), &[]));
    }
}
