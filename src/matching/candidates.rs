//! The candidate table: evidence per (A stream, B stream) pair, filled by the matchers
//! ([`super::direct`], [`super::nat`], [`super::seq_offset`], [`super::content`], [`super::udp`])
//! and read, in a deterministic order, by [`super::assign`].

use rustc_hash::FxHashMap;

use super::evidence::Evidence;

/// Keys shared by more B streams than this are ignored: they cannot tell streams apart, and the
/// bound keeps the work per packet constant.
pub const MAX_STREAMS_PER_KEY: usize = 32;

/// Evidence per candidate pair of stream indexes (into each [`super::input::MatchInput::streams`]).
#[derive(Default, Debug)]
pub struct Candidates {
    map: FxHashMap<(u32, u32), Evidence>,
}

impl Candidates {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The evidence of pair (a, b), created empty when new.
    pub fn entry(&mut self, a: u32, b: u32) -> &mut Evidence {
        self.map.entry((a, b)).or_default()
    }

    /// The evidence of pair (a, b), if any.
    pub fn get(&self, a: u32, b: u32) -> Option<&Evidence> {
        self.map.get(&(a, b))
    }

    /// Number of candidate pairs.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when there is no candidate.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// All pairs sorted by (a, b), so callers never see hash-map order.
    pub fn sorted(&self) -> Vec<((u32, u32), &Evidence)> {
        let mut v: Vec<((u32, u32), &Evidence)> = self.map.iter().map(|(k, e)| (*k, e)).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }
}

/// A key → B streams index with the per-key bound of [`MAX_STREAMS_PER_KEY`] (keys over it are
/// marked saturated and give no evidence).
#[derive(Debug)]
pub struct StreamIndex<K: std::hash::Hash + Eq> {
    map: FxHashMap<K, Vec<u32>>,
}

impl<K: std::hash::Hash + Eq> Default for StreamIndex<K> {
    fn default() -> Self {
        StreamIndex {
            map: FxHashMap::default(),
        }
    }
}

impl<K: std::hash::Hash + Eq> StreamIndex<K> {
    /// Records that stream `s` has `key` (once per stream; consecutive repeats are cheap).
    pub fn insert(&mut self, key: K, s: u32) {
        let list = self.map.entry(key).or_default();
        if list.len() > MAX_STREAMS_PER_KEY {
            return;
        }
        if !list.contains(&s) {
            list.push(s);
        }
    }

    /// Streams having `key`; empty when none or when the key is too common.
    pub fn lookup(&self, key: &K) -> &[u32] {
        match self.map.get(key) {
            Some(l) if l.len() <= MAX_STREAMS_PER_KEY => l,
            _ => &[],
        }
    }
}
