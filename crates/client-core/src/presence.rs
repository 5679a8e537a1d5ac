//! Who is in each room right now, kept from a snapshot and the changes after it.
//!
//! The server sends a room's whole list once after each resume of the room (the
//! snapshot), then one small change per join, leave or rename, each with a version
//! that rises along the connection. The rules:
//!
//! - a snapshot replaces whatever is held for the room, whatever its version: after
//!   a reconnect the server may be another node, whose versions are unrelated to
//!   the ones held;
//! - a change applies only if its version is above the one held (the snapshot's or
//!   the last applied change's); otherwise the held list already includes it, as
//!   when the server queued it before the snapshot it is part of;
//! - a change for a room without a snapshot on this connection is ignored: it has
//!   nothing to build on, and the snapshot that follows every resume includes it.

use hanmadi_protocol::{Member, PresenceChange, RoomId, UserId, Version};

use crate::sorted_map::SortedMap;

#[derive(Debug)]
struct RoomPresence {
    /// What the list is up to on this connection; none while it is left over from
    /// an earlier one and waits for this one's snapshot.
    version: Option<Version>,
    /// By user id, so that a rename or a reconnect never reorders the list.
    members: SortedMap<UserId, String>,
}

#[derive(Debug, Default)]
pub struct Presence {
    rooms: SortedMap<RoomId, RoomPresence>,
}

impl Presence {
    /// The room's whole list, replacing what was held.
    pub fn on_snapshot(&mut self, room: RoomId, version: Version, members: Vec<Member>) {
        let members = members.into_iter().map(|Member { user, name }| (user, name)).collect();
        self.rooms.insert(room, RoomPresence { version: Some(version), members });
    }

    /// One change. True if it changed who is in the room or under what name.
    pub fn on_change(&mut self, room: RoomId, version: Version, change: PresenceChange) -> bool {
        let newer = |presence: &&mut RoomPresence| presence.version.is_some_and(|held| version > held);
        let Some(presence) = self.rooms.get_mut(&room).filter(newer) else { return false };
        presence.version = Some(version);
        let members = &mut presence.members;
        match change {
            PresenceChange::Joined { user, name } => members.insert(user, name.clone()).is_none_or(|old| old != name),
            PresenceChange::Left { user } => members.remove(&user).is_some(),
            // Renaming someone not held would make them present: only a join does that.
            PresenceChange::Renamed { user, name } => match members.get_mut(&user) {
                Some(held) if *held != name => {
                    *held = name;
                    true
                }
                _ => false,
            },
        }
    }

    /// Who is in the room, in a stable order.
    pub fn members(&self, room: RoomId) -> Vec<Member> {
        self.rooms.get(&room).map_or_else(Vec::new, |presence| {
            presence.members.iter().map(|(user, name)| Member { user: *user, name: name.clone() }).collect()
        })
    }

    /// The room is no longer followed: its presence stops being news. True if
    /// anyone was held as present.
    pub fn forget(&mut self, room: RoomId) -> bool {
        self.rooms.remove(&room).is_some_and(|presence| !presence.members.is_empty())
    }

    /// The connection is gone. Its versions mean nothing on the next one, whose
    /// changes wait for its snapshots; until then the lists stay as they are, so a
    /// blip does not empty them.
    pub fn connection_lost(&mut self) {
        for presence in self.rooms.values_mut() {
            presence.version = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use proptest::prelude::*;

    const ROOM: RoomId = RoomId(1);

    fn member(user: u64, name: &str) -> Member {
        Member { user: UserId(user), name: name.into() }
    }

    fn joined(user: u64, name: &str) -> PresenceChange {
        PresenceChange::Joined { user: UserId(user), name: name.into() }
    }

    fn left(user: u64) -> PresenceChange {
        PresenceChange::Left { user: UserId(user) }
    }

    fn renamed(user: u64, name: &str) -> PresenceChange {
        PresenceChange::Renamed { user: UserId(user), name: name.into() }
    }

    fn names(presence: &Presence) -> Vec<String> {
        presence.members(ROOM).into_iter().map(|m| m.name).collect()
    }

    #[test]
    fn changes_build_on_the_snapshot() {
        let mut presence = Presence::default();
        presence.on_snapshot(ROOM, Version(10), vec![member(3, "Jun"), member(2, "Mina")]);
        assert_eq!(names(&presence), ["Mina", "Jun"], "by user, whatever order the server listed");
        assert!(presence.on_change(ROOM, Version(11), joined(4, "Sora")));
        assert!(presence.on_change(ROOM, Version(12), left(2)));
        assert_eq!(names(&presence), ["Jun", "Sora"]);
    }

    #[test]
    fn a_change_the_held_list_already_includes_is_dropped() {
        let mut presence = Presence::default();
        presence.on_snapshot(ROOM, Version(10), vec![member(2, "Mina")]);
        assert!(!presence.on_change(ROOM, Version(9), left(2)), "older than the snapshot");
        assert!(!presence.on_change(ROOM, Version(10), left(2)), "as old as the snapshot");
        assert!(presence.on_change(ROOM, Version(12), left(2)));
        assert!(!presence.on_change(ROOM, Version(11), joined(2, "Mina")), "older than the last change");
        assert_eq!(names(&presence), Vec::<String>::new());
    }

    #[test]
    fn a_snapshot_replaces_what_is_held_even_with_a_lower_version() {
        // After a reconnect to another node, whose versions are unrelated.
        let mut presence = Presence::default();
        presence.on_snapshot(ROOM, Version(900), vec![member(2, "Mina")]);
        presence.on_snapshot(ROOM, Version(4), vec![member(3, "Jun")]);
        assert_eq!(names(&presence), ["Jun"]);
        assert!(presence.on_change(ROOM, Version(5), joined(2, "Mina")), "changes build on the new snapshot");
        assert_eq!(names(&presence), ["Mina", "Jun"]);
    }

    #[test]
    fn a_rename_keeps_the_place_and_only_renames_someone_present() {
        let mut presence = Presence::default();
        presence.on_snapshot(ROOM, Version(1), vec![member(2, "Mina"), member(3, "Jun")]);
        assert!(presence.on_change(ROOM, Version(2), renamed(2, "미나")));
        assert_eq!(names(&presence), ["미나", "Jun"]);
        assert!(!presence.on_change(ROOM, Version(3), renamed(2, "미나")), "the same name changes nothing");
        assert!(!presence.on_change(ROOM, Version(4), renamed(5, "Yuna")), "not present, not made present");
        assert_eq!(names(&presence), ["미나", "Jun"]);
    }

    #[test]
    fn someone_not_present_leaving_or_someone_present_joining_changes_nothing() {
        let mut presence = Presence::default();
        presence.on_snapshot(ROOM, Version(1), vec![member(2, "Mina")]);
        assert!(!presence.on_change(ROOM, Version(2), left(7)));
        assert!(!presence.on_change(ROOM, Version(3), joined(2, "Mina")));
        assert!(presence.on_change(ROOM, Version(4), joined(2, "미나")), "a join under a new name renames");
        assert_eq!(names(&presence), ["미나"]);
    }

    #[test]
    fn a_change_before_any_snapshot_is_ignored() {
        let mut presence = Presence::default();
        assert!(!presence.on_change(ROOM, Version(1), joined(2, "Mina")));
        assert_eq!(presence.members(ROOM), []);
    }

    #[test]
    fn after_a_lost_connection_the_list_stays_and_waits_for_the_next_snapshot() {
        let mut presence = Presence::default();
        presence.on_snapshot(ROOM, Version(2), vec![member(2, "Mina")]);
        presence.connection_lost();
        assert!(!presence.on_change(ROOM, Version(3), joined(3, "Jun")), "nothing to build on yet");
        assert_eq!(names(&presence), ["Mina"]);
        presence.on_snapshot(ROOM, Version(1), vec![member(3, "Jun")]);
        assert!(presence.on_change(ROOM, Version(2), left(3)));
        assert_eq!(presence.members(ROOM), []);
    }

    #[test]
    fn forgetting_a_room_says_whether_anyone_was_shown() {
        let mut presence = Presence::default();
        presence.on_snapshot(ROOM, Version(1), vec![]);
        assert!(!presence.forget(ROOM));
        presence.on_snapshot(ROOM, Version(1), vec![member(2, "Mina")]);
        assert!(presence.forget(ROOM));
        assert!(!presence.forget(ROOM));
    }

    /// The server's side: who is in the room after these changes to an empty one.
    fn truth_after(changes: &[PresenceChange]) -> Vec<Member> {
        let mut truth = BTreeMap::new();
        for change in changes {
            match change {
                PresenceChange::Joined { user, name } => {
                    truth.insert(*user, name.clone());
                }
                PresenceChange::Left { user } => {
                    truth.remove(user);
                }
                PresenceChange::Renamed { user, name } => {
                    if let Some(held) = truth.get_mut(user) {
                        *held = name.clone();
                    }
                }
            }
        }
        truth.into_iter().map(|(user, name)| Member { user, name }).collect()
    }

    fn change() -> impl Strategy<Value = PresenceChange> {
        let user = (1u64..6).prop_map(UserId);
        let name = prop_oneof![Just("Mina"), Just("Jun"), Just("미나"), Just("준")].prop_map(String::from);
        prop_oneof![
            (user.clone(), name.clone()).prop_map(|(user, name)| PresenceChange::Joined { user, name }),
            user.clone().prop_map(|user| PresenceChange::Left { user }),
            (user, name).prop_map(|(user, name)| PresenceChange::Renamed { user, name }),
        ]
    }

    proptest! {
        /// Whatever was held before (another node's list, any version), and
        /// whichever of the changes the snapshot includes arrive late or twice,
        /// the list ends as the server's.
        #[test]
        fn the_list_ends_as_the_servers_whatever_arrives_late_or_twice(
            held in (any::<u64>(), proptest::collection::vec(change(), 0..6)),
            base in 0u64..1_000,
            changes in proptest::collection::vec(change(), 0..20),
            snapshot_at in any::<prop::sample::Index>(),
            late in proptest::collection::vec(any::<prop::sample::Index>(), 0..5),
            twice in proptest::collection::vec(any::<bool>(), 20),
        ) {
            let mut presence = Presence::default();
            presence.on_snapshot(ROOM, Version(held.0), truth_after(&held.1));
            let version = |i: usize| Version(base + i as u64 + 1);
            let k = snapshot_at.index(changes.len() + 1);
            // Changes the snapshot includes: first as queued before it, then late copies.
            for (i, change) in changes[..k].iter().enumerate() {
                presence.on_change(ROOM, version(i), change.clone());
            }
            presence.on_snapshot(ROOM, Version(base + k as u64), truth_after(&changes[..k]));
            for index in &late {
                if k > 0 {
                    let i = index.index(k);
                    presence.on_change(ROOM, version(i), changes[i].clone());
                }
            }
            for (i, change) in changes.iter().enumerate().skip(k) {
                presence.on_change(ROOM, version(i), change.clone());
                if twice[i] {
                    presence.on_change(ROOM, version(i), change.clone());
                }
            }
            prop_assert_eq!(presence.members(ROOM), truth_after(&changes));
        }
    }
}
