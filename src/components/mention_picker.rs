//! The "Mention" list: typing `@` in the composer offers the room's members,
//! narrowed as the name is typed (Korean by syllables or initial consonants,
//! see `crate::mentions`). ↑/↓ move, Enter or Tab picks, Escape closes, a
//! click picks too; the focus stays in the composer throughout, which points
//! screen readers at the option in hand (`aria-activedescendant`).
//!
//! A pick writes `@Mina ` into the text and remembers whom it meant, so the
//! message is sent with her id (`MentionPicker::encode`).

use hanmadi_protocol::{Member, RoomId, UserId};
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::composer::composing;
use super::keyed::live_rows;
use super::reactive::{handler, memo, When};
use crate::i18n::t;
use crate::mentions;
use crate::store::people::people;
use crate::store::Store;

const LIST_ID: &str = "mention-list";

/// The list's state, shared by the composer's field and the list itself.
#[derive(Clone, Copy)]
pub struct MentionPicker {
    /// The `@name` being typed: where its `@` is and where the caret is (byte
    /// offsets into the text); `None` while the list is closed.
    typing: RwSignal<Option<(usize, usize)>>,
    /// The option in hand, by its place in the list.
    active: RwSignal<usize>,
    offered: Memo<Vec<Member>>,
    /// Everyone picked since the text was last sent.
    picked: StoredValue<Vec<Member>>,
    text: RwSignal<String>,
    field: NodeRef<html::Textarea>,
}

impl MentionPicker {
    /// A list for `room`'s members, picking into `text` (the value of `field`).
    pub fn new(room: RoomId, text: RwSignal<String>, field: NodeRef<html::Textarea>) -> Self {
        let store = expect_context::<Store>();
        let state = store.room(room);
        let (members, presence, me) = (state.members(), state.presence(), store.me());
        let typing = RwSignal::new(None::<(usize, usize)>);
        let offered = memo(move || {
            let Some((at, caret)) = typing.get() else { return Vec::new() };
            let members = members.get().unwrap_or_default();
            let everyone: Vec<Member> = presence
                .with(|online| people(&members, online, None))
                .into_iter()
                .map(|person| Member { user: person.user, name: person.name })
                .collect();
            text.with(|text| {
                let query = text.get(at + 1..caret).unwrap_or_default();
                mentions::offered(&everyone, me.get(), query).into_iter().cloned().collect()
            })
        });
        Self { typing, active: RwSignal::new(0), offered, picked: StoredValue::new(Vec::new()), text, field }
    }

    /// Whether the list is showing.
    fn open(self) -> bool {
        self.typing.with(Option::is_some) && self.offered.with(|offered| !offered.is_empty())
    }

    /// After each input: opens, narrows or closes the list for the `@name`
    /// at the caret.
    pub fn follow_caret(self) {
        let Some(field) = self.field.get_untracked() else { return };
        let caret = field.selection_start().ok().flatten().unwrap_or(0);
        let typing = self.text.with_untracked(|text| {
            let caret = mentions::byte_offset(text, caret);
            mentions::query_at(text, caret).map(|(at, _)| (at, caret))
        });
        // A list narrowed, or another `@name`: the first option is in hand,
        // as the one in hand before may be gone (and Enter would pick no one).
        if typing != self.typing.get_untracked() {
            self.active.set(0);
        }
        self.typing.set(typing);
    }

    pub fn close(self) {
        self.typing.set(None);
    }

    /// For the field's `on:keydown`, before its own keys: true when the key
    /// was the list's (the field then leaves it alone).
    pub fn handles_key(self, event: &KeyboardEvent) -> bool {
        if !self.open() || composing(event) {
            return false;
        }
        let count = self.offered.with_untracked(Vec::len);
        let active = in_hand(self.active.get_untracked(), count);
        match event.key().as_str() {
            "ArrowDown" => self.active.set((active + 1) % count),
            "ArrowUp" => self.active.set((active + count - 1) % count),
            "Enter" | "Tab" if !event.shift_key() => {
                let chosen = self.offered.with_untracked(|offered| offered.get(active).cloned());
                self.choose(chosen);
            }
            "Escape" => self.close(),
            _ => return false,
        }
        event.prevent_default();
        event.stop_propagation();
        true
    }

    /// Writes `@{name} ` in place of what was typed and puts the caret after it.
    fn choose(self, member: Option<Member>) {
        let (Some(member), Some((at, caret))) = (member, self.typing.get_untracked()) else { return };
        let Some((text, caret)) = self.text.with_untracked(|text| mentions::pick(text, at, caret, &member.name)) else {
            return self.close();
        };
        // Written into the field at once, caret and all, before the next key
        // can land: the render then finds the same value and leaves it.
        if let Some(field) = self.field.get_untracked() {
            field.set_value(&text);
            let caret = mentions::utf16_offset(&text, caret);
            let _ = field.set_selection_range(caret, caret);
        }
        self.text.set(text);
        self.picked.update_value(|picked| picked.push(member));
        self.close();
    }

    /// The text to send: the people picked, by id.
    pub fn encode(self, text: &str) -> String {
        self.picked.with_value(|picked| mentions::encode(text, picked))
    }

    /// Whom the mentions typed so far mean, to keep with a draft.
    pub fn picked(self) -> Vec<Member> {
        self.picked.get_value()
    }

    /// A kept draft is back in the field: its mentions mean whom they meant.
    pub fn resume(self, picked: Vec<Member>) {
        self.picked.set_value(picked);
    }

    /// The text was sent: nobody is picked any more.
    pub fn reset(self) {
        self.picked.set_value(Vec::new());
        self.close();
    }

    /// Whose option is in hand.
    fn active_user(self) -> Option<UserId> {
        self.offered.with(|offered| offered.get(in_hand(self.active.get(), offered.len())).map(|member| member.user))
    }

    /// The field's `aria-activedescendant`: the option in hand, while open.
    pub fn active_option(self) -> Option<String> {
        self.open().then(|| self.active_user().map(option_id)).flatten()
    }

    /// The field's `aria-controls`, while open.
    pub fn list_id(self) -> Option<&'static str> {
        self.open().then_some(LIST_ID)
    }
}

/// The place in hand within a list of `count` options: the list may have
/// shrunk under it with no keystroke (someone went offline, or a letter was
/// typed over another), and its last is then in hand.
fn in_hand(active: usize, count: usize) -> usize {
    active.min(count.saturating_sub(1))
}

fn option_id(user: UserId) -> String {
    format!("mention-{user}")
}

/// The list itself, under the composer's field while a name is being typed.
#[component]
pub fn MentionList(picker: MentionPicker) -> impl IntoView {
    view! {
        <When when=move || picker.open()>
            <ul id=LIST_ID class="mention-list" role="listbox" aria-label=t().mention>
                // A rename while the list is open shows in place.
                {live_rows(
                    picker.offered,
                    |member| member.user,
                    move |member| {
                        let user = member.with_untracked(|member| member.user);
                        let id = option_id(user);
                        let name = move || member.with(|member| member.name.clone());
                        let active = move || picker.active_user() == Some(user);
                        view! {
                            <li
                                id=id
                                role="option"
                                class:active=active
                                aria-selected=move || active().to_string()
                                // Not `click`: the field keeps the focus.
                                on:mousedown=handler(move |event: leptos::ev::MouseEvent| {
                                    event.prevent_default();
                                    picker.choose(Some(member.get_untracked()));
                                })
                            >
                                {name}
                            </li>
                        }
                        .into_any()
                    },
                )}
            </ul>
        </When>
    }
}

#[cfg(test)]
mod tests {
    use super::in_hand;

    #[test]
    fn the_option_in_hand_stays_within_a_list_that_shrank_under_it() {
        assert_eq!(in_hand(1, 3), 1);
        assert_eq!(in_hand(2, 1), 0, "the one left");
        assert_eq!(in_hand(0, 0), 0, "no option: nothing to pick at any place");
    }
}
