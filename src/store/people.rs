//! The members panel's list: everyone in the room, as fetched and kept
//! current by its joins and leaves, who of them is online, and which one is
//! you.

use hanmadi_client_core::sorting;
use hanmadi_protocol::{Member, RoomId, UserId};
use leptos::prelude::*;

use super::fetches::Ticket;
use super::{RoomState, Store};

/// A join or a leave, as the room's members list takes it: made twice, it
/// changes nothing more (the list fetched may already hold it).
#[derive(Debug, Clone)]
pub(super) enum MemberChange {
    Joined(Member),
    Left(UserId),
}

impl MemberChange {
    fn apply(&self, members: &mut Vec<Member>) {
        match self {
            Self::Joined(member) if !members.iter().any(|m| m.user == member.user) => members.push(member.clone()),
            Self::Joined(_) => {}
            Self::Left(user) => members.retain(|m| m.user != *user),
        }
    }
}

impl RoomState {
    /// Someone joined or left: the list shown, if fetched yet, and those on
    /// their way take it.
    pub(super) fn members_changed(&self, change: MemberChange) {
        self.members.update(|members| {
            if let Some(members) = members {
                change.apply(members);
            }
        });
        self.member_fetches.lock().expect("member fetches").heard(change);
    }
}

/// A fetch of a room's members on its way (see [`Store::begin_members_fetch`]).
/// Dropped unfinished, it gives up and shows nothing new.
pub struct MembersFetch {
    room: RoomState,
    ticket: Ticket,
}

impl MembersFetch {
    /// The list arrived: it replaces the one shown (names as they are online
    /// now: a rename heard while it was on its way is not undone by it), with
    /// every join and leave heard since the fetch began made again on top.
    pub fn finish(self, fetched: Vec<Member>) {
        let Some(heard) = self.room.member_fetches.lock().expect("member fetches").finish(self.ticket) else {
            return;
        };
        let mut members = fetched;
        for change in &heard {
            change.apply(&mut members);
        }
        self.room.presence.with_untracked(|online| take_names_online(&mut members, online));
        self.room.members.set(Some(members));
    }
}

impl Drop for MembersFetch {
    fn drop(&mut self) {
        self.room.member_fetches.lock().expect("member fetches").end();
    }
}

impl Store {
    /// A fetch of everyone in the room (`GET /api/rooms/{room}/members`, on
    /// opening it) begins; hand what it brings to [`MembersFetch::finish`].
    /// Its joins and leaves keep the list current from then on.
    pub fn begin_members_fetch(&self, room: RoomId) -> MembersFetch {
        let room = self.room(room);
        let ticket = room.member_fetches.lock().expect("member fetches").begin();
        MembersFetch { room, ticket }
    }
}

/// One line of the members panel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Person {
    pub user: UserId,
    pub name: String,
    pub online: bool,
    pub me: bool,
}

/// The room's members with who is online, online first, each group by name
/// (ignoring case). Someone online whom the list does not have yet (they joined
/// a moment ago) is shown too, under the name they are online with.
pub fn people(members: &[Member], online: &[Member], me: Option<UserId>) -> Vec<Person> {
    let is_online = |user: UserId| online.iter().any(|m| m.user == user);
    let newcomers = online.iter().filter(|o| !members.iter().any(|m| m.user == o.user));
    let mut people: Vec<Person> = members
        .iter()
        .chain(newcomers)
        .map(|m| Person { user: m.user, name: m.name.clone(), online: is_online(m.user), me: Some(m.user) == me })
        .collect();
    sorting::sort_by_cached_key(&mut people, |p| (!p.online, super::lowercase(&p.name), p.user));
    people
}

/// Gives the fetched members the names they are online with: someone who
/// renamed themselves since the list was fetched keeps the new name once they
/// go offline. Whether any changed.
pub fn take_names_online(members: &mut [Member], online: &[Member]) -> bool {
    let mut changed = false;
    for member in members.iter_mut() {
        if let Some(now) = online.iter().find(|now| now.user == member.user && now.name != member.name) {
            member.name.clone_from(&now.name);
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(user: u64, name: &str) -> Member {
        Member { user: UserId(user), name: name.into() }
    }

    #[test]
    fn online_people_come_first_and_each_group_is_by_name() {
        let members = [member(1, "mina"), member(2, "Jun"), member(3, "Sora"), member(4, "ari")];
        let online = [member(3, "Sora"), member(1, "mina"), member(5, "Yuna")];
        let list = people(&members, &online, Some(UserId(1)));
        let seen: Vec<(&str, bool, bool)> = list.iter().map(|p| (p.name.as_str(), p.online, p.me)).collect();
        assert_eq!(
            seen,
            [
                ("mina", true, true),
                ("Sora", true, false),
                ("Yuna", true, false),
                ("ari", false, false),
                ("Jun", false, false)
            ]
        );
    }

    #[test]
    fn a_name_taken_online_stays_once_they_go_offline() {
        let mut members = [member(1, "Mina"), member(2, "Jun")];
        assert!(take_names_online(&mut members, &[member(2, "Jun Park")]));
        assert!(!take_names_online(&mut members, &[]), "gone offline: nothing to take");
        assert_eq!(people(&members, &[], None)[0].name, "Jun Park");
    }

    #[test]
    fn nobody_is_online_in_an_empty_presence() {
        let list = people(&[member(1, "Mina")], &[], None);
        assert_eq!(list, [Person { user: UserId(1), name: "Mina".into(), online: false, me: false }]);
    }
}
