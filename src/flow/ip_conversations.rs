//! IP conversations: one row per address pair (either orientation), counted on the outermost IP
//! layer of each frame, in order of first appearance.

use std::net::IpAddr;

use rustc_hash::FxHashMap;

use super::{Direction, EndpointKey, StreamStats};
use crate::capture::FrameMeta;

/// The IP conversation table.
#[derive(Default)]
pub struct IpConversationTable {
    index: FxHashMap<EndpointKey, u32>,
    rows: Vec<(StreamStats, bool)>,
}

impl IpConversationTable {
    /// Rows in order of first appearance.
    pub fn rows(&self) -> impl Iterator<Item = &StreamStats> {
        self.rows.iter().map(|(s, _)| s)
    }

    /// Rows with their orientation flag (A is the key's low endpoint), for saving an index.
    pub(crate) fn saved_rows(&self) -> &[(StreamStats, bool)] {
        &self.rows
    }

    /// A table holding `rows` (in first-appearance order), as a saved index restores it.
    pub(crate) fn from_rows(rows: Vec<(StreamStats, bool)>) -> Self {
        let mut index = FxHashMap::default();
        for (id, (s, _)) in rows.iter().enumerate() {
            let (key, _) = EndpointKey::new(s.addr_a, 0, s.addr_b, 0);
            index.entry(key).or_insert(id as u32);
        }
        IpConversationTable { index, rows }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Counts a frame from `src` to `dst`; returns the row index.
    pub fn count(&mut self, meta: &FrameMeta, src: IpAddr, dst: IpAddr) -> u32 {
        let (key, lo_to_hi) = EndpointKey::new(src, 0, dst, 0);
        let id = match self.index.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.rows.len() as u32;
                self.rows
                    .push((StreamStats::new(meta, src, 0, dst, 0), lo_to_hi));
                self.index.insert(key, id);
                id
            }
        };
        let (stats, a_is_lo) = &mut self.rows[id as usize];
        let dir = if lo_to_hi == *a_is_lo {
            Direction::AtoB
        } else {
            Direction::BtoA
        };
        stats.count(dir, meta, 0);
        id
    }
}
