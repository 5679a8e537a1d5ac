//! Stable sorting through one copy of the standard library's sort.
//!
//! Every `slice::sort_by` call site on a new element type adds its own copy of
//! the sort to the web app's wasm (about 3 KiB raw each). The lists the app
//! sorts are short (members, mention candidates, a room map being built), so
//! these functions sort positions instead, through a single non-generic
//! instantiation, and then move each item once into its place.

use std::cmp::Ordering;

/// Sorts `items` as `slice::sort_by` does: stable, by `compare`.
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_positions(items.len(), &|a, b| compare(&items[a], &items[b]));
    arrange(items, &order);
}

/// Sorts `items` as `slice::sort_by_cached_key` does: `key` is called once
/// per item, and items with equal keys keep their order.
pub fn sort_by_cached_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    let keys: Vec<K> = items.iter().map(key).collect();
    let order = sorted_positions(keys.len(), &|a, b| keys[a].cmp(&keys[b]));
    arrange(items, &order);
}

/// `0..len` in the order `compare` puts them, ties kept in place. Not
/// generic, so the sort inside is compiled once.
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..len).collect();
    positions.sort_by(|&a, &b| compare(a, b));
    positions
}

/// Puts the item at `order[i]` at `i`, for every `i`.
fn arrange<T>(items: &mut Vec<T>, order: &[usize]) {
    let mut taken: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.iter().filter_map(|&position| taken[position].take()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_library_does(pairs in proptest::collection::vec((0u8..8, any::<u16>()), 0..64)) {
            let mut ours = pairs.clone();
            let mut theirs = pairs.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            theirs.sort_by_key(|pair| pair.0);
            prop_assert_eq!(&ours, &theirs, "stable: equal keys keep their order");

            let mut ours = pairs.clone();
            let mut theirs = pairs;
            sort_by_cached_key(&mut ours, |pair| std::cmp::Reverse(pair.0));
            theirs.sort_by_cached_key(|pair| std::cmp::Reverse(pair.0));
            prop_assert_eq!(ours, theirs);
        }
    }
}
