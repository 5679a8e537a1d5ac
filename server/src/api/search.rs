//! `GET /api/search?q=&before=&limit=`: messages in the rooms the asking
//! person is in whose text contains `q`, newest first (see
//! `Store::search`). Counted by the API's per-address limit like every call.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use hanmadi_protocol::http::{SearchResults, MAX_SEARCH_CHARS, MAX_SEARCH_PAGE, SEARCH_PAGE};
use hanmadi_protocol::MessageId;
use serde::Deserialize;

use super::{ApiError, ApiResult, AuthUser};
use crate::AppState;

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    q: Option<String>,
    /// The last hit's message id of the page before, for the next page.
    before: Option<u64>,
    limit: Option<u32>,
}

pub(super) async fn search(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> ApiResult<SearchResults> {
    // A malformed `before` or `limit` gets a JSON error like every other.
    let Query(query) = query.map_err(|rejection| ApiError(StatusCode::BAD_REQUEST, rejection.body_text().into()))?;
    let needle = checked(query.q.as_deref().unwrap_or_default())?;
    let limit = query.limit.unwrap_or(SEARCH_PAGE).clamp(1, MAX_SEARCH_PAGE);
    Ok(Json(state.store.search(user.id, needle, query.before.map(MessageId), limit).await?))
}

/// What to search for: `q` trimmed, refused (400) if nothing is left, if it
/// is longer than [`MAX_SEARCH_CHARS`], or if it has a control character
/// (none can be typed in a search box).
fn checked(q: &str) -> Result<&str, ApiError> {
    let refuse = |why: String| Err(ApiError(StatusCode::BAD_REQUEST, why.into()));
    let needle = q.trim();
    if needle.is_empty() {
        return refuse("say what to search for: q is empty".into());
    }
    let chars = needle.chars().count();
    if chars > MAX_SEARCH_CHARS {
        return refuse(format!("the search is {chars} characters long; the limit is {MAX_SEARCH_CHARS}"));
    }
    if let Some(bad) = needle.chars().find(|c| c.is_control()) {
        return refuse(format!("the search contains a control character (U+{:04X})", u32::from(bad)));
    }
    Ok(needle)
}
