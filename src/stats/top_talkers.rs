//! Top talkers per interval: for each interval, the source addresses that sent the most bytes
//! (frame wire length, by the frame's outermost IP source; frames without IP are not counted).
//!
//! Memory is bounded per interval: at most [`MAX_TALKERS_PER_INTERVAL`] distinct sources are
//! tracked; later new sources in a busy interval are summed into `other_bytes` (exact top lists as
//! long as an interval has fewer distinct sources).

use std::collections::BTreeMap;
use std::net::IpAddr;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::decode::Layer;
use crate::pipeline::FrameContext;

/// Distinct sources tracked per interval.
pub const MAX_TALKERS_PER_INTERVAL: usize = 4096;

/// One source's share of an interval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Talker {
    /// Source address.
    pub address: String,
    /// Bytes sent in the interval.
    pub bytes: u64,
    /// Frames sent in the interval.
    pub frames: u64,
}

/// The top talkers of one interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntervalTalkers {
    /// Interval index.
    pub index: u64,
    /// Start, seconds after the first frame.
    pub start: f64,
    /// Most bytes first (ties: address order).
    pub top: Vec<Talker>,
    /// Bytes of sources beyond the per-interval bound.
    pub other_bytes: u64,
}

#[derive(Clone, Debug, Default)]
struct Bucket {
    by_source: FxHashMap<IpAddr, (u64, u64)>,
    other_bytes: u64,
}

/// Top talkers per interval of one capture.
#[derive(Clone, Debug)]
pub struct TopTalkers {
    interval_ns: i64,
    first_ts_ns: Option<i64>,
    current: u64,
    buckets: BTreeMap<u64, Bucket>,
}

impl TopTalkers {
    /// Per-interval talkers; `interval_ns` as accepted by [`super::IoStats::new`].
    pub fn new(interval_ns: i64) -> Result<Self, super::io::IntervalError> {
        // Same bounds as the interval statistics.
        super::IoStats::new(interval_ns)?;
        Ok(TopTalkers {
            interval_ns,
            first_ts_ns: None,
            current: 0,
            buckets: BTreeMap::new(),
        })
    }

    /// Counts one frame (same interval rule as [`super::IoStats::observe`]).
    pub fn observe(&mut self, ctx: &FrameContext) {
        let first = *self.first_ts_ns.get_or_insert(ctx.first_ts_ns);
        let src = ctx.frame.layers.iter().find_map(|l| match l {
            Layer::Ipv4(ip) if !ip.in_error => Some(IpAddr::from(ip.src)),
            Layer::Ipv6(ip) if !ip.in_error => Some(IpAddr::from(ip.src)),
            _ => None,
        });
        let rel = ctx.meta.ts_ns.saturating_sub(first).max(0);
        let index = ((rel / self.interval_ns) as u64).max(self.current);
        self.current = index;
        let Some(src) = src else { return };
        let len = u64::from(ctx.meta.wire_len);
        let bucket = self.buckets.entry(index).or_default();
        let full = bucket.by_source.len() >= MAX_TALKERS_PER_INTERVAL;
        match bucket.by_source.get_mut(&src) {
            Some(e) => {
                e.0 = e.0.saturating_add(len);
                e.1 += 1;
            }
            None if full => bucket.other_bytes = bucket.other_bytes.saturating_add(len),
            None => {
                bucket.by_source.insert(src, (len, 1));
            }
        }
    }

    /// Sources tracked over all intervals (the size of [`Self::top`] with no limit).
    pub fn entry_count(&self) -> usize {
        self.buckets.values().map(|b| b.by_source.len()).sum()
    }

    /// The `n` biggest sources of every busy interval, in time order.
    pub fn top(&self, n: usize) -> Vec<IntervalTalkers> {
        let secs = self.interval_ns as f64 / 1e9;
        self.buckets
            .iter()
            .map(|(&index, b)| {
                let mut all: Vec<(&IpAddr, &(u64, u64))> = b.by_source.iter().collect();
                all.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
                IntervalTalkers {
                    index,
                    start: index as f64 * secs,
                    top: all
                        .into_iter()
                        .take(n)
                        .map(|(a, &(bytes, frames))| Talker {
                            address: a.to_string(),
                            bytes,
                            frames,
                        })
                        .collect(),
                    other_bytes: b.other_bytes,
                }
            })
            .collect()
    }
}
