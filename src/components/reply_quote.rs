//! The quote above a reply: who wrote the original and how it began, read
//! from the original as it stands (an edit shows, a deletion says so), as a
//! link that brings the original into view however far back it is; in a
//! room looked into before joining, as the page fetched holds it, plainly.

use hanmadi_protocol::http::{MessageView, PageFrom};
use hanmadi_protocol::{ReplyTo, RoomId, Seq};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::message_link::MessageLink;
use super::message_text::plain_text;
use super::reactive::memo;
use crate::api;
use crate::cut_short::cut_short;
use crate::i18n::{lang, t};
use crate::store::{RoomState, Store};

/// Characters of the original shown in the quote.
const QUOTE_CHARS: usize = 80;

/// What the quote shows of the original.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Original {
    /// Not loaded yet (older than the history held, on its way).
    Unknown,
    Deleted,
    Said {
        author: String,
        beginning: String,
    },
}

impl Original {
    /// The original as quoted in `state`'s room (see [`plain_text`]).
    fn of(message: &MessageView, state: &RoomState) -> Original {
        if message.deleted {
            return Original::Deleted;
        }
        Original::Said { author: message.author_name.clone(), beginning: quoted_beginning(message, state) }
    }

    /// The author's name (empty until the original is known) and what is
    /// shown of the original.
    fn parts(&self) -> (String, String) {
        match self {
            Original::Said { author, beginning } => (author.clone(), beginning.clone()),
            other => (String::new(), other.label()),
        }
    }

    fn label(&self) -> String {
        match self {
            Original::Unknown => t().reply_to_earlier.to_owned(),
            Original::Deleted => t().reply_to_deleted.to_owned(),
            Original::Said { author, beginning } => lang().in_reply_to(author, beginning),
        }
    }
}

/// How `message` of `state`'s room begins, as its quotes show it: above a
/// reply, and in the composer answering it.
pub fn quoted_beginning(message: &MessageView, state: &RoomState) -> String {
    beginning(&plain_text(state, &message.text))
}

/// The first line of a message, cut short with "…" past [`QUOTE_CHARS`].
fn beginning(text: &str) -> String {
    let line = text.lines().find(|line| !line.trim().is_empty()).unwrap_or_default().trim();
    cut_short(line, QUOTE_CHARS)
}

#[component]
pub fn ReplyQuote(room: RoomId, reply_to: ReplyTo) -> impl IntoView {
    let store = expect_context::<Store>();
    let state = store.room(room);
    let (timeline, quoted) = (state.timeline(), state.quoted());
    let original = memo(move || {
        let of = |message: &MessageView| Original::of(message, &state);
        let held = timeline.with(|timeline| timeline.message_at(reply_to.seq, reply_to.id).map(of));
        held.or_else(|| quoted.with(|quoted| quoted.get(&reply_to.id).map(of))).unwrap_or(Original::Unknown)
    });
    // An original older than the history held is fetched on its own, once
    // for the room; once the history reaches it, the timeline's copy is shown.
    if original.with_untracked(|original| *original == Original::Unknown) {
        let store = store.clone();
        spawn_local(async move {
            let page = api::messages(room, PageFrom::Before(Some(Seq(reply_to.seq.0 + 1))), 1).await;
            if let Some(original) = page.ok().and_then(|page| page.messages.into_iter().find(|m| m.id == reply_to.id)) {
                store.original_fetched(room, original);
            }
        });
    }

    // The author's name is empty (and its span hidden) until the original is known.
    let author = move || original.with(Original::parts).0;
    let said = move || original.with(Original::parts).1;
    let label = Signal::derive(move || original.with(Original::label));
    view! {
        <MessageLink room seq=reply_to.seq class="reply-quote" label>
            <span class="quote-author">{author}</span>
            <span class="quote-text">{said}</span>
        </MessageLink>
    }
}

/// The quote above a reply in a room looked into before joining: the
/// original as the preview's page holds it (`None`: older than the page).
/// Drawn once, and not a link: nothing there leads into the room yet, and
/// nothing is fetched or kept for a room not followed.
#[component]
pub fn HeldQuote(room: RoomId, original: Option<MessageView>) -> impl IntoView {
    let state = expect_context::<Store>().room(room);
    // A memo: a mention in the original is named once the members come.
    let original = memo(move || original.as_ref().map_or(Original::Unknown, |message| Original::of(message, &state)));
    view! {
        <p class="reply-quote">
            <span class="visually-hidden">{move || original.with(Original::label)}</span>
            <span class="quote-author" aria-hidden="true">{move || original.with(Original::parts).0}</span>
            <span class="quote-text" aria-hidden="true">{move || original.with(Original::parts).1}</span>
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_shows_the_first_line_cut_short() {
        assert_eq!(beginning("lunch?"), "lunch?");
        assert_eq!(beginning("\n  점심 먹자  \nsecond line"), "점심 먹자");
        let long = "가".repeat(QUOTE_CHARS + 5);
        assert_eq!(beginning(&long), format!("{}…", "가".repeat(QUOTE_CHARS)), "cut by characters, not bytes");
        assert_eq!(beginning(""), "");
    }
}
