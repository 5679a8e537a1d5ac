//! Who is in the room: a button in the room's header ("Members (3)") opens a
//! panel listing everyone, online first, with renaming and leaving the room at
//! its foot. Escape or "Close members" closes it and
//! gives the focus back to the button, so keyboard users never lose their place.

use hanmadi_protocol::RoomId;
use leptos::prelude::*;

use super::disclosure::Disclosure;
use super::keyed::live_row;
use super::room_actions::RoomActions;
use crate::i18n::{lang, t};
use crate::store::people::{people, Person};
use crate::store::Store;

const PANEL_ID: &str = "members-panel";

/// The header's button and, while open, the panel.
#[component]
pub fn MembersPanel(room: RoomId, name: Signal<String>) -> impl IntoView {
    let store = expect_context::<Store>();
    let state = store.room(room);
    let list = {
        let (members, presence, me) = (state.members(), state.presence(), store.me());
        Memo::new(move |_| {
            let members = members.get().unwrap_or_default();
            presence.with(|online| people(&members, online, me.get()))
        })
    };
    let panel = Disclosure::new();

    view! {
        <button
            type="button"
            class="members-toggle"
            node_ref=panel.button
            aria-expanded=move || panel.open.get().to_string()
            aria-controls=PANEL_ID
            on:click=move |_| panel.toggle()
        >
            {move || lang().members_button(list.with(Vec::len))}
        </button>
        <Show when=move || panel.open.get()>
            <aside id=PANEL_ID class="members" aria-label=t().members on:keydown=move |event| panel.close_on_escape(event)>
                <button type="button" class="members-close" aria-label=t().close_members on:click=move |_| panel.close()>
                    "×"
                </button>
                <Group label=t().online people=Memo::new(move |_| in_group(list, true)) />
                <Group label=t().offline_members people=Memo::new(move |_| in_group(list, false)) />
                <RoomActions room name />
            </aside>
        </Show>
    }
}

/// The people of `list` who are online, or who are not.
fn in_group(list: Memo<Vec<Person>>, online: bool) -> Vec<Person> {
    list.with(|list| list.iter().filter(|person| person.online == online).cloned().collect())
}

/// "Online — 2" and its people, each kept by id (a rename changes the name in
/// place); nothing when nobody is in the group.
#[component]
fn Group(label: &'static str, people: Memo<Vec<Person>>) -> impl IntoView {
    view! {
        <Show when=move || people.with(|p| !p.is_empty())>
            <h3 class="members-group">{move || format!("{label} — {}", people.with(Vec::len))}</h3>
            <ul class="members-list">
                <For
                    each=move || people.get()
                    key=|person| person.user
                    children=move |person| {
                        let me = person.me;
                        let person = live_row(people, person, |person| person.user);
                        view! {
                            <li class="person" class:online=move || person.with(|person| person.online)>
                                <span class="presence-dot" aria-hidden="true"></span>
                                <span class="person-name">{move || person.with(|person| person.name.clone())}</span>
                                {me.then(|| view! { <span class="person-you">{t().you}</span> })}
                            </li>
                        }
                    }
                />
            </ul>
        </Show>
    }
}
