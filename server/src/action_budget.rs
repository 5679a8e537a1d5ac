//! How many actions one person may apply, and the order a connection's actions
//! keep when the person runs out.
//!
//! The tokens are the person's, shared by all their sockets on this node: a new
//! socket starts from what the last one left, or a script reconnecting again
//! and again could act at any rate. Three rules, for clients that resend their
//! outbox after every reconnect:
//! - a replay costs nothing: an action over the budget is still looked up, and
//!   a key applied before gets its original outcome (its token, if one was
//!   taken, is given back);
//! - a new action over the budget is deferred: refused as `rate_limited`, not
//!   recorded, so the client sends it again later under the same key;
//! - order is kept: once one action is deferred, every later new action on the
//!   connection is deferred too, until the client sends the first deferred one
//!   again (its outbox resends in order, so it comes first). Otherwise a later
//!   message could be applied before an earlier one that waited. This is the
//!   connection's own: another connection's actions are not in its line. An
//!   action the connection refused for its frame rate, before it came here,
//!   waits in the same line.
//!
//! A client that gave up on its first deferred action (its person deleted the
//! message) does not hold the line forever: after as long as a spent budget
//! takes to fill again, the line is let go.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hanmadi_protocol::limits::OUTBOX_CAPACITY;
use hanmadi_protocol::{ActionKey, UserId};
use tokio::time::Instant;

use crate::rate_limit::TokenBucket;
use crate::store::{Admission, Settled};

/// How often the buckets of people who have not acted for a while are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Every person's action tokens on this node: one bucket each, shared by all
/// their sockets.
pub struct ActionTokens {
    burst: u32,
    per_second: u32,
    buckets: Mutex<Buckets>,
}

struct Buckets {
    by_person: HashMap<UserId, TokenBucket>,
    swept: Instant,
}

impl Buckets {
    /// Drops the buckets that are full again. A new bucket starts full, so
    /// forgetting one changes nothing, and only the people who acted lately
    /// are remembered.
    fn sweep_if_due(&mut self) {
        if self.swept.elapsed() >= SWEEP_EVERY {
            self.by_person.retain(|_, bucket| !bucket.is_full());
            self.swept = Instant::now();
        }
    }
}

impl ActionTokens {
    /// `per_second` actions a second for each person, in bursts of ten
    /// seconds' worth and never less than a full outbox, so that an outbox
    /// that filled while offline goes through at once.
    pub fn new(per_second: u32) -> Self {
        Self::with_burst(per_second.saturating_mul(10).max(OUTBOX_CAPACITY as u32), per_second)
    }

    fn with_burst(burst: u32, per_second: u32) -> Self {
        let buckets = Buckets { by_person: HashMap::new(), swept: Instant::now() };
        Self { burst, per_second, buckets: Mutex::new(buckets) }
    }

    /// How long a spent bucket takes to fill again.
    fn refill_time(&self) -> Duration {
        Duration::from_secs_f64(f64::from(self.burst) / f64::from(self.per_second.max(1)))
    }

    /// Runs `use_bucket` on `person`'s bucket.
    fn with_bucket<T>(&self, person: UserId, use_bucket: impl FnOnce(&mut TokenBucket) -> T) -> T {
        let mut buckets = self.buckets.lock().expect("action tokens lock");
        buckets.sweep_if_due();
        let bucket = buckets.by_person.entry(person).or_insert_with(|| TokenBucket::new(self.burst, self.per_second));
        use_bucket(bucket)
    }
}

/// One connection's use of its person's tokens.
pub struct ActionBudget {
    tokens: Arc<ActionTokens>,
    person: UserId,
    /// The connection's actions held back that its client must send again,
    /// oldest first: while any waits, every new action waits behind it.
    held_back: VecDeque<ActionKey>,
    /// Since when the first of them has held the line (it was held back, or
    /// refused again, or became the first).
    first_since: Instant,
}

/// Keys remembered in one connection's line. An honest client holds at most
/// a few outboxes' worth; past this, later keys still wait, unremembered.
const MAX_HELD_BACK: usize = 4 * OUTBOX_CAPACITY;

/// An action let through [`ActionBudget::admit`], as the connection keeps it
/// while the writer works on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub key: ActionKey,
    pub admission: Admission,
}

impl ActionBudget {
    pub fn new(tokens: Arc<ActionTokens>, person: UserId) -> Self {
        Self { tokens, person, held_back: VecDeque::new(), first_since: Instant::now() }
    }

    /// Whether a new action under `key` may be applied, or only answered if
    /// it is a repeat.
    pub fn admit(&mut self, key: ActionKey) -> Admitted {
        let given_up = self.first_since.elapsed() >= self.tokens.refill_time();
        if self.held_back.front() == Some(&key) || given_up {
            // The first one held back is back, and what was behind it comes
            // after it (the client resends in order); or its client gave up on it.
            self.held_back.clear();
        }
        let admission = if self.held_back.is_empty() && self.tokens.with_bucket(self.person, TokenBucket::try_take) {
            Admission::Apply
        } else {
            self.hold_back(key.clone());
            Admission::RepeatOnly
        };
        Admitted { key, admission }
    }

    /// An action under `key` is held back: its client sends it again, and
    /// the actions after it wait behind it. Also for one refused before it
    /// reached the budget (the connection sent frames too fast).
    pub fn hold_back(&mut self, key: ActionKey) {
        if self.held_back.front() == Some(&key) || self.held_back.is_empty() {
            // Refused again, or the first: its client is still at it.
            self.first_since = Instant::now();
        }
        if self.held_back.len() < MAX_HELD_BACK && !self.held_back.contains(&key) {
            self.held_back.push_back(key);
        }
    }

    /// The writer settled `admitted`.
    pub fn settled(&mut self, admitted: &Admitted, settled: &Settled) {
        if !matches!(settled, Settled::Repeat(_)) {
            return;
        }
        // A repeat changed nothing either.
        self.unapplied(admitted);
        // Done already, so it will not come again: what waited behind it
        // waits for the next one held back, which the client resends first.
        if let Some(at) = self.held_back.iter().position(|key| *key == admitted.key) {
            self.held_back.remove(at);
            if at == 0 {
                self.first_since = Instant::now();
            }
        }
    }

    /// The writer failed `admitted`, or refused it behind one that failed
    /// (the connection closes, and its client sends it again): it changed
    /// nothing, so the token it took is given back.
    pub fn unapplied(&mut self, admitted: &Admitted) {
        if admitted.admission == Admission::Apply {
            self.tokens.with_bucket(self.person, TokenBucket::give_back);
        }
    }

    /// The refusal's wording: when a token is back.
    pub fn retry_message(&self) -> String {
        let wait = self.tokens.with_bucket(self.person, |bucket| bucket.wait());
        format!("too many actions; try again in {} s", wait.as_secs_f64().ceil())
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

    const MINA: UserId = UserId(1);

    /// A connection of Mina's, with `tokens` her tokens on this node.
    fn connection(tokens: &Arc<ActionTokens>) -> ActionBudget {
        ActionBudget::new(Arc::clone(tokens), MINA)
    }

    /// Tokens for bursts of `burst` actions, refilled at one a second.
    fn tokens(burst: u32) -> Arc<ActionTokens> {
        Arc::new(ActionTokens::with_burst(burst, 1))
    }

    /// A budget of 3 actions, refilled at one a second, already spent.
    fn spent() -> ActionBudget {
        let mut budget = connection(&tokens(3));
        for n in 100..103 {
            assert_eq!(budget.admit(key(n)).admission, Admission::Apply);
        }
        budget
    }

    #[tokio::test(start_paused = true)]
    async fn a_replay_costs_nothing_and_a_new_action_over_the_budget_waits() {
        let mut budget = connection(&tokens(2));
        let first = budget.admit(key(1));
        let second = budget.admit(key(2));
        assert_eq!((first.admission, second.admission), (Admission::Apply, Admission::Apply));
        budget.settled(&first, &repeat());
        budget.settled(&second, &repeat());
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
        assert_eq!(budget.admit(key(2)).admission, Admission::RepeatOnly);
        budget.settled(&replayed, &repeat());
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(budget.admit(key(3)).admission, Admission::RepeatOnly, "key 2 is still first in line");
        assert_eq!(budget.admit(key(2)).admission, Admission::Apply);
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_gave_up_on_its_deferred_action_is_not_held_forever() {
        let mut budget = spent();
        assert_eq!(budget.admit(key(1)).admission, Admission::RepeatOnly);
        tokio::time::advance(Duration::from_secs(3)).await;
        assert_eq!(budget.admit(key(2)).admission, Admission::Apply, "given up on: the next one goes through");
    }

    #[tokio::test(start_paused = true)]
    async fn an_action_refused_for_the_frame_rate_holds_the_line_though_tokens_are_plenty() {
        let mut budget = connection(&tokens(3));
        budget.hold_back(key(1));
        assert_eq!(budget.admit(key(2)).admission, Admission::RepeatOnly, "key 2 must not overtake key 1");
        assert_eq!(budget.admit(key(1)).admission, Admission::Apply);
        assert_eq!(budget.admit(key(2)).admission, Admission::Apply);

        budget.hold_back(key(3));
        tokio::time::advance(Duration::from_secs(2)).await;
        budget.hold_back(key(3));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(budget.admit(key(4)).admission, Admission::RepeatOnly, "refused again: its client is still at it");
        tokio::time::advance(Duration::from_secs(3)).await;
        assert_eq!(budget.admit(key(5)).admission, Admission::Apply, "key 3 was given up on");
    }

    #[tokio::test(start_paused = true)]
    async fn a_repeat_hands_the_wait_to_an_action_refused_for_the_frame_rate_behind_it() {
        let mut budget = spent();
        let replayed = budget.admit(key(1));
        budget.hold_back(key(2));
        let later = budget.admit(key(3));
        assert_eq!(later.admission, Admission::RepeatOnly);
        budget.settled(&replayed, &repeat());
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(budget.admit(key(3)).admission, Admission::RepeatOnly, "key 2 is first in line now");
        assert_eq!(budget.admit(key(2)).admission, Admission::Apply);
        assert_eq!(budget.admit(key(3)).admission, Admission::Apply);
    }

    #[tokio::test(start_paused = true)]
    async fn a_person_s_connections_share_the_tokens_but_not_the_line() {
        let tokens = tokens(3);
        let mut first = connection(&tokens);
        for n in 100..103 {
            assert_eq!(first.admit(key(n)).admission, Admission::Apply);
        }
        assert_eq!(first.admit(key(1)).admission, Admission::RepeatOnly);
        let mut second = connection(&tokens);
        assert_eq!(second.admit(key(2)).admission, Admission::RepeatOnly, "a new connection brings no tokens");
        let mut jun = ActionBudget::new(Arc::clone(&tokens), UserId(2));
        assert_eq!(jun.admit(key(3)).admission, Admission::Apply, "another person has tokens of their own");

        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(first.admit(key(4)).admission, Admission::RepeatOnly, "key 4 waits behind key 1");
        assert_eq!(second.admit(key(2)).admission, Admission::Apply, "but not on another connection");
    }

    #[tokio::test(start_paused = true)]
    async fn an_action_the_writer_failed_costs_nothing() {
        let mut budget = connection(&tokens(2));
        let failed = budget.admit(key(1));
        let behind = budget.admit(key(2));
        assert_eq!(budget.admit(key(3)).admission, Admission::RepeatOnly, "spent");
        budget.unapplied(&failed);
        budget.unapplied(&behind);
        let mut resent = connection(&budget.tokens);
        assert_eq!(resent.admit(key(1)).admission, Admission::Apply, "its tokens are back for the resend");
        assert_eq!(resent.admit(key(2)).admission, Admission::Apply);
    }

    #[tokio::test(start_paused = true)]
    async fn a_bucket_is_forgotten_once_full_again() {
        let tokens = tokens(3);
        let mut mina = connection(&tokens);
        let mut jun = ActionBudget::new(Arc::clone(&tokens), UserId(2));
        jun.admit(key(1));
        tokio::time::advance(SWEEP_EVERY - Duration::from_secs(1)).await;
        for n in 2..5 {
            mina.admit(key(n));
        }
        tokio::time::advance(Duration::from_secs(1)).await;
        let mut buckets = tokens.buckets.lock().unwrap();
        buckets.sweep_if_due();
        assert_eq!(buckets.by_person.keys().collect::<Vec<_>>(), [&MINA], "Jun's is full again, Mina's not yet");
    }
}
