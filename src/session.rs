//! The guest session: created from a name on first run, kept in localStorage,
//! renewed before it expires (and when the server says it has), ended by
//! signing out.

use gloo_net::http::{Method, Request, RequestBuilder};
pub use hanmadi_protocol::http::Session;
use hanmadi_protocol::http::{ApiError, NameRequest, Profile, Settings};
use hanmadi_protocol::UserId;

use crate::deadline::{Deadline, ANSWER_TIMEOUT_MS};
use crate::deploy_config;
use crate::local_storage::storage;

/// Also read by index.html's first screen, to know a newcomer.
pub const KEY: &str = "hanmadi.session";
/// Set whenever a session comes from a response that also set the files
/// cookie (signing in, a refresh): a session kept from before the cookie
/// existed lacks it, and is refreshed once on opening so its pictures load.
const HAS_FILES_COOKIE: &str = "hanmadi.files-cookie";

/// The session saved by an earlier visit, if any.
pub fn saved() -> Option<Session> {
    let json = storage()?.get_item(KEY).ok()??;
    hanmadi_protocol::json::from_str(&json).ok()
}

/// Keeps a session the server just issued, with the files cookie.
fn issued(session: &Session) {
    save(session);
    if let Some(storage) = storage() {
        let _ = storage.set_item(HAS_FILES_COOKIE, "1");
    }
}

/// Whether the saved session came before the files cookie (see
/// [`HAS_FILES_COOKIE`]): refresh it to have the cookie.
pub fn lacks_files_cookie() -> bool {
    storage().is_some_and(|storage| storage.get_item(HAS_FILES_COOKIE).ok().flatten().is_none())
}

fn save(session: &Session) {
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(session)) {
        let _ = storage.set_item(KEY, &json);
    }
}

/// Makes to `session` what the server said changed of us (a new name,
/// other settings; only what is given): true if it changed anything.
pub fn follow_change(session: &mut Session, name: Option<&str>, settings: Option<Settings>) -> bool {
    let renamed = name.is_some_and(|name| name != session.user.name);
    let chose = settings.is_some_and(|settings| settings != session.settings);
    if let Some(name) = name.filter(|_| renamed) {
        session.user.name = name.to_owned();
    }
    if let Some(settings) = settings {
        session.settings = settings;
    }
    renamed || chose
}

/// The saved session with that change of `user` made ([`follow_change`]),
/// saved again: only those fields are written, so a token another tab saved
/// meanwhile is kept. Nothing is written if someone else signed in here
/// meanwhile.
pub fn save_change(user: UserId, name: Option<&str>, settings: Option<Settings>) {
    if let Some(mut saved) = saved().filter(|saved| saved.user.id == user) {
        if follow_change(&mut saved, name, settings) {
            save(&saved);
        }
    }
}

/// Signs out: this browser forgets the session at once (whoever uses it next
/// is not signed in as us, even if the server cannot be reached), and the
/// returned call has the server end it (its token stops working, its sockets
/// close, on every device of ours that used it); its error says the server
/// did not hear it.
pub fn end() -> impl std::future::Future<Output = Result<(), String>> {
    let saved = saved();
    forget();
    async move {
        let Some(saved) = saved else { return Ok(()) };
        tell_server_signed_out(&saved.token).await
    }
}

/// A request to the API's `path` carrying `token`, as every call made for a
/// signed-in person does (an upload sets the same header on its own
/// `XMLHttpRequest`). With no token (signed out), it carries none.
pub fn authorised(method: Method, path: &str, token: &str) -> RequestBuilder {
    let request = RequestBuilder::new(&deploy_config::api_url(path)).method(method);
    if token.is_empty() {
        return request;
    }
    request.header(AUTHORIZATION, &bearer(token))
}

/// The header that carries a signed-in person's token.
pub const AUTHORIZATION: &str = "Authorization";

/// [`AUTHORIZATION`]'s value for `token`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn tell_server_signed_out(token: &str) -> Result<(), String> {
    let deadline = Deadline::after(ANSWER_TIMEOUT_MS);
    let told = deadline.on(authorised(Method::DELETE, "/api/session", token)).send().await;
    match told {
        Ok(response) if response.ok() || response.status() == 401 => Ok(()),
        Ok(response) => Err(format!("the server answered {}", response.status())),
        Err(error) => Err(error.to_string()),
    }
}

/// Forgets the session, and with it what was last seen with it, the drafts,
/// the outboxes kept, and the messages waiting with their files
/// (`crate::parcels`).
pub fn forget() {
    forget_all_but_files();
    wasm_bindgen_futures::spawn_local(forget_files());
}

/// [`forget`] but for the messages waiting with their files, which the
/// caller reads first ([`forget_files`] after).
pub fn forget_all_but_files() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
        let _ = storage.remove_item(HAS_FILES_COOKIE);
    }
    crate::last_seen::forget();
    crate::drafts::forget_all();
    crate::socket::saved_outbox::forget_all();
}

/// Forgets the messages waiting with their files.
pub async fn forget_files() {
    if let Err(why) = crate::parcels::saved::forget_all().await {
        crate::console::warn(format_args!("messages waiting with files stay kept: {why}"));
    }
}

/// Why the server did not take what was asked of the session: a name to
/// sign in with, a new name, other settings. The form words it in the
/// page's language (`Lang::session_refused`).
#[derive(Debug, Clone, PartialEq)]
pub enum SessionRefused {
    /// No answer came: offline, or the server down (a proxy's 502, 503 or
    /// 504 says so too).
    Unreachable,
    /// Too many tries from here lately: the next may be made in `seconds`.
    TooMany { seconds: u64 },
    /// The server failed, or answered what this app cannot read.
    ServerFault,
    /// The server refused it: its sentence, with what was wrong with the
    /// name as a code when that was it.
    Refused(ApiError),
}

/// The server's 429 says when to try again; without it, in a minute.
const TRY_AGAIN_SECONDS: u64 = 60;

/// Starts a guest session under `name`; the error is why not.
pub async fn create(name: &str) -> Result<Session, SessionRefused> {
    let deadline = Deadline::after(ANSWER_TIMEOUT_MS);
    let request = deadline
        .on(Request::post(&deploy_config::api_url("/api/session")))
        .json(&NameRequest { name: name.to_owned() })
        .map_err(|_| SessionRefused::ServerFault)?;
    let session = answer(request.send().await).await?;
    issued(&session);
    Ok(session)
}

/// Asks the server to change our name (`PATCH /api/me`): the name it kept
/// (composed, trimmed); the error is as [`create`]'s.
pub async fn rename(name: &str) -> Result<String, SessionRefused> {
    let asked = serde_json::to_string(&NameRequest { name: name.to_owned() });
    Ok(read::<Profile>(&change_me(Method::PATCH, "/api/me", asked).await?)?.name)
}

/// Asks the server to keep what we chose (`PUT /api/me/settings`): the
/// settings it kept; the error is as [`create`]'s.
pub async fn choose(settings: Settings) -> Result<Settings, SessionRefused> {
    read(&change_me(Method::PUT, "/api/me/settings", serde_json::to_string(&settings)).await?)
}

/// Sends `body` to `path` with the saved token: the answer's body. A token
/// refused (it expired while the tab slept) is refreshed by the engine, as
/// for the API's calls, and the server is asked once more with the new one.
async fn change_me(method: Method, path: &str, body: serde_json::Result<String>) -> Result<String, SessionRefused> {
    let body = body.map_err(|_| SessionRefused::ServerFault)?;
    let token = saved().ok_or_else(signed_out)?.token;
    match change_with(method.clone(), path, &body, &token).await {
        Ok(answered) => answered,
        Err(TokenRefused) => {
            crate::socket::token_refused().await;
            // No new token: the refresh found no server (had the server
            // ended the session, the name prompt would have replaced this
            // form).
            let renewed = saved().map(|session| session.token).filter(|renewed| *renewed != token);
            let renewed = renewed.ok_or(SessionRefused::Unreachable)?;
            // Refused again at once: the server is not making sense.
            change_with(method, path, &body, &renewed).await.map_err(|TokenRefused| SessionRefused::ServerFault)?
        }
    }
}

/// The server refused the token itself (401).
struct TokenRefused;

/// One try of [`change_me`], with `token`.
async fn change_with(
    method: Method,
    path: &str,
    body: &str,
    token: &str,
) -> Result<Result<String, SessionRefused>, TokenRefused> {
    let deadline = Deadline::after(ANSWER_TIMEOUT_MS);
    let request = authorised(method, path, token).header("Content-Type", "application/json");
    let Ok(request) = deadline.on(request).body(body) else { return Ok(Err(SessionRefused::ServerFault)) };
    let response = request.send().await;
    if response.as_ref().is_ok_and(|response| response.status() == 401) {
        return Err(TokenRefused);
    }
    Ok(answer_body(response).await)
}

fn signed_out() -> SessionRefused {
    SessionRefused::Refused(ApiError::from("signed out"))
}

/// How long `session`'s token stays valid from now (zero if it has expired).
pub fn valid_for(session: &Session) -> std::time::Duration {
    let now_ms = js_sys::Date::now() as u64;
    std::time::Duration::from_millis((session.expires_at * 1000).saturating_sub(now_ms))
}

/// Why a refresh gave no fresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshFailed {
    /// The server answered that this session is over: sign in again.
    Ended(String),
    /// The server could not be reached (offline, down): the session may be
    /// fine, and is kept; try again later.
    Unreachable,
    /// Someone signed in or out while it was asked: the answer is of a
    /// session no longer this browser's, and the one saved now counts.
    Superseded,
}

impl std::fmt::Display for RefreshFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefreshFailed::Ended(why) => f.write_str(why),
            RefreshFailed::Unreachable => f.write_str("cannot reach the server; check the connection and try again"),
            RefreshFailed::Superseded => f.write_str("signed in or out meanwhile"),
        }
    }
}

/// A refresh with no answer by then is given up as unreachable: the engine
/// waits for one answer per refresh (and the HTTP calls that found the token
/// expired wait with it), so a request stalled on a dying network must end.
const REFRESH_TIMEOUT_MS: u32 = 15_000;

/// Exchanges `asked`'s (possibly expired) token for a fresh one.
pub async fn refresh(asked: &Session) -> Result<Session, RefreshFailed> {
    let give_up = Deadline::after(REFRESH_TIMEOUT_MS);
    let request = authorised(Method::POST, "/api/session/refresh", &asked.token);
    let response = give_up.on(request).send().await.map_err(|_| RefreshFailed::Unreachable)?;
    // The answer has come: its body is read to the end, however long it takes.
    drop(give_up);
    // Only a 401 says the session is over; a proxy's 502 or a 503 is an outage.
    if response.status() != 401 && !response.ok() {
        return Err(RefreshFailed::Unreachable);
    }
    // Only the server's refusal ends the session: a body cut off or
    // unreadable is tried again, as no answer at all.
    let answered = answer(Ok(response)).await;
    // Neither kept nor taken for the end of the session saved now.
    let Some(now) = saved().filter(|now| now.user.id == asked.user.id) else {
        return Err(RefreshFailed::Superseded);
    };
    let mut session: Session = answered.map_err(|refused| match refused {
        SessionRefused::Refused(refused) => RefreshFailed::Ended(refused.error),
        _ => RefreshFailed::Unreachable,
    })?;
    keep_newer(&mut session, asked, &now);
    issued(&session);
    Ok(session)
}

/// A name or settings saved while a refresh was asked (chosen here, or told
/// by the server) are newer than the server may have read them: `fresh`
/// keeps them over its own.
fn keep_newer(fresh: &mut Session, asked: &Session, now: &Session) {
    if now.user.name != asked.user.name {
        fresh.user.name.clone_from(&now.user.name);
    }
    if now.settings != asked.settings {
        fresh.settings = now.settings;
    }
}

/// The answer's body, or why there is none (the form words it in the page's
/// language).
async fn answer<T: hanmadi_protocol::json::FromJson>(
    response: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, SessionRefused> {
    read(&answer_body(response).await?)
}

/// [`answer`]'s body, not yet read.
async fn answer_body(response: Result<gloo_net::http::Response, gloo_net::Error>) -> Result<String, SessionRefused> {
    let response = response.map_err(|_| SessionRefused::Unreachable)?;
    let status = response.status();
    if matches!(status, 502..=504) {
        return Err(SessionRefused::Unreachable);
    }
    let body = response.text().await.map_err(|_| SessionRefused::Unreachable)?;
    if response.ok() {
        return Ok(body);
    }
    Err(refusal(status, response.headers().get("retry-after").as_deref(), &body))
}

/// A successful answer's body, read: one the app cannot read is the server's fault.
fn read<T: hanmadi_protocol::json::FromJson>(body: &str) -> Result<T, SessionRefused> {
    hanmadi_protocol::json::from_str(body).map_err(|_| SessionRefused::ServerFault)
}

/// What an answer other than success (or a proxy's word that the server is
/// down) means: from its status, its `Retry-After` and its body.
fn refusal(status: u16, retry_after: Option<&str>, body: &str) -> SessionRefused {
    if status == 429 {
        let seconds = retry_after.and_then(|seconds| seconds.parse().ok()).unwrap_or(TRY_AGAIN_SECONDS);
        return SessionRefused::TooMany { seconds };
    }
    if status >= 500 {
        return SessionRefused::ServerFault;
    }
    let refused = hanmadi_protocol::json::from_str::<ApiError>(body);
    SessionRefused::Refused(refused.unwrap_or_else(|_| format!("the server refused ({status})").into()))
}

#[cfg(test)]
mod tests {
    use hanmadi_protocol::limits::{ProblemKind, TextField, TextProblem};

    use super::*;

    #[test]
    fn a_change_heard_from_the_server_touches_only_what_it_names_and_once() {
        let jun = || hanmadi_protocol::http::Profile { id: hanmadi_protocol::UserId(2), name: "Jun".into() };
        let mut session = Session { token: "t".into(), expires_at: 9, user: jun(), settings: Settings::default() };
        let off = Settings { shares_seen: false };

        assert!(follow_change(&mut session, None, Some(off)));
        assert_eq!((session.user.name.as_str(), session.settings), ("Jun", off), "the name kept");
        assert!(!follow_change(&mut session, None, Some(off)), "heard again, nothing changes");
        assert!(follow_change(&mut session, Some("Junho"), None));
        assert_eq!((session.user.name.as_str(), session.settings), ("Junho", off), "the settings kept");
        assert!(!follow_change(&mut session, Some("Junho"), Some(off)));
        assert_eq!((session.token.as_str(), session.expires_at), ("t", 9), "the token is never touched");
    }

    #[test]
    fn a_refresh_keeps_a_name_and_settings_saved_while_it_was_asked() {
        let jun = |name: &str| hanmadi_protocol::http::Profile { id: UserId(2), name: name.into() };
        let session = |token: &str, name: &str, shares_seen| Session {
            token: token.into(),
            expires_at: 9,
            user: jun(name),
            settings: Settings { shares_seen },
        };
        let asked = session("old", "Jun", true);
        let mut fresh = session("new", "Jun", true);
        keep_newer(&mut fresh, &asked, &session("old", "Junho", false));
        assert_eq!(fresh, session("new", "Junho", false), "the token from the answer, the rest as saved since");
        let mut fresh = session("new", "Junho", false);
        keep_newer(&mut fresh, &asked, &asked);
        assert_eq!(fresh, session("new", "Junho", false), "nothing saved since: the answer's own");
    }

    #[test]
    fn a_refused_name_is_told_apart_by_status() {
        let too_long = TextProblem { field: TextField::DisplayName, kind: ProblemKind::TooLong { chars: 41, max: 40 } };
        let body = serde_json::to_string(&ApiError::from(too_long)).unwrap();
        assert_eq!(refusal(400, None, &body), SessionRefused::Refused(ApiError::from(too_long)));
        assert_eq!(refusal(429, Some("12"), "{}"), SessionRefused::TooMany { seconds: 12 });
        assert_eq!(refusal(429, None, ""), SessionRefused::TooMany { seconds: TRY_AGAIN_SECONDS });
        assert_eq!(refusal(500, None, &body), SessionRefused::ServerFault);
        assert_eq!(
            refusal(403, None, "<html>forbidden</html>"),
            SessionRefused::Refused(ApiError::from("the server refused (403)"))
        );
    }
}
