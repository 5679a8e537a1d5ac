//! Invite links to a private room, for its members: `POST
//! /api/rooms/{room}/invites` makes one (its token is in the answer, and
//! nowhere else ever again), `GET` lists the live ones, `DELETE
//! …/invites/{invite}` revokes one. Spending a token is an action
//! (`join_with_invite`), so a join made offline goes out once with the
//! outbox. `GET /api/invites/{token}` says what a link opens, to whoever
//! holds it. Counted by the API's per-address limit like every call, and a
//! room has at most [`MAX_LIVE_INVITES`] live invites.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::Json;
use hanmadi_protocol::http::{Invite, InviteCreated, InvitePreview, RoomKind, MAX_LIVE_INVITES};
use hanmadi_protocol::RoomId;

use super::{no_such_room, ApiError, ApiResult, AuthUser};
use crate::store::InviteProblem;
use crate::AppState;

pub(super) async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(room): Path<u64>,
) -> Result<(StatusCode, Json<InviteCreated>), ApiError> {
    let room = RoomId(room);
    let created = state.store.create_invite(room, user.id).await?.map_err(|problem| refused(room, problem))?;
    tracing::info!(%room, user = %user.id, invite = created.id, "invite created");
    Ok((StatusCode::CREATED, Json(created)))
}

/// The room a link opens and who made it. No session is needed: the link is
/// opened before signing in, to say where it leads, and its token (256
/// random bits, shown only to the member who made it) is the secret. Never
/// kept by a cache on the way: a revoked link must stop naming the room.
pub(super) async fn preview(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<([(header::HeaderName, &'static str); 1], Json<InvitePreview>), ApiError> {
    match state.store.invite_preview(&token).await? {
        Some(preview) => Ok(([(header::CACHE_CONTROL, "no-store")], Json(preview))),
        None => Err(ApiError(
            StatusCode::NOT_FOUND,
            "this invite link is not valid: it was revoked, or never existed".into(),
        )),
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(room): Path<u64>,
) -> ApiResult<Vec<Invite>> {
    let room = RoomId(room);
    Ok(Json(state.store.invites(room, user.id).await?.map_err(|problem| refused(room, problem))?))
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((room, invite)): Path<(u64, u64)>,
) -> Result<StatusCode, ApiError> {
    let room = RoomId(room);
    state.store.revoke_invite(room, user.id, invite).await?.map_err(|problem| refused(room, problem))?;
    tracing::info!(%room, user = %user.id, invite, "invite revoked");
    Ok(StatusCode::NO_CONTENT)
}

fn refused(room: RoomId, problem: InviteProblem) -> ApiError {
    let (status, why) = match problem {
        InviteProblem::NoSuchRoom => return no_such_room(room),
        InviteProblem::NotMember => (StatusCode::FORBIDDEN, format!("join room {room} first")),
        InviteProblem::NotPrivate(RoomKind::Direct) => {
            (StatusCode::CONFLICT, "a direct conversation is for its two people alone: it has no invites".into())
        }
        InviteProblem::NotPrivate(_) => {
            (StatusCode::CONFLICT, format!("room {room} is public: anyone can join it without an invite"))
        }
        InviteProblem::TooMany => (
            StatusCode::CONFLICT,
            format!("room {room} already has {MAX_LIVE_INVITES} live invites; revoke one before making another"),
        ),
        InviteProblem::NoSuchInvite => (StatusCode::NOT_FOUND, format!("room {room} has no such invite")),
    };
    ApiError(status, why.into())
}
