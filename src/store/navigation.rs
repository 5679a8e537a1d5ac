//! Moving between your rooms from the keyboard: Alt+↑/↓ to the previous or
//! next room, Alt+Shift+↓ to the next one with unread messages. Pure logic over
//! the sidebar's list, tested natively.

use std::cmp::Reverse;

use hanmadi_client_core::sorting::sort_by_cached_key;
use hanmadi_protocol::http::RoomKind;
use hanmadi_protocol::{RoomId, UserId};

use super::{reading, RoomInfo};

/// Your rooms in the sidebar's order: the rooms first, in the list's order,
/// then the direct conversations, the one heard from last first, or as
/// `shown` while the sidebar holds them still (see [`in_order_shown`]).
pub fn yours_in_sidebar_order<'a>(rooms: &'a [RoomInfo], shown: &[RoomId]) -> impl Iterator<Item = &'a RoomInfo> {
    let conversations = in_order_shown(conversations(rooms), shown);
    rooms.iter().filter(|room| room.member && !is_direct(room)).chain(conversations)
}

/// Your direct conversations as the sidebar lists them: the one whose newest
/// message is newest first, as in every chat app, then those where nothing
/// has been said yet, the newest made first.
pub fn conversations(rooms: &[RoomInfo]) -> Vec<&RoomInfo> {
    let mut yours: Vec<&RoomInfo> = rooms.iter().filter(|room| room.member && is_direct(room)).collect();
    sort_by_cached_key(&mut yours, |room| Reverse((room.last.as_ref().map(|last| last.at), room.id)));
    yours
}

/// Whether the room is listed under "Direct messages".
pub fn is_direct(room: &RoomInfo) -> bool {
    room.kind == RoomKind::Direct
}

/// Your direct conversation with `user`, if you have one: "Message" opens it
/// at once (offline too) instead of asking the server.
pub fn direct_with(rooms: &[RoomInfo], user: UserId) -> Option<RoomId> {
    rooms.iter().find(|room| room.member && is_direct(room) && room.with == Some(user)).map(|room| room.id)
}

/// `conversations` put back in the order `shown` lists them, any not shown
/// last: while the sidebar holds still (see `RoomsNav`).
pub fn in_order_shown<'a>(conversations: Vec<&'a RoomInfo>, shown: &[RoomId]) -> Vec<&'a RoomInfo> {
    let mut ordered: Vec<&RoomInfo> =
        shown.iter().filter_map(|id| conversations.iter().find(|room| room.id == *id).copied()).collect();
    ordered.extend(conversations.into_iter().filter(|room| !shown.contains(&room.id)));
    ordered
}

/// The room `step` places away from `current` among your rooms, in the
/// sidebar's order (its conversations as `shown`), wrapping around. With no
/// room open, ↓ starts at the first room and ↑ at the last.
pub fn room_after(rooms: &[RoomInfo], shown: &[RoomId], current: Option<RoomId>, step: isize) -> Option<RoomId> {
    let mine: Vec<RoomId> = yours_in_sidebar_order(rooms, shown).map(|room| room.id).collect();
    let count = mine.len() as isize;
    if count == 0 {
        return None;
    }
    let next = match current.and_then(|current| mine.iter().position(|id| *id == current)) {
        Some(at) => (at as isize + step).rem_euclid(count),
        None if step > 0 => 0,
        None => count - 1,
    };
    Some(mine[next as usize])
}

/// The first of your rooms after `current` (wrapping around) with unread
/// messages, in the sidebar's order (its conversations as `shown`).
pub fn next_unread(rooms: &[RoomInfo], shown: &[RoomId], current: Option<RoomId>) -> Option<RoomId> {
    let mine: Vec<&RoomInfo> = yours_in_sidebar_order(rooms, shown).collect();
    let start = current.and_then(|current| mine.iter().position(|room| room.id == current)).map_or(0, |at| at + 1);
    (0..mine.len())
        .map(|offset| mine[(start + offset) % mine.len()])
        .find(|room| reading::has_unread(room) && Some(room.id) != current)
        .map(|room| room.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::reading::Unread;
    use hanmadi_protocol::http::LastMessage;
    use hanmadi_protocol::{MessageId, Seq};

    fn room(id: u64, member: bool, unread: u32) -> RoomInfo {
        RoomInfo {
            member,
            unread: Unread { messages: unread, mentions: 0 },
            ..RoomInfo::listed(RoomId(id), format!("r{id}"), RoomKind::Public)
        }
    }

    #[test]
    fn alt_arrows_walk_your_rooms_in_sidebar_order_and_wrap() {
        let rooms = [room(1, true, 0), room(2, false, 0), room(3, true, 0), room(4, true, 0)];
        assert_eq!(room_after(&rooms, &[], Some(RoomId(1)), 1), Some(RoomId(3)), "rooms you are not in are skipped");
        assert_eq!(room_after(&rooms, &[], Some(RoomId(4)), 1), Some(RoomId(1)), "past the last comes the first");
        assert_eq!(room_after(&rooms, &[], Some(RoomId(1)), -1), Some(RoomId(4)));
        assert_eq!(room_after(&rooms, &[], None, 1), Some(RoomId(1)));
        assert_eq!(room_after(&rooms, &[], None, -1), Some(RoomId(4)));
        assert_eq!(room_after(&[room(2, false, 0)], &[], None, 1), None);
    }

    #[test]
    fn alt_shift_down_goes_to_the_next_room_with_unread_messages() {
        let rooms = [room(1, true, 2), room(2, true, 0), room(3, false, 5), room(4, true, 1)];
        assert_eq!(next_unread(&rooms, &[], Some(RoomId(1))), Some(RoomId(4)));
        assert_eq!(next_unread(&rooms, &[], Some(RoomId(4))), Some(RoomId(1)), "wrapping around");
        assert_eq!(next_unread(&rooms, &[], None), Some(RoomId(1)));
        assert_eq!(next_unread(&[room(1, true, 3)], &[], Some(RoomId(1))), None, "the room you are in does not count");
    }

    #[test]
    fn direct_conversations_come_after_the_rooms_as_the_sidebar_shows_them() {
        let direct = |id| RoomInfo { kind: RoomKind::Direct, ..room(id, true, 1) };
        let rooms = [room(1, true, 0), direct(2), room(3, true, 0)];
        let order: Vec<RoomId> = yours_in_sidebar_order(&rooms, &[]).map(|room| room.id).collect();
        assert_eq!(order, [RoomId(1), RoomId(3), RoomId(2)]);
        assert_eq!(
            room_after(&rooms, &[], Some(RoomId(3)), 1),
            Some(RoomId(2)),
            "from the last room to the first conversation"
        );
        assert_eq!(next_unread(&rooms, &[], Some(RoomId(1))), Some(RoomId(2)), "an unread conversation is found too");
    }

    #[test]
    fn the_conversation_heard_from_last_comes_first_and_alt_arrows_follow_it() {
        let said_at = |id, at: Option<u64>| RoomInfo {
            kind: RoomKind::Direct,
            last: at.map(|at| LastMessage {
                id: MessageId(id),
                seq: Seq(id),
                at,
                author: UserId(9),
                author_name: "Sora".into(),
                text: "hi".into(),
                files: 0,
                first_file: None,
            }),
            ..room(id, true, 0)
        };
        let rooms =
            [room(1, true, 0), said_at(2, Some(500)), said_at(3, None), said_at(4, Some(900)), said_at(5, None)];
        let order: Vec<RoomId> = yours_in_sidebar_order(&rooms, &[]).map(|room| room.id).collect();
        assert_eq!(order, [1, 4, 2, 5, 3].map(RoomId), "newest said first, then nothing said, newest made first");
        assert_eq!(room_after(&rooms, &[], Some(RoomId(1)), 1), Some(RoomId(4)), "Alt+↓ goes as the list shows");

        // Held still, the sidebar shows them as before 2 and 4 were heard from.
        let shown = [3, 2, 5, 4].map(RoomId);
        let order: Vec<RoomId> = yours_in_sidebar_order(&rooms, &shown).map(|room| room.id).collect();
        assert_eq!(order, [1, 3, 2, 5, 4].map(RoomId), "as shown");
        assert_eq!(room_after(&rooms, &shown, Some(RoomId(1)), 1), Some(RoomId(3)), "Alt+↓ goes as shown");
    }

    #[test]
    fn held_still_the_conversations_keep_the_order_shown_and_a_new_one_comes_last() {
        let direct = |id| RoomInfo { kind: RoomKind::Direct, ..room(id, true, 0) };
        let fresh = [direct(3), direct(1), direct(4), direct(2)];
        let held = in_order_shown(fresh.iter().collect(), &[RoomId(1), RoomId(5), RoomId(2), RoomId(3)]);
        assert_eq!(held.iter().map(|room| room.id.0).collect::<Vec<_>>(), [1, 2, 3, 4], "one gone, one new");
    }

    #[test]
    fn message_opens_the_conversation_you_have_with_that_person() {
        let with = |id, user| RoomInfo { kind: RoomKind::Direct, with: Some(UserId(user)), ..room(id, true, 0) };
        let rooms = [room(1, true, 0), with(2, 7), with(3, 8)];
        assert_eq!(direct_with(&rooms, UserId(8)), Some(RoomId(3)));
        assert_eq!(direct_with(&rooms, UserId(9)), None, "none yet: the server opens one");
    }
}
