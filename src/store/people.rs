//! The members panel's list: everyone in the room, who of them is online, and
//! which one is you. Pure logic, tested natively.

use hanmadi_client_core::sorting;
use hanmadi_protocol::{Member, UserId};

/// One line of the members panel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Person {
    pub user: UserId,
    pub name: String,
    pub online: bool,
    pub me: bool,
}

/// The room's members with who is online, online first, each group by name
/// (ignoring case). Someone online is shown under the name they are online
/// with, which follows a rename at once (the members list has the name they
/// had when it was fetched); one the list does not have yet (they joined a
/// moment ago) is shown too.
pub fn people(members: &[Member], online: &[Member], me: Option<UserId>) -> Vec<Person> {
    let online_as = |user: UserId| online.iter().find(|m| m.user == user);
    let newcomers = online.iter().filter(|o| !members.iter().any(|m| m.user == o.user));
    let mut people: Vec<Person> = members
        .iter()
        .chain(newcomers)
        .map(|m| {
            let now = online_as(m.user);
            let name = now.map_or(&m.name, |now| &now.name).clone();
            Person { user: m.user, name, online: now.is_some(), me: Some(m.user) == me }
        })
        .collect();
    sorting::sort_by_cached_key(&mut people, |p| (!p.online, super::lowercase(&p.name), p.user));
    people
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
    fn someone_online_goes_by_the_name_they_just_took() {
        let list = people(&[member(2, "Jun")], &[member(2, "Jun Park")], None);
        assert_eq!(list, [Person { user: UserId(2), name: "Jun Park".into(), online: true, me: false }]);
    }

    #[test]
    fn nobody_is_online_in_an_empty_presence() {
        let list = people(&[member(1, "Mina")], &[], None);
        assert_eq!(list, [Person { user: UserId(1), name: "Mina".into(), online: false, me: false }]);
    }
}
