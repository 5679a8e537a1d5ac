//! Reactions as the page shows them: the ones the server has applied, with
//! yours still waiting in the outbox laid over them, so a reaction shows at
//! once, even offline, and stays right when the connection comes back. Pure
//! logic, tested natively.

use hanmadi_client_core::{ActionState, PendingAction};
use hanmadi_protocol::http::Reaction;
use hanmadi_protocol::{Action, MessageId, UserId};

/// One chip under a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShownReaction {
    pub emoji: String,
    pub count: usize,
    /// Whether you are among the people (so a click takes yours back).
    pub mine: bool,
    /// The others among them, in the order they reacted.
    pub others: Vec<UserId>,
    /// Whether your part in it is still waiting to be sent or confirmed.
    pub waiting: bool,
}

/// The chips of `message`: `applied` changed by your waiting reactions, in
/// the order you made them. Refused ones are not laid over.
pub fn shown(
    applied: &[Reaction],
    outbox: &[PendingAction],
    message: MessageId,
    me: Option<UserId>,
) -> Vec<ShownReaction> {
    let mut chips: Vec<ShownReaction> = applied
        .iter()
        .map(|r| ShownReaction {
            emoji: r.emoji.clone(),
            count: r.users.len(),
            mine: me.is_some_and(|me| r.users.contains(&me)),
            others: r.users.iter().copied().filter(|user| Some(*user) != me).collect(),
            waiting: false,
        })
        .collect();
    for pending in outbox.iter().filter(|p| !matches!(p.state, ActionState::Failed { .. })) {
        match &pending.action {
            Action::AddReaction { message: m, emoji, .. } if *m == message => {
                match chips.iter_mut().find(|chip| chip.emoji == *emoji) {
                    Some(chip) if chip.mine => {}
                    Some(chip) => {
                        chip.count += 1;
                        chip.mine = true;
                        chip.waiting = true;
                    }
                    None => chips.push(ShownReaction {
                        emoji: emoji.clone(),
                        count: 1,
                        mine: true,
                        others: Vec::new(),
                        waiting: true,
                    }),
                }
            }
            Action::RemoveReaction { message: m, emoji, .. } if *m == message => {
                if let Some(chip) = chips.iter_mut().find(|chip| chip.emoji == *emoji && chip.mine) {
                    chip.count -= 1;
                    chip.mine = false;
                    chip.waiting = true;
                }
                chips.retain(|chip| chip.count > 0);
            }
            _ => {}
        }
    }
    chips
}

#[cfg(test)]
mod tests {
    use super::*;
    use hanmadi_protocol::{ActionKey, RejectCode, RoomId};

    const MINA: UserId = UserId(1);
    const JUN: UserId = UserId(2);
    const MESSAGE: MessageId = MessageId(7);

    fn waiting(n: u32, action: Action, state: ActionState) -> PendingAction {
        PendingAction { key: ActionKey::new(format!("k{n}")).unwrap(), action, state }
    }

    fn add(emoji: &str) -> Action {
        Action::AddReaction { room: RoomId(1), message: MESSAGE, emoji: emoji.into() }
    }

    fn remove(emoji: &str) -> Action {
        Action::RemoveReaction { room: RoomId(1), message: MESSAGE, emoji: emoji.into() }
    }

    fn chips(list: &[ShownReaction]) -> Vec<(&str, usize, bool, bool)> {
        list.iter().map(|c| (c.emoji.as_str(), c.count, c.mine, c.waiting)).collect()
    }

    #[test]
    fn a_reaction_made_offline_shows_at_once_and_counts_once() {
        let applied = [Reaction { emoji: "👍".into(), users: vec![JUN] }];
        let outbox = [waiting(1, add("👍"), ActionState::Queued), waiting(2, add("🙏"), ActionState::Sending)];
        assert_eq!(
            chips(&shown(&applied, &outbox, MESSAGE, Some(MINA))),
            [("👍", 2, true, true), ("🙏", 1, true, true)]
        );

        let who = |list: &[ShownReaction]| list.iter().map(|c| c.others.clone()).collect::<Vec<_>>();
        assert_eq!(who(&shown(&applied, &outbox, MESSAGE, Some(MINA))), [vec![JUN], vec![]], "Jun and you; you");

        // Once the server has applied it, the outbox no longer holds it: still counted once.
        let applied = [Reaction { emoji: "👍".into(), users: vec![JUN, MINA] }];
        assert_eq!(chips(&shown(&applied, &outbox[..1], MESSAGE, Some(MINA))), [("👍", 2, true, false)]);
        assert_eq!(
            who(&shown(&applied, &outbox[..1], MESSAGE, Some(MINA))),
            [vec![JUN]],
            "you are not among the others"
        );
    }

    #[test]
    fn taking_one_back_offline_hides_it_and_other_messages_are_untouched() {
        let applied = [Reaction { emoji: "😂".into(), users: vec![MINA] }];
        let outbox = [waiting(1, remove("😂"), ActionState::Queued)];
        assert_eq!(chips(&shown(&applied, &outbox, MESSAGE, Some(MINA))), []);
        assert_eq!(chips(&shown(&applied, &outbox, MessageId(8), Some(MINA))), [("😂", 1, true, false)]);
    }

    #[test]
    fn a_refused_reaction_is_not_shown() {
        let refused = ActionState::Failed { code: RejectCode::NotFound, reason: "deleted".into(), problem: None };
        assert_eq!(chips(&shown(&[], &[waiting(1, add("👍"), refused)], MESSAGE, Some(MINA))), []);
    }
}
