//! A message's text as DOM nodes, built from its parsed formatting
//! (`hanmadi_protocol::markup`): user content never reaches `inner_html`, and no scheme
//! but http(s) (`javascript:`, `data:`) ever becomes a link. A mention is a
//! chip with the person's current name; one of you stands out.

use hanmadi_protocol::{RoomId, UserId};
use leptos::prelude::*;

use crate::i18n::t;
use crate::store::{RoomState, Store};
use hanmadi_protocol::markup::{self, Block, Inline};

/// The text of a message in `room` (whose members name its mentions).
#[component]
pub fn MessageText(room: RoomId, text: String) -> impl IntoView {
    markup::parse(&text)
        .into_iter()
        .map(|block| match block {
            Block::Text(pieces) => inline_views(room, pieces).into_any(),
            Block::Code(code) => view! { <pre class="code-block"><code>{code.to_owned()}</code></pre> }.into_any(),
        })
        .collect_view()
}

/// A message of `state`'s room as one stretch of plain text, where it is
/// quoted rather than drawn (a reply's quote, a search result, a
/// notification): as it reads drawn, without its formatting's markers, its
/// mentions as `@name` under the names the room knows now.
pub fn plain_text(state: &RoomState, text: &str) -> String {
    markup::plain(text, |user| name_in(state, user))
}

/// A person as `state`'s room names them now, "someone" once no longer known
/// there.
pub fn name_in(state: &RoomState, user: UserId) -> String {
    state.name_of(user).unwrap_or_else(|| t().someone.to_owned())
}

fn inline_views(room: RoomId, pieces: Vec<Inline<'_>>) -> Vec<AnyView> {
    pieces.into_iter().map(|piece| inline_view(room, piece)).collect()
}

fn inline_view(room: RoomId, piece: Inline<'_>) -> AnyView {
    match piece {
        Inline::Text(text) => text.to_owned().into_any(),
        Inline::Bold(inner) => view! { <strong>{inline_views(room, inner)}</strong> }.into_any(),
        Inline::Italic(inner) => view! { <em>{inline_views(room, inner)}</em> }.into_any(),
        Inline::Mention(user, _) => view! { <MentionChip room user /> }.into_any(),
        Inline::Code(code) => view! { <code>{code.to_owned()}</code> }.into_any(),
        Inline::Link(url) => {
            view! { <a href=url.to_owned() target="_blank" rel="noopener noreferrer nofollow">{url.to_owned()}</a> }
                .into_any()
        }
    }
}

/// `@Mina`, under the name the person has now (a rename shows at once); a
/// mention of someone no longer known here says "@someone".
#[component]
fn MentionChip(room: RoomId, user: UserId) -> impl IntoView {
    let store = expect_context::<Store>();
    let you = store.me().get_untracked() == Some(user);
    let state = store.room(room);
    let name = move || name_in(&state, user);
    view! { <span class="mention" class:you=you data-user=user.0>"@"{name}</span> }
}
