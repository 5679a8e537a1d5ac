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
