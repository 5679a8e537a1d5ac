//! An invite link opened (`/invite/{token}`): joining the private room it
//! names goes into the outbox like any action, so a link opened offline joins
//! once the connection is back. The room opens when the server has applied it
//! (`OpenJoinedRoom`); a revoked link is explained by `ActionNotices`. The
//! link's page is replaced by the home page at once, so Back never spends the
//! link again.

use hanmadi_protocol::Action;
use leptos::prelude::*;

use super::reactive::effect;

use crate::i18n::t;
use crate::router::{use_invite, use_replace};
use crate::socket::use_socket;

#[component]
pub fn JoinByInvite() -> impl IntoView {
    if let Some(invite) = use_invite().get_untracked() {
        // A full outbox is explained by the socket.
        let _ = use_socket().act(Action::JoinWithInvite { invite });
    }
    // Once this page is drawn: the path cannot change while it is read.
    let replace = use_replace();
    effect(move || replace("/"));
    view! { <p class="empty">{t().pick_room}</p> }
}
