//! The candidate table: evidence per (A stream, B stream) pair, filled by the matchers
//! ([`super::direct`], [`super::nat`], [`super::seq_offset`], [`super::content`], [`super::udp`])
//! and read, in a deterministic order, by [`super::assign`].

use rustc_hash::FxHashMap;

use super::evidence::Evidence;

/// Keys shared by more B streams than this are ignored: they cannot tell streams apart, and the
/// bound keeps the work per packet constant.
pub const MAX_STREAMS_PER_KEY: usize = 32;

/// Most candidate pairs kept (about 100 bytes each): past it, evidence for new pairs is dropped
/// (pairs already present keep accumulating). Real traffic stays far below; the bound is for
/// pathological captures where thousands of streams carry identical packets.
pub const MAX_CANDIDATES: usize = 1_000_000;

/// Evidence per candidate pair of stream indexes (into each [`super::input::MatchInput::streams`]).
#[derive(Default, Debug)]
pub struct Candidates {
    map: FxHashMap<(u32, u32), Evidence>,
    /// Where evidence for pairs past [`MAX_CANDIDATES`] goes (never read).
    discard: Evidence,
    /// Pairs refused because of the bound.
    pub dropped: u64,
}

impl Candidates {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The evidence of pair (a, b), created empty when new (see [`MAX_CANDIDATES`]).
    pub fn entry(&mut self, a: u32, b: u32) -> &mut Evidence {
        if self.map.len() >= MAX_CANDIDATES && !self.map.contains_key(&(a, b)) {
            self.dropped = self.dropped.saturating_add(1);
            self.discard = Evidence::default();
            return &mut self.discard;
        }
        self.map.entry((a, b)).or_default()
    }

    /// Shares one piece of evidence of A stream `a` among the B streams `hits`: `add` gets each
    /// one's evidence and its weight, 1 / their number (nothing when there are none).
    pub fn share(
        &mut self,
        a: u32,
        hits: impl Iterator<Item = u32> + Clone,
        add: impl Fn(&mut Evidence, f64),
    ) {
        let n = hits.clone().count();
        if n == 0 {
            return;
        }
        let w = 1.0 / n as f64;
        for b in hits {
            add(self.entry(a, b), w);
        }
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

/// Where a key's streams are: the first inline, further ones in an overflow list.
#[derive(Clone, Copy, Debug)]
struct Slot {
    first: u32,
    /// 0: no other stream; n: `overflow[n - 1]` holds the others.
    more: u32,
}

/// A key → B streams index with the per-key bound of [`MAX_STREAMS_PER_KEY`] (keys over it are
/// marked saturated and give no evidence). Memory: one 8-byte slot per key plus the key; only
/// keys shared by several streams allocate a list.
#[derive(Debug)]
pub struct StreamIndex<K: std::hash::Hash + Eq> {
    map: FxHashMap<K, Slot>,
    overflow: Vec<Vec<u32>>,
}

impl<K: std::hash::Hash + Eq> Default for StreamIndex<K> {
    fn default() -> Self {
        StreamIndex {
            map: FxHashMap::default(),
            overflow: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq> StreamIndex<K> {
    /// Records that stream `s` has `key` (once per stream).
    pub fn insert(&mut self, key: K, s: u32) {
        let slot = match self.map.entry(key) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Slot { first: s, more: 0 });
                return;
            }
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        };
        if slot.first == s {
            return;
        }
        if slot.more == 0 {
            self.overflow.push(vec![s]);
            slot.more = self.overflow.len() as u32;
            return;
        }
        if let Some(list) = self.overflow.get_mut(slot.more as usize - 1) {
            // One past the bound marks the key saturated.
            if list.len() < MAX_STREAMS_PER_KEY && !list.contains(&s) {
                list.push(s);
            }
        }
    }

    /// Streams having `key`; empty when none or when the key is too common.
    pub fn lookup(&self, key: &K) -> Hits<'_> {
        let none = Hits {
            first: None,
            rest: &[],
        };
        let Some(slot) = self.map.get(key) else {
            return none;
        };
        if slot.more == 0 {
            return Hits {
                first: Some(slot.first),
                rest: &[],
            };
        }
        match self.overflow.get(slot.more as usize - 1) {
            Some(list) if list.len() < MAX_STREAMS_PER_KEY => Hits {
                first: Some(slot.first),
                rest: list,
            },
            _ => none,
        }
    }
}

/// The streams found for a key (no allocation).
#[derive(Clone, Copy, Debug)]
pub struct Hits<'a> {
    first: Option<u32>,
    rest: &'a [u32],
}

impl<'a> Hits<'a> {
    /// Number of streams.
    pub fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    /// True when no stream has the key (or it is too common).
    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }
}

impl<'a> IntoIterator for Hits<'a> {
    type Item = u32;
    type IntoIter =
        std::iter::Chain<std::option::IntoIter<u32>, std::iter::Copied<std::slice::Iter<'a, u32>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.first.into_iter().chain(self.rest.iter().copied())
    }
}

/// Folds fields into one 64-bit key (FNV-1a over their little-endian bytes), so large
/// per-packet indexes store 8 bytes per key. A collision only adds one spurious, weighted hit.
pub fn packed_key(fields: &[u64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in fields {
        for b in f.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_bounds_and_dedups() {
        let mut ix: StreamIndex<u64> = StreamIndex::default();
        ix.insert(1, 5);
        ix.insert(1, 5);
        let v = |h: Hits<'_>| h.into_iter().collect::<Vec<u32>>();
        assert_eq!(v(ix.lookup(&1)), vec![5]);
        ix.insert(1, 6);
        ix.insert(1, 6);
        assert_eq!(v(ix.lookup(&1)), vec![5, 6]);
        for s in 0..100 {
            ix.insert(2, s);
        }
        assert!(ix.lookup(&2).is_empty(), "saturated keys give nothing");
        for s in 0..MAX_STREAMS_PER_KEY as u32 {
            ix.insert(3, s);
        }
        assert_eq!(ix.lookup(&3).len(), MAX_STREAMS_PER_KEY);
        assert!(ix.lookup(&4).is_empty());
        assert_ne!(packed_key(&[1, 2]), packed_key(&[2, 1]));
    }
}
