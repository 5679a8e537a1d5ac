//! Which stretches of a room's history the page holds whole. A link to a
//! message far back loads the page around it, not every page between it and
//! the newest, so the history held can have holes: the message list must not
//! show two messages side by side with a hole between them, and reads on
//! across it by fetching what is missing. Pure logic, tested natively.

use hanmadi_protocol::Seq;

/// Sorted stretches of seqs, each held whole: every event in one was heard
/// (live or in a page), so the rows in it stand side by side as in the room.
/// Two stretches that touch are one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stretches {
    /// `(first, last)`, both included, sorted; a gap of one seq at least
    /// between each and the next.
    spans: Vec<(Seq, Seq)>,
}

impl Stretches {
    /// Every seq from `first` to `last` is held now.
    pub fn hold(&mut self, first: Seq, last: Seq) {
        if first > last {
            return;
        }
        // The spans that touch or overlap `first..=last` are merged into one.
        let start = self.spans.partition_point(|&(_, end)| end.0.saturating_add(1) < first.0);
        let end = self.spans.partition_point(|&(begin, _)| begin.0 <= last.0.saturating_add(1));
        let merged = self.spans[start..end]
            .iter()
            .fold((first, last), |(first, last), &(begin, end)| (first.min(begin), last.max(end)));
        self.spans.splice(start..end, [merged]);
    }

    /// The stretch held whole that `seq` is in.
    pub fn around(&self, seq: Seq) -> Option<(Seq, Seq)> {
        let index = self.spans.partition_point(|&(_, end)| end < seq);
        self.spans.get(index).copied().filter(|&(first, _)| first <= seq)
    }

    /// Whether `seq` is held.
    pub fn holds(&self, seq: Seq) -> bool {
        self.around(seq).is_some()
    }

    /// Whether the stretch `seq` is in goes back to the room's start.
    pub fn reaches_start(&self, seq: Seq) -> bool {
        self.around(seq).is_some_and(|(first, _)| first == Seq::ZERO)
    }
}

// Natively only: proptest needs an OS random source wasm32 does not have.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn held(spans: &[(u64, u64)]) -> Stretches {
        let mut stretches = Stretches::default();
        for &(first, last) in spans {
            stretches.hold(Seq(first), Seq(last));
        }
        stretches
    }

    #[test]
    fn stretches_that_touch_or_overlap_become_one() {
        let stretches = held(&[(800, 1_000), (100, 300), (301, 320), (1_001, 1_001)]);
        assert_eq!(stretches.around(Seq(310)), Some((Seq(100), Seq(320))), "touching");
        assert_eq!(stretches.around(Seq(1_001)), Some((Seq(800), Seq(1_001))), "one heard live");
        assert!(!stretches.holds(Seq(500)), "the hole between them");
        let bridged = {
            let mut stretches = stretches.clone();
            stretches.hold(Seq(321), Seq(799));
            stretches
        };
        assert_eq!(bridged.around(Seq(500)), Some((Seq(100), Seq(1_001))), "a page that fills the hole");
    }

    #[test]
    fn only_a_stretch_from_seq_zero_reaches_the_start() {
        let stretches = held(&[(0, 40), (90, 120)]);
        assert!(stretches.reaches_start(Seq(12)));
        assert!(!stretches.reaches_start(Seq(100)));
        assert!(!stretches.reaches_start(Seq(60)), "not held at all");
    }

    proptest! {
        /// However the pages come, a seq is held exactly when some page held
        /// it, and the stretches stay sorted, apart and merged.
        #[test]
        fn a_seq_is_held_exactly_when_a_page_held_it(pages in prop::collection::vec((0u64..300, 0u64..40), 0..12)) {
            let mut stretches = Stretches::default();
            for &(first, length) in &pages {
                stretches.hold(Seq(first), Seq(first + length));
            }
            for seq in 0..=360u64 {
                let expected = pages.iter().any(|&(first, length)| (first..=first + length).contains(&seq));
                prop_assert_eq!(stretches.holds(Seq(seq)), expected, "seq {}", seq);
            }
            for pair in stretches.spans.windows(2) {
                prop_assert!(pair[0].1 .0 + 1 < pair[1].0 .0, "apart: {:?}", pair);
            }
        }
    }
}
