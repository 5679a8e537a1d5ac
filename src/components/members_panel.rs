//! Who is in the room: a button in the room's header ("Members (3)") opens a
//! panel listing everyone, online first, each with "Message" (a direct
//! conversation with them); a private room's invite links; and renaming and
//! leaving the room at its foot. A direct conversation has none. Escape or "Close members" closes it and
//! gives the focus back to the button, so keyboard users never lose their place.

use hanmadi_protocol::http::RoomKind;
use hanmadi_protocol::{Action, RoomId, UserId};
use leptos::prelude::*;

use super::disclosure::Disclosure;
use super::invite_links::InviteLinks;
use super::keyed::live_rows;
use super::reactive::{handler, memo, When};
use super::room_actions::RoomActions;
use crate::i18n::{lang, t};
use crate::router::use_navigate;
use crate::socket::use_socket;
use crate::store::navigation::direct_with;
use crate::store::people::{people, Person};
use crate::store::Store;

const PANEL_ID: &str = "members-panel";

/// The header's button and, while open, the panel.
#[component]
pub fn MembersPanel(room: RoomId, name: Signal<String>, kind: Memo<Option<RoomKind>>) -> impl IntoView {
    let store = expect_context::<Store>();
    let state = store.room(room);
    let list = {
        let (members, presence, me) = (state.members(), state.presence(), store.me());
        memo(move || {
            let members = members.get().unwrap_or_default();
            presence.with(|online| people(&members, online, me.get()))
        })
    };
    let panel = Disclosure::new();
    // A conversation has no panel: its two people need no "Message", no
    // invites, it is neither renamed nor left, and its header says whether
    // the other is online. Until the rooms list names a room just opened,
    // it might be one.
    let not_direct = move || kind.get().is_some_and(|kind| kind != RoomKind::Direct);

    view! {
        <When when=not_direct>
            <button
                type="button"
                class="members-toggle"
                node_ref=panel.button
                aria-expanded=move || panel.open.get().to_string()
                aria-controls=PANEL_ID
                on:click=handler(move |_| panel.toggle())
            >
                {move || lang().members_button(list.with(Vec::len))}
            </button>
            <When when=move || panel.open.get()>
                <aside id=PANEL_ID class="members" aria-label=t().members on:keydown=handler(move |event| panel.close_on_escape(event))>
                    <button type="button" class="members-close" aria-label=t().close_members on:click=handler(move |_| panel.close())>
                        "×"
                    </button>
                    <Group label=t().online people=memo(move || in_group(list, true)) />
                    <Group label=t().offline_members people=memo(move || in_group(list, false)) />
                    <When when=move || kind.get() == Some(RoomKind::Private)>
                        <InviteLinks room />
                    </When>
                    <RoomActions room name />
                </aside>
            </When>
        </When>
    }
}

/// The people of `list` who are online, or who are not.
fn in_group(list: Memo<Vec<Person>>, online: bool) -> Vec<Person> {
    list.with(|list| list.iter().filter(|person| person.online == online).cloned().collect())
}

/// "Online — 2" and its people, each kept by id (a rename changes the name in
/// place), with "Message" beside each other person; nothing when nobody is
/// in the group.
#[component]
fn Group(label: &'static str, people: Memo<Vec<Person>>) -> impl IntoView {
    view! {
        <When when=move || people.with(|p| !p.is_empty())>
            <h3 class="members-group">{move || format!("{label} — {}", people.with(Vec::len))}</h3>
            <ul class="members-list">
                {live_rows(
                    people,
                    |person| person.user,
                    move |person| {
                        let (me, user) = person.with_untracked(|person| (person.me, person.user));
                        let name = memo(move || person.with(|person| person.name.clone()));
                        view! {
                            <li class="person" class:online=move || person.with(|person| person.online)>
                                <span class="presence-dot" aria-hidden="true"></span>
                                <span class="person-name">{name}</span>
                                {me.then(|| view! { <span class="person-you">{t().you}</span> })}
                                {(!me).then(|| view! { <MessageButton user name /> })}
                            </li>
                        }
                        .into_any()
                    },
                )}
            </ul>
        </When>
    }
}

/// "Message": into your direct conversation with this person, the one you
/// have or one the server opens (through the outbox, so offline too; the
/// conversation opens once it is applied, as a room you create does).
#[component]
fn MessageButton(user: UserId, name: Memo<String>) -> impl IntoView {
    let store = expect_context::<Store>();
    let (socket, navigate) = (use_socket(), use_navigate());
    let open = move |_| match store.rooms().with_untracked(|rooms| direct_with(rooms, user)) {
        Some(room) => navigate(&format!("/rooms/{room}")),
        None => {
            // A full outbox is explained by the socket.
            let _ = socket.act(Action::OpenDirect { with: user });
        }
    };
    view! {
        <button type="button" class="message-person" aria-label=move || lang().message_person(&name.get()) on:click=handler(open)>
            {t().message}
        </button>
    }
}
