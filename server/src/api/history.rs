//! A room's history over HTTP: pages of messages as they stand now, to scroll
//! back from the newest or read on from a stretch loaded far back, and the raw
//! events of a gap the socket skipped.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use hanmadi_protocol::http::{EventsPage, HistoryEvent, MessagesPage, PageFrom};
use hanmadi_protocol::{RoomId, Seq};
use serde::Deserialize;

use super::{readable_room, ApiError, ApiResult, AuthUser};
use crate::store::Toward;
use crate::AppState;

const MAX_MESSAGES_PAGE: u32 = 200;
const MAX_EVENTS_PAGE: u32 = 1000;
/// The largest seq the database can hold (SQL's BIGINT).
const MAX_SEQ: u64 = i64::MAX as u64;

#[derive(Deserialize)]
pub(super) struct MessagesQuery {
    before: Option<u64>,
    after: Option<u64>,
    limit: Option<u32>,
}

/// A page of `limit` messages as they stand now (edits applied, deletions
/// marked), and the notices among them, so that "Jun joined" is still there
/// after a reload:
///
/// - scroll-back (`before`, or nothing: from the newest): the newest messages
///   before seq `before`, with the notices from the oldest message on (from
///   the room's start once a short page reaches it);
/// - reading on (`after`): the oldest messages after seq `after`, with the
///   notices up to the newest message (up to the room's head once a short
///   page reaches it). A link to a message far back loads the page around it
///   and reads on from there, not every page between it and the newest.
///
/// A page with more notices than [`MAX_MESSAGES_PAGE`] (people coming and
/// going in a quiet room) ends at the farthest notice it holds, its messages
/// beyond left to the next page, so that nothing is skipped; `complete` says
/// whether nothing is left the way the page reads.
pub(super) async fn messages(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(room): Path<u64>,
    query: Result<Query<MessagesQuery>, QueryRejection>,
) -> ApiResult<MessagesPage> {
    let Query(query) = query.map_err(|rejection| ApiError(StatusCode::BAD_REQUEST, rejection.body_text().into()))?;
    let room = RoomId(room);
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_MESSAGES_PAGE);
    let refuse = |why: &str| Err(ApiError(StatusCode::BAD_REQUEST, why.into()));
    if query.before.max(query.after).is_some_and(|seq| seq > MAX_SEQ) {
        return refuse("a seq is a whole number from 0 to 9223372036854775807");
    }
    let page = match (query.before, query.after) {
        (before, None) => PageFrom::Before(before.map(Seq)),
        (None, Some(after)) => PageFrom::After(Seq(after)),
        (Some(_), Some(_)) => return refuse("ask for the messages before a seq or after one, not both"),
    };
    let head = readable_room(&state, room, &user).await?;
    // None past the head read here: the page speaks for what is up to it,
    // and the app follows the room from it, so a message committed
    // meanwhile comes once, live, not ahead of the rest.
    let mut messages = state.store.messages(room, page, head, limit).await?;
    let full = messages.len() == limit as usize;
    // The seqs the page speaks for, `from <= seq < up_to`. No further than
    // the head read above, which the app follows the room from: a notice
    // past a message committed meanwhile would run ahead of it.
    let (from, up_to, toward) = match page {
        PageFrom::Before(before) => {
            let from = if full { messages[0].seq } else { Seq::ZERO };
            (from, before.unwrap_or(Seq(head.0 + 1)), Toward::Older)
        }
        PageFrom::After(after) => {
            let through = if full { messages[messages.len() - 1].seq } else { head };
            (Seq(after.0 + 1), Seq(through.0 + 1), Toward::Newer)
        }
    };
    let notices = state.store.notices(room, from, up_to, toward, MAX_MESSAGES_PAGE).await?;
    let cut = notices.len() == MAX_MESSAGES_PAGE as usize;
    if cut {
        match toward {
            Toward::Older => messages.retain(|message| message.seq > notices[0].seq),
            Toward::Newer => messages.retain(|message| message.seq < notices[notices.len() - 1].seq),
        }
    }
    let notices = notices.into_iter().map(HistoryEvent::from).collect();
    Ok(Json(MessagesPage { head, messages, notices, complete: !full && !cut }))
}

#[derive(Deserialize)]
pub(super) struct EventsQuery {
    after: Option<u64>,
    before: Option<u64>,
    limit: Option<u32>,
}

/// Gap backfill: the room's events with `after < seq < before`, oldest first.
pub(super) async fn events(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(room): Path<u64>,
    Query(query): Query<EventsQuery>,
) -> ApiResult<EventsPage> {
    let room = RoomId(room);
    let head = readable_room(&state, room, &user).await?;
    let limit = query.limit.unwrap_or(MAX_EVENTS_PAGE).clamp(1, MAX_EVENTS_PAGE);
    let after = Seq(query.after.unwrap_or(0));
    let events = state.store.events(room, after, query.before.map(Seq), limit).await?;
    let events = events.into_iter().map(HistoryEvent::from).collect();
    Ok(Json(EventsPage { head, events }))
}
