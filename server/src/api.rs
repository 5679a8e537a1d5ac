//! The HTTP API: guest sessions, the rooms list, history for scroll-back and
//! for filling gaps, invites to private rooms, and files. Every error is JSON
//! `{"error": "…"}` with a fitting status.

use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hanmadi_protocol::http::{NameRequest, RoomSummary, Session, Settings, ROOMS_PAGE};
use hanmadi_protocol::{Member, RoomId, Seq};
use serde::Deserialize;

use crate::auth::{Issued, TokenError};
use crate::store::{Access, User};
use crate::AppState;

mod attachments;
mod files_cookie;
mod history;
mod invites;
mod search;

pub use attachments::Uploads;

/// The API's routes, every call counted against its address's limit.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/session", post(create_session).delete(sign_out))
        .route("/api/session/refresh", post(refresh_session))
        .route("/api/me", get(me).patch(rename_me))
        .route("/api/me/settings", get(settings).put(change_settings))
        .route("/api/rooms", get(rooms))
        .route("/api/rooms/{room}/messages", get(history::messages))
        .route("/api/rooms/{room}/events", get(history::events))
        .route("/api/rooms/{room}/members", get(members))
        .route("/api/rooms/{room}/invites", get(invites::list).post(invites::create))
        .route("/api/rooms/{room}/invites/{invite}", delete(invites::revoke))
        .route("/api/invites/{token}", get(invites::preview))
        .route("/api/search", get(search::search))
        .layer(DefaultBodyLimit::max(16 * 1024))
        // Uploads are streamed, under a limit of their own.
        .merge(attachments::routes())
        .layer(middleware::from_fn_with_state(state.clone(), limit_calls))
}

/// Every API call from one address is counted; past the limit, 429 with
/// `Retry-After` before any work is done.
async fn limit_calls(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match state.api_calls.take(peer.ip()) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many("requests", wait),
    }
}

/// 429, saying what there was too much of and when to try again (also as
/// `Retry-After`, which clients and proxies understand).
fn too_many(what: &str, wait: std::time::Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let refusal = ApiError(StatusCode::TOO_MANY_REQUESTS, format!("too many {what}; try again in {seconds} s").into());
    ([(header::RETRY_AFTER, seconds.to_string())], refusal).into_response()
}

/// An API error: a status and its body (a sentence, and for a refused name
/// what was wrong with it as a code).
pub struct ApiError(StatusCode, hanmadi_protocol::http::ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.1;
        let mut response = (self.0, Json(body)).into_response();
        if self.0 == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static"));
        }
        response
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        tracing::error!(error = format!("{error:#}"), "API request failed");
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error; nothing was changed".into())
    }
}

/// Whether the body stopped arriving before the HTTP timeout (see
/// `http_server`): that is the client's slowness, 408, not a bad request.
fn body_timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if body_timed_out(&rejection) {
            return ApiError(StatusCode::REQUEST_TIMEOUT, "the request body did not arrive in time".into());
        }
        ApiError(rejection.status(), rejection.body_text().into())
    }
}

/// A name the rules refuse: 400, saying what was wrong in English and as a
/// code the app words in its user's language.
fn refused_name(problem: hanmadi_protocol::limits::TextProblem) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, problem.into())
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A session just issued: the token in the body for the app, and the same
/// token in the files cookie for the browser (`files_cookie`).
type SignedIn = ([(HeaderName, HeaderValue); 1], Json<Session>);

fn signed_in(issued: Issued, user: User, settings: Settings, request: &HeaderMap) -> SignedIn {
    let cookie = files_cookie::issue(&issued, request);
    let Issued { token, expires_at } = issued;
    ([(header::SET_COOKIE, cookie)], Json(Session { token, expires_at, user, settings }))
}

async fn create_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<NameRequest>, JsonRejection>,
) -> Result<(StatusCode, SignedIn), Response> {
    if let Err(wait) = state.sign_ups.take(peer.ip()) {
        return Err(too_many("sign-ups", wait));
    }
    sign_up(state, &headers, body).await.map_err(IntoResponse::into_response)
}

async fn sign_up(
    state: AppState,
    headers: &HeaderMap,
    body: Result<Json<NameRequest>, JsonRejection>,
) -> Result<(StatusCode, SignedIn), ApiError> {
    let Json(NameRequest { name }) = body?;
    let user = state.store.create_user(&name).await?.map_err(refused_name)?;
    tracing::info!(user = %user.id, "guest session created");
    let issued = state.sessions.open(user.id).await?;
    // As kept (the defaults, from migration 0014's column defaults).
    let settings = state.store.settings(user.id).await?.ok_or_else(unknown_user)?;
    Ok((StatusCode::CREATED, signed_in(issued, user, settings, headers)))
}

/// A fresh token for the session; the one sent stops working (see `sessions.rs`).
async fn refresh_session(State(state): State<AppState>, headers: HeaderMap) -> Result<SignedIn, ApiError> {
    let token = bearer(&headers)?;
    let (user_id, issued) = state
        .sessions
        .refresh(token)
        .await
        .map_err(|error| refused_token(error, "this session cannot be refreshed; sign in again"))?;
    let (user, settings) = state.store.you(user_id).await?.ok_or_else(unknown_user)?;
    Ok(signed_in(issued, user, settings, &headers))
}

/// Signing out ends the session on the server: its token stops working and
/// its sockets close, on every node. The browser's files cookie is removed
/// whatever the answer: the app has forgotten the session either way.
async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let ended = match bearer(&headers) {
        Ok(token) => state
            .sessions
            .end(token)
            .await
            .map(|()| StatusCode::NO_CONTENT)
            .map_err(|error| refused_token(error, "the session token is invalid")),
        Err(refusal) => Err(refusal),
    };
    ([(header::SET_COOKIE, files_cookie::clear(&headers))], ended).into_response()
}

async fn me(AuthUser(user): AuthUser) -> ApiResult<User> {
    Ok(Json(user))
}

async fn rename_me(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<NameRequest>, JsonRejection>,
) -> ApiResult<User> {
    let Json(NameRequest { name }) = body?;
    let user = state.store.rename_user(user.id, &name).await?.map_err(refused_name)?;
    state.delivery.you_changed(user.id);
    Ok(Json(user))
}

async fn settings(State(state): State<AppState>, AuthUser(user): AuthUser) -> ApiResult<Settings> {
    Ok(Json(state.store.settings(user.id).await?.ok_or_else(unknown_user)?))
}

/// Keeps what the person chose, and answers with it. Every session of
/// theirs is issued with it from now on, and every connection of theirs is
/// told at once (`you_changed`), in every tab and on every device.
async fn change_settings(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<Settings>, JsonRejection>,
) -> ApiResult<Settings> {
    let Json(settings) = body?;
    state.store.set_settings(user.id, settings).await?;
    state.delivery.you_changed(user.id);
    Ok(Json(settings))
}

#[derive(Deserialize)]
struct RoomsQuery {
    after: Option<u64>,
    limit: Option<u32>,
}

/// The rooms list, a page at a time: the first `limit` rooms (at most
/// [`ROOMS_PAGE`]) with ids above `after`, by id. The socket keeps a fetched
/// list current (`room_listed`), so a client fetches it once per connection.
async fn rooms(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(query): Query<RoomsQuery>,
) -> ApiResult<Vec<RoomSummary>> {
    let after = RoomId(query.after.unwrap_or(0));
    let limit = query.limit.unwrap_or(ROOMS_PAGE).clamp(1, ROOMS_PAGE);
    Ok(Json(state.store.rooms_for(user.id, after, limit).await?))
}

/// Who is in the room (online or not): the members panel.
async fn members(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(room): Path<u64>,
) -> ApiResult<Vec<Member>> {
    let room = RoomId(room);
    readable_room(&state, room, &user).await?;
    Ok(Json(state.store.members(room).await?))
}

/// The room's head, if the user may read it: a room they are in, or a
/// public one, which anyone signed in may look into before joining (it is
/// listed to them, and joining needs nothing more); writing in it still
/// takes joining. A private or direct room they are not in is 404, as a
/// room that does not exist, so its id cannot be probed.
async fn readable_room(state: &AppState, room: RoomId, user: &User) -> Result<Seq, ApiError> {
    match state.store.access(room, user.id).await? {
        Access::Member { head, .. } | Access::Outsider { head } => Ok(head),
        Access::Unknown => Err(no_such_room(room)),
    }
}

fn no_such_room(room: RoomId) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("there is no room {room}").into())
}

/// The signed-in user, from `Authorization: Bearer <token>`: every API call
/// but the reading of files (`attachments::FileReader`) takes only that.
pub struct AuthUser(pub User);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(AuthUser(user_with(state, bearer(&parts.headers)?).await?))
    }
}

/// The user of a token that may be used now (see `Sessions::check`).
async fn user_with(state: &AppState, token: &str) -> Result<User, ApiError> {
    let (user_id, _) = state
        .sessions
        .check(token)
        .await
        .map_err(|error| refused_token(error, "the session token is invalid, expired or signed out"))?;
    state.store.user(user_id).await?.ok_or_else(unknown_user)
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError(StatusCode::UNAUTHORIZED, "sign in first (Authorization: Bearer <token>)".into()))
}

/// A token not taken: refused (401, `words` say why), or not known either
/// way while the database does not answer (503: the client tries again and
/// keeps its session).
fn refused_token(error: TokenError, words: &'static str) -> ApiError {
    match error {
        TokenError::Unavailable => {
            ApiError(StatusCode::SERVICE_UNAVAILABLE, "sessions cannot be checked just now; try again".into())
        }
        _ => ApiError(StatusCode::UNAUTHORIZED, words.into()),
    }
}

fn unknown_user() -> ApiError {
    ApiError(StatusCode::UNAUTHORIZED, "this session's user no longer exists; sign in again".into())
}
