//! A map kept as one vector sorted by key: what the engine's small ordered
//! maps need (events held behind a gap, who is in a room, who is typing, the
//! ticker's changed symbols) without `BTreeMap`, whose code is instantiated
//! anew for each key and value type: three of them weighed about 24 KB of the
//! web app's wasm. The maps are small, and a lookup is a binary search.

use std::borrow::Borrow;
use std::ops::Index;

/// Entries in key order, each key once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        SortedMap { entries: Vec::new() }
    }

    /// Where `key` is (`Ok`), or where it would go (`Err`).
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|at| &self.entries[at].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|at| &mut self.entries[at].1)
    }

    /// Sets `key`'s value; the one it replaces, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// Adds `key` with `value` unless it is there already (then `value` is
    /// dropped); `BTreeMap`'s `entry(key).or_insert(value)`.
    pub fn insert_if_absent(&mut self, key: K, value: V) {
        if let Err(at) = self.find(&key) {
            self.entries.insert(at, (key, value));
        }
    }

    /// `key`'s value, added by `make` if the key was not there.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let at = match self.find(&key) {
            Ok(at) => at,
            Err(at) => {
                self.entries.insert(at, (key, make()));
                at
            }
        };
        &mut self.entries[at].1
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|at| self.entries.remove(at).1)
    }

    /// Keeps the entries `keep` says yes to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(key, value)| keep(key, value));
    }

    /// Moves the entries from `key` on (`key` included) into a map of their own.
    pub fn split_off<Q: Ord + ?Sized>(&mut self, key: &Q) -> Self
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).unwrap_or_else(|at| at);
        SortedMap { entries: self.entries.split_off(at) }
    }

    /// The smallest key.
    pub fn first_key(&self) -> Option<&K> {
        self.entries.first().map(|(key, _)| key)
    }

    /// The largest key.
    pub fn last_key(&self) -> Option<&K> {
        self.entries.last().map(|(key, _)| key)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> {
        self.entries.iter().map(|(key, value)| (key, value))
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&K, &mut V)> {
        self.entries.iter_mut().map(|(key, value)| (&*key, value))
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, value)| value)
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> {
        self.entries.iter().map(|(key, _)| key)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> {
        self.entries.iter().map(|(_, value)| value)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = K> {
        self.entries.into_iter().map(|(key, _)| key)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> {
        self.entries.into_iter().map(|(_, value)| value)
    }
}

/// As `BTreeMap`'s: of entries with the same key, the last one wins.
impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(K, V)> = iter.into_iter().collect();
        // Stable, so that entries with the same key keep their order.
        crate::sorting::sort_by(&mut entries, |(a, _), (b, _)| a.cmp(b));
        let mut deduplicated: Vec<(K, V)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match deduplicated.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => deduplicated.push(entry),
            }
        }
        SortedMap { entries: deduplicated }
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> Index<&Q> for SortedMap<K, V> {
    type Output = V;

    /// Panics if `key` is not in the map.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry for the key")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8, u8),
        InsertIfAbsent(u8, u8),
        Remove(u8),
        Retain(u8),
        SplitOff(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (any::<u8>(), any::<u8>()).prop_map(|(k, v)| Op::Insert(k % 32, v)),
            (any::<u8>(), any::<u8>()).prop_map(|(k, v)| Op::InsertIfAbsent(k % 32, v)),
            any::<u8>().prop_map(|k| Op::Remove(k % 32)),
            any::<u8>().prop_map(|m| Op::Retain(m % 5 + 1)),
            any::<u8>().prop_map(|k| Op::SplitOff(k % 32)),
        ]
    }

    fn same(map: &SortedMap<u8, u8>, truth: &BTreeMap<u8, u8>) -> bool {
        map.iter().eq(truth.iter()) && map.len() == truth.len()
    }

    proptest! {
        /// Every operation does what `BTreeMap`'s does, and iteration is in key order.
        #[test]
        fn behaves_as_a_btree_map(initial in proptest::collection::vec((0u8..32, any::<u8>()), 0..40),
                                  ops in proptest::collection::vec(op(), 0..60)) {
            let mut map: SortedMap<u8, u8> = initial.iter().copied().collect();
            let mut truth: BTreeMap<u8, u8> = initial.iter().copied().collect();
            prop_assert!(same(&map, &truth));
            for op in ops {
                match op {
                    Op::Insert(k, v) => prop_assert_eq!(map.insert(k, v), truth.insert(k, v)),
                    Op::InsertIfAbsent(k, v) => {
                        map.insert_if_absent(k, v);
                        truth.entry(k).or_insert(v);
                    }
                    Op::Remove(k) => prop_assert_eq!(map.remove(&k), truth.remove(&k)),
                    Op::Retain(m) => {
                        map.retain(|k, v| (*k ^ *v) % m != 0);
                        truth.retain(|k, v| (*k ^ *v) % m != 0);
                    }
                    Op::SplitOff(k) => {
                        let (a, b) = (map.split_off(&k), truth.split_off(&k));
                        prop_assert!(same(&a, &b));
                    }
                }
                prop_assert!(same(&map, &truth));
                for k in 0..32u8 {
                    prop_assert_eq!(map.get(&k), truth.get(&k));
                }
            }
        }
    }

    #[test]
    fn of_entries_with_the_same_key_the_last_wins() {
        let map: SortedMap<u8, &str> = [(2, "a"), (1, "b"), (2, "c"), (2, "d"), (1, "e")].into_iter().collect();
        assert_eq!(map.iter().collect::<Vec<_>>(), [(&1, &"e"), (&2, &"d")]);
        assert_eq!(map[&2], "d");
    }
}
