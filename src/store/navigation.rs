//! Moving between your rooms from the keyboard: Alt+↑/↓ to the previous or
//! next room, Alt+Shift+↓ to the next one with unread messages. Pure logic over
//! the sidebar's list, tested natively.

use hanmadi_protocol::RoomId;

use super::RoomInfo;

/// The room `step` places away from `current` among your rooms, in the
/// sidebar's order, wrapping around. With no room open, ↓ starts at the first
/// room and ↑ at the last.
pub fn room_after(rooms: &[RoomInfo], current: Option<RoomId>, step: isize) -> Option<RoomId> {
    let mine: Vec<RoomId> = rooms.iter().filter(|room| room.member).map(|room| room.id).collect();
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

/// The first of your rooms after `current` (wrapping around) with unread messages.
pub fn next_unread(rooms: &[RoomInfo], current: Option<RoomId>) -> Option<RoomId> {
    let mine: Vec<&RoomInfo> = rooms.iter().filter(|room| room.member).collect();
    let start = current.and_then(|current| mine.iter().position(|room| room.id == current)).map_or(0, |at| at + 1);
    (0..mine.len())
        .map(|offset| mine[(start + offset) % mine.len()])
        .find(|room| room.unread.messages > 0 && Some(room.id) != current)
        .map(|room| room.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::reading::Unread;

    fn room(id: u64, member: bool, unread: u32) -> RoomInfo {
        RoomInfo { id: RoomId(id), name: format!("r{id}"), member, unread: Unread { messages: unread, mentions: 0 } }
    }

    #[test]
    fn alt_arrows_walk_your_rooms_in_sidebar_order_and_wrap() {
        let rooms = [room(1, true, 0), room(2, false, 0), room(3, true, 0), room(4, true, 0)];
        assert_eq!(room_after(&rooms, Some(RoomId(1)), 1), Some(RoomId(3)), "rooms you are not in are skipped");
        assert_eq!(room_after(&rooms, Some(RoomId(4)), 1), Some(RoomId(1)), "past the last comes the first");
        assert_eq!(room_after(&rooms, Some(RoomId(1)), -1), Some(RoomId(4)));
        assert_eq!(room_after(&rooms, None, 1), Some(RoomId(1)));
        assert_eq!(room_after(&rooms, None, -1), Some(RoomId(4)));
        assert_eq!(room_after(&[room(2, false, 0)], None, 1), None);
    }

    #[test]
    fn alt_shift_down_goes_to_the_next_room_with_unread_messages() {
        let rooms = [room(1, true, 2), room(2, true, 0), room(3, false, 5), room(4, true, 1)];
        assert_eq!(next_unread(&rooms, Some(RoomId(1))), Some(RoomId(4)));
        assert_eq!(next_unread(&rooms, Some(RoomId(4))), Some(RoomId(1)), "wrapping around");
        assert_eq!(next_unread(&rooms, None), Some(RoomId(1)));
        assert_eq!(next_unread(&[room(1, true, 3)], Some(RoomId(1))), None, "the room you are in does not count");
    }
}
