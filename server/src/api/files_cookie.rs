//! The credential a browser sends by itself for the files it shows: an
//! `<img src="/api/attachments/{id}/thumbnail">` or a download link carries
//! no `Authorization` header, and the app's Content-Security-Policy
//! (`img-src 'self' data:`) rules out fetching the bytes and showing them
//! from a `blob:` URL. docs/ARCHITECTURE.md (Attachments) tells why a cookie.
//!
//! The cookie holds the session token itself, so it passes every check a
//! token does (signature, expiry, session still open, its latest generation,
//! an operator's revocation) and nothing new has to be signed or revoked.
//! "Latest generation" does not leave it stale: the cookie changes only
//! with the responses that issue a token (sign-up, refresh), each of which
//! sets it to the token it issues, so the browser's jar holds the newest
//! token the browser was given, whichever tab asked for it. (A refresh
//! answered inside the one-minute grace for a replaced token issues the
//! session's current generation too, so it never sets an older one; only a
//! refresh racing another to the database in the same instant can leave the
//! jar a generation behind, and then files fail to load until the next
//! renewal, as the tab whose token it was would.)
//!
//! It is `HttpOnly` (page scripts never see it), `SameSite=Strict` (no other
//! site's page makes the browser send it) and scoped to `Path=/api/attachments`,
//! and the server accepts it only for `GET` of a file or its thumbnail
//! (`attachments::FileReader`): it cannot upload, delete or call any other
//! API, so there is nothing for a forged request to do with it.

use axum::http::{header, HeaderMap, HeaderValue};

use crate::auth::{unix_now, Issued};

pub(super) const NAME: &str = "hanmadi_files";
/// The only requests the browser sends the cookie with.
const PATH: &str = "/api/attachments";

/// `Set-Cookie` for a freshly issued token: it lives exactly as long as the
/// token (the refresh grace is not its to use: an expired token reads no
/// file, and the app renews it before then, which sets the cookie again).
pub(super) fn issue(issued: &Issued, request: &HeaderMap) -> HeaderValue {
    let max_age = issued.expires_at.saturating_sub(unix_now());
    set_cookie(&issued.token, max_age, request)
}

/// `Set-Cookie` that removes the cookie: signing out.
pub(super) fn clear(request: &HeaderMap) -> HeaderValue {
    set_cookie("", 0, request)
}

fn set_cookie(value: &str, max_age: u64, request: &HeaderMap) -> HeaderValue {
    let secure = if page_is_https(request) { "; Secure" } else { "" };
    let cookie = format!("{NAME}={value}; Path={PATH}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}");
    // A token is `v2.` and base64url and digits between dots: all cookie-octets.
    HeaderValue::from_str(&cookie).expect("a token is a valid cookie value")
}

/// Whether the page asking was served over https, so the cookie can be
/// `Secure`. The server speaks plain HTTP behind a TLS proxy and has no
/// setting for its public scheme (the origin check compares `Origin` with
/// `Host` and ignores the scheme), so the browser's own `Origin` says: it is
/// sent with every `POST` and `DELETE` the app makes. A page on plain http
/// (`trunk serve`, a LAN address) would have a `Secure` cookie refused, so
/// it gets none; a client that sends no `Origin` is not a browser, and the
/// cookie does nothing for it.
fn page_is_https(request: &HeaderMap) -> bool {
    request.get(header::ORIGIN).is_some_and(|origin| origin.as_bytes().starts_with(b"https://"))
}

/// The token in the request's cookie, if it has one. Parsed by hand: one
/// name in `name=value; name=value` lists is a few lines, not a dependency.
/// A name twice (a cookie with a longer path first) counts the first, as
/// browsers order them.
pub(super) fn token(request: &HeaderMap) -> Option<&str> {
    request
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|cookies| cookies.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .find(|(name, _)| *name == NAME)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(header::HeaderName, &str)]) -> HeaderMap {
        headers.iter().map(|(name, value)| (name.clone(), value.parse().unwrap())).collect()
    }

    #[test]
    fn the_cookie_lives_as_long_as_its_token_and_is_secure_on_https_pages() {
        let issued = Issued { token: "v2.k1.s.1.7.99.sig".into(), expires_at: unix_now() + 600 };
        let plain = issue(&issued, &request(&[(header::ORIGIN, "http://127.0.0.1:3000")]));
        let plain = plain.to_str().unwrap();
        assert!(plain.starts_with("hanmadi_files=v2.k1.s.1.7.99.sig; Path=/api/attachments; Max-Age="), "{plain}");
        let max_age: u64 = plain.split("Max-Age=").nth(1).unwrap().split(';').next().unwrap().parse().unwrap();
        assert!((599..=600).contains(&max_age), "{max_age}");
        assert!(plain.ends_with("; HttpOnly; SameSite=Strict"), "{plain}");

        let https = issue(&issued, &request(&[(header::ORIGIN, "https://chat.example")]));
        assert!(https.to_str().unwrap().ends_with("; SameSite=Strict; Secure"));
        let cleared = clear(&request(&[]));
        assert_eq!(cleared, "hanmadi_files=; Path=/api/attachments; Max-Age=0; HttpOnly; SameSite=Strict");
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let cookie = |value: &str| request(&[(header::COOKIE, value)]);
        assert_eq!(token(&cookie("hanmadi_files=v2.a.b")), Some("v2.a.b"));
        assert_eq!(token(&cookie("theme=dark; hanmadi_files=v2.a.b; lang=ko")), Some("v2.a.b"));
        assert_eq!(token(&cookie("hanmadi_files=first; hanmadi_files=second")), Some("first"));
        assert_eq!(token(&cookie("not_hanmadi_files=v2.a.b")), None);
        assert_eq!(token(&cookie("hanmadi_files=")), None);
        assert_eq!(token(&request(&[])), None);
        let split = request(&[(header::COOKIE, "theme=dark"), (header::COOKIE, "hanmadi_files=v2.c")]);
        assert_eq!(token(&split), Some("v2.c"), "HTTP/2 may send cookies as several fields");
    }
}
