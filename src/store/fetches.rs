//! Lists fetched whole over HTTP while the socket tells their changes: the
//! rooms list, a room's members. A fetched list may be older or newer than
//! any change told while it was on its way (the server read it at some moment
//! in between), so every change told since its fetch began is made again on
//! top of it. Changes are made so that making one twice is harmless. A list
//! from a fetch begun before the one shown is older than it, and not shown.

/// The fetches of one list on their way, and the changes told since the
/// first of them began.
#[derive(Debug)]
pub(super) struct Fetches<C> {
    in_flight: usize,
    heard: Vec<C>,
    /// Fetches begun so far, and the number of the one whose list is shown.
    begun: u64,
    shown: u64,
}

impl<C> Default for Fetches<C> {
    fn default() -> Self {
        Self { in_flight: 0, heard: Vec::new(), begun: 0, shown: 0 }
    }
}

/// One fetch on its way: hand it back to [`Fetches::finish`] when its list
/// arrives, and to [`Fetches::end`] when it is over, arrived or not.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ticket {
    number: u64,
    /// Where the changes told since this fetch began start in `heard`.
    from: usize,
}

impl<C: Clone> Fetches<C> {
    pub fn begin(&mut self) -> Ticket {
        self.in_flight += 1;
        self.begun += 1;
        Ticket { number: self.begun, from: self.heard.len() }
    }

    /// A change told now: kept for the lists on their way (made on the list
    /// shown by the caller).
    pub fn heard(&mut self, change: C) {
        if self.in_flight > 0 {
            self.heard.push(change);
        }
    }

    /// Whether a fetch is on its way: what changes now may be missing from
    /// its list.
    pub fn on_its_way(&self) -> bool {
        self.in_flight > 0
    }

    /// The fetch's list arrived: the changes to make again on top of it, or
    /// `None` if a list from a later fetch is shown already.
    pub fn finish(&mut self, ticket: Ticket) -> Option<Vec<C>> {
        if ticket.number < self.shown {
            return None;
        }
        self.shown = ticket.number;
        Some(self.heard[ticket.from..].to_vec())
    }

    /// The fetch is over: once none is on its way, nothing told is kept.
    pub fn end(&mut self) {
        self.in_flight -= 1;
        if self.in_flight == 0 {
            self.heard.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_list_gets_what_was_told_since_its_own_fetch_began() {
        let mut fetches = Fetches::default();
        fetches.heard("before any fetch");
        let first = fetches.begin();
        fetches.heard("a");
        let second = fetches.begin();
        fetches.heard("b");
        assert_eq!(fetches.finish(first), Some(vec!["a", "b"]));
        assert_eq!(fetches.finish(second), Some(vec!["b"]));
        fetches.end();
        fetches.end();
        fetches.heard("after every fetch");
        let third = fetches.begin();
        assert_eq!(fetches.finish(third), Some(vec![]), "nothing kept once none was on its way");
    }

    #[test]
    fn a_list_older_than_the_one_shown_is_not_shown() {
        let mut fetches = Fetches::<&str>::default();
        let older = fetches.begin();
        let newer = fetches.begin();
        assert!(fetches.finish(newer).is_some());
        assert_eq!(fetches.finish(older), None);
    }
}
