//! ESP per SPI and direction over time: for each interval, the packets and bytes of every ESP
//! stream, the sequence numbers skipped (gaps opened by a packet that jumped ahead: loss, unless a
//! late packet fills them), and the early, late and duplicate packets, as classified by
//! [`super::EspStats`] (whose per-stream summaries this also keeps).
//!
//! Intervals start at the capture's first frame (as the IO graph's). Memory: sparse buckets, one
//! per (stream, interval) with ESP packets, at most [`MAX_ESP_BUCKETS`]; packets beyond are
//! counted in [`EspIntervals::packets_not_bucketed`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::esp::{EspStats, EspStreamSummary, SeqEvent};
use crate::pipeline::FrameContext;

/// Most (stream, interval) buckets kept.
pub const MAX_ESP_BUCKETS: usize = 1_000_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bucket {
    packets: u64,
    bytes: u64,
    gap: u64,
    early: u64,
    late: u64,
    duplicates: u64,
}

/// One interval of one ESP stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EspIntervalRow {
    /// Index of the stream in [`EspIntervals::summaries`].
    pub stream: u32,
    /// SPI (`0x…`, as tshark prints it).
    pub spi: String,
    /// Source address.
    pub src: String,
    /// Destination address.
    pub dst: String,
    /// Interval start, seconds since the capture's first frame.
    pub start: f64,
    /// Interval end.
    pub end: f64,
    /// ESP packets.
    pub packets: u64,
    /// Their frame (wire) bytes.
    pub bytes: u64,
    /// Sequence numbers skipped by packets that jumped ahead in this interval.
    pub gap: u64,
    /// Packets that jumped ahead (opened a gap).
    pub early: u64,
    /// Packets below the highest sequence number seen, not seen before (reordered).
    pub late: u64,
    /// Packets whose sequence number was seen already.
    pub duplicates: u64,
}

/// ESP statistics with per-interval series.
pub struct EspIntervals {
    stats: EspStats,
    interval_ns: i64,
    buckets: BTreeMap<(u32, i64), Bucket>,
    not_bucketed: u64,
}

impl EspIntervals {
    /// Series with intervals of `interval_ns` (at least 1).
    pub fn new(interval_ns: i64) -> Self {
        EspIntervals {
            stats: EspStats::new(),
            interval_ns: interval_ns.max(1),
            buckets: BTreeMap::new(),
            not_bucketed: 0,
        }
    }

    /// Counts the ESP layers of one frame.
    pub fn observe(&mut self, ctx: &FrameContext) {
        let index = ctx
            .meta
            .ts_ns
            .saturating_sub(ctx.first_ts_ns)
            .div_euclid(self.interval_ns);
        let bytes = u64::from(ctx.meta.wire_len);
        let (buckets, not_bucketed) = (&mut self.buckets, &mut self.not_bucketed);
        self.stats.observe_events(ctx, &mut |stream, event| {
            let key = (u32::try_from(stream).unwrap_or(u32::MAX), index);
            if !buckets.contains_key(&key) && buckets.len() >= MAX_ESP_BUCKETS {
                *not_bucketed = not_bucketed.saturating_add(1);
                return;
            }
            let b = buckets.entry(key).or_default();
            b.packets += 1;
            b.bytes = b.bytes.saturating_add(bytes);
            match event {
                SeqEvent::First => {}
                SeqEvent::Ahead { gap } => {
                    if gap > 0 {
                        b.early += 1;
                        b.gap = b.gap.saturating_add(u64::from(gap));
                    }
                }
                SeqEvent::Late { .. } => b.late += 1,
                SeqEvent::Duplicate => b.duplicates += 1,
            }
        });
    }

    /// Per-stream summaries (see [`EspStats::summaries`]).
    pub fn summaries(&self) -> Vec<EspStreamSummary> {
        self.stats.summaries()
    }

    /// Interval length, ns.
    pub fn interval_ns(&self) -> i64 {
        self.interval_ns
    }

    /// Packets not counted in any interval (bucket limit reached).
    pub fn packets_not_bucketed(&self) -> u64 {
        self.not_bucketed
    }

    /// The intervals with ESP packets, by stream then time.
    pub fn rows(&self) -> Vec<EspIntervalRow> {
        let summaries = self.stats.summaries();
        let secs = self.interval_ns as f64 / 1e9;
        self.buckets
            .iter()
            .filter_map(|(&(stream, index), b)| {
                let s = summaries.get(stream as usize)?;
                Some(EspIntervalRow {
                    stream,
                    spi: s.spi.clone(),
                    src: s.src.clone(),
                    dst: s.dst.clone(),
                    start: index as f64 * secs,
                    end: (index + 1) as f64 * secs,
                    packets: b.packets,
                    bytes: b.bytes,
                    gap: b.gap,
                    early: b.early,
                    late: b.late,
                    duplicates: b.duplicates,
                })
            })
            .collect()
    }

    /// The rows as CSV (header first).
    pub fn write_csv(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        writeln!(
            out,
            "spi,src,dst,start,end,packets,bytes,gap,early,late,duplicates"
        )?;
        for r in self.rows() {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{}",
                r.spi,
                r.src,
                r.dst,
                r.start,
                r.end,
                r.packets,
                r.bytes,
                r.gap,
                r.early,
                r.late,
                r.duplicates
            )?;
        }
        Ok(())
    }
}
