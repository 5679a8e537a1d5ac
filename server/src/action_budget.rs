//! How many actions one connection may apply, and the order they keep when it
//! runs out.
//!
//! Three rules, for clients that resend their outbox after every reconnect:
//! - a replay costs nothing: an action over the budget is still looked up, and
//!   a key applied before gets its original outcome (its token, if one was
//!   taken, is given back);
//! - a new action over the budget is deferred: refused as `rate_limited`, not
//!   recorded, so the client sends it again later under the same key;
//! - order is kept: once one action is deferred, every later new action on the
//!   connection is deferred too, until the client sends the first deferred one
//!   again (its outbox resends in order, so it comes first). Otherwise a later
//!   message could be applied before an earlier one that waited.

use hanmadi_protocol::ActionKey;

use crate::rate_limit::TokenBucket;
use crate::store::{Admission, Settled};

#[derive(Debug)]
pub struct ActionBudget {
    bucket: TokenBucket,
    /// The earliest action that was (or may yet be) deferred.
    deferred_from: Option<ActionKey>,
}

/// An action let through [`ActionBudget::admit`], as the connection keeps it
/// while the writer works on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub key: ActionKey,
    pub admission: Admission,
}

impl ActionBudget {
    pub fn new(bucket: TokenBucket) -> Self {
        Self { bucket, deferred_from: None }
    }

    /// Whether a new action under `key` may be applied, or only answered if
    /// it is a repeat.
    pub fn admit(&mut self, key: ActionKey) -> Admitted {
        if self.deferred_from.as_ref() == Some(&key) || self.bucket.is_full() {
            // The first deferred action is back (or the client has been quiet
            // for a whole burst's worth of time, having given up on it).
            self.deferred_from = None;
        }
        let admission = if self.deferred_from.is_none() && self.bucket.try_take() {
            Admission::Apply
        } else {
            self.deferred_from.get_or_insert_with(|| key.clone());
            Admission::RepeatOnly
        };
        Admitted { key, admission }
    }

    /// The writer settled `admitted` (the oldest in flight); `later` are the
    /// actions still in flight after it, oldest first.
    pub fn settled<'a>(
        &mut self,
        admitted: &Admitted,
        settled: &Settled,
        later: impl IntoIterator<Item = &'a Admitted>,
    ) {
        if !matches!(settled, Settled::Repeat(_)) {
            return;
        }
        if admitted.admission == Admission::Apply {
            self.bucket.give_back();
        }
        if self.deferred_from.as_ref() == Some(&admitted.key) {
            // Done already, so it will not come again: the next action that
            // was held back is now the first one the client must resend.
            self.deferred_from =
                later.into_iter().find(|later| later.admission == Admission::RepeatOnly).map(|later| later.key.clone());
        }
    }

    /// The refusal's wording: when a token is back.
    pub fn retry_message(&self) -> String {
        format!("too many actions; try again in {} s", self.bucket.wait().as_secs_f64().ceil())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hanmadi_protocol::{Outcome, RoomId};

    use super::*;

    fn key(n: u32) -> ActionKey {
        ActionKey::new(format!("k{n}")).unwrap()
    }

    fn repeat() -> Settled {
        Settled::Repeat(Outcome::Applied { room: RoomId(1), seq: None, message: None })
    }

    /// A budget of 3 actions, refilled at one a second, already spent.
    fn spent() -> ActionBudget {
        let mut budget = ActionBudget::new(TokenBucket::new(3, 1));
        for n in 100..103 {
            assert_eq!(budget.admit(key(n)).admission, Admission::Apply);
        }
        budget
    }

    #[tokio::test(start_paused = true)]
    async fn a_replay_costs_nothing_and_a_new_action_over_the_budget_waits() {
        let mut budget = ActionBudget::new(TokenBucket::new(2, 1));
        let first = budget.admit(key(1));
        let second = budget.admit(key(2));
        assert_eq!((first.admission, second.admission), (Admission::Apply, Admission::Apply));
        budget.settled(&first, &repeat(), [&second]);
        budget.settled(&second, &repeat(), []);
        // Both tokens are back: two more may apply, then no more.
        assert_eq!(budget.admit(key(3)).admission, Admission::Apply);
        assert_eq!(budget.admit(key(4)).admission, Admission::Apply);
        assert_eq!(budget.admit(key(5)).admission, Admission::RepeatOnly);
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_deferral_later_actions_wait_until_the_first_one_comes_again() {
        let mut budget = spent();
        assert_eq!(budget.admit(key(1)).admission, Admission::RepeatOnly);
        tokio::time::advance(Duration::from_secs(2)).await;
        // Tokens are back, but key 2 must not overtake key 1.
        assert_eq!(budget.admit(key(2)).admission, Admission::RepeatOnly);
        assert_eq!(budget.admit(key(1)).admission, Admission::Apply);
        assert_eq!(budget.admit(key(2)).admission, Admission::Apply);
    }

    #[tokio::test(start_paused = true)]
    async fn a_held_back_repeat_hands_the_wait_to_the_next_held_action() {
        let mut budget = spent();
        let replayed = budget.admit(key(1));
        let new = budget.admit(key(2));
        budget.settled(&replayed, &repeat(), [&new]);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(budget.admit(key(3)).admission, Admission::RepeatOnly, "key 2 is still first in line");
        assert_eq!(budget.admit(key(2)).admission, Admission::Apply);
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_gave_up_on_its_deferred_action_is_not_held_forever() {
        let mut budget = spent();
        assert_eq!(budget.admit(key(1)).admission, Admission::RepeatOnly);
        tokio::time::advance(Duration::from_secs(3)).await;
        assert_eq!(budget.admit(key(2)).admission, Admission::Apply, "a full budget lets the next one through");
    }
}
