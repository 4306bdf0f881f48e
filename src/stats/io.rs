//! Interval statistics ("IO graph"): per interval of 1 ms … 30 days, relative to the capture's first
//! frame, the frames, bytes and protocol events that analysts chart.
//!
//! Buckets are sparse (a `BTreeMap` keyed by interval index holding only intervals that saw a frame),
//! so a capture spanning years at 1 ms costs memory per *busy* interval, never per elapsed interval.
//!
//! Counting follows tshark's `-z io,stat` where the oracle checks it: `frames` is `COUNT(frame)`,
//! `bytes` is `SUM(frame.len)`, and the TCP flag columns are `COUNT(tcp.flags.X)tcp.flags.X==1`,
//! i.e. in frames where some TCP layer has the flag, the number of TCP layers (field occurrences).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::frame_facts::FrameFacts;
use super::io_filter::IoFilter;
use crate::pipeline::FrameContext;
use crate::session::LayerAnalysis;

/// Shortest interval: 1 ms.
pub const MIN_INTERVAL_NS: i64 = 1_000_000;
/// Longest interval: 30 days.
pub const MAX_INTERVAL_NS: i64 = 30 * 86_400 * 1_000_000_000;

/// CSV header of [`IoStats::write_csv`].
pub const CSV_HEADER: &str = "start,end,frames,bytes,syn,synack,rst,fin,retrans,arp,icmp,dns";

/// An interval outside 1 ms … 30 days, or text that is not an interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntervalError(pub String);

impl fmt::Display for IntervalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid interval: {}", self.0)
    }
}

impl std::error::Error for IntervalError {}

/// Parses an interval such as `1s`, `100ms`, `5m`, `1h`, `1d`, `0.5s` (a bare number is seconds) into
/// nanoseconds, checking the 1 ms … 30 days range.
pub fn parse_interval(text: &str) -> Result<i64, IntervalError> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit_ns: f64 = match unit {
        "ms" => 1e6,
        "" | "s" => 1e9,
        "m" | "min" => 60e9,
        "h" => 3600e9,
        "d" => 86400e9,
        _ => return Err(IntervalError(text.to_string())),
    };
    let value: f64 = num.parse().map_err(|_| IntervalError(text.to_string()))?;
    let ns = (value * unit_ns).round();
    if !(MIN_INTERVAL_NS as f64..=MAX_INTERVAL_NS as f64).contains(&ns) {
        return Err(IntervalError(format!("{text} (must be 1ms .. 30d)")));
    }
    Ok(ns as i64)
}

/// Counters of one interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IoCounters {
    /// Frames.
    pub frames: u64,
    /// Sum of frame (wire) lengths.
    pub bytes: u64,
    /// TCP SYN (including SYN/ACK), tshark COUNT semantics.
    pub syn: u64,
    /// TCP SYN/ACK.
    pub synack: u64,
    /// TCP RST.
    pub rst: u64,
    /// TCP FIN.
    pub fin: u64,
    /// Frames with a TCP retransmission (plain, fast or spurious).
    pub retrans: u64,
    /// ARP frames.
    pub arp: u64,
    /// ICMP and ICMPv6 frames.
    pub icmp: u64,
    /// DNS frames.
    pub dns: u64,
}

impl IoCounters {
    fn add(&mut self, f: &FrameFacts, wire_len: u32, retrans: bool) {
        self.frames += 1;
        self.bytes = self.bytes.saturating_add(u64::from(wire_len));
        let tcp_layers = u64::from(f.tcp_layers);
        if f.syn {
            self.syn += tcp_layers;
        }
        if f.synack {
            self.synack += tcp_layers;
        }
        if f.rst {
            self.rst += tcp_layers;
        }
        if f.fin {
            self.fin += tcp_layers;
        }
        self.retrans += u64::from(retrans);
        self.arp += u64::from(f.arp);
        self.icmp += u64::from(f.icmp);
        self.dns += u64::from(f.dns);
    }
}

/// One interval row.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct IoRow {
    /// Interval index (start = index × interval).
    pub index: u64,
    /// Start, seconds after the first frame.
    pub start: f64,
    /// End, seconds after the first frame.
    pub end: f64,
    /// The counters.
    #[serde(flatten)]
    pub counters: IoCounters,
}

/// Interval statistics of one capture, fed frame by frame.
#[derive(Clone, Debug)]
pub struct IoStats {
    interval_ns: i64,
    filter: IoFilter,
    first_ts_ns: Option<i64>,
    /// The interval of the latest frame so far: tshark's io,stat keeps adding to its newest
    /// interval when a frame's time goes backwards.
    current: u64,
    buckets: BTreeMap<u64, IoCounters>,
}

impl IoStats {
    /// Statistics of every frame with intervals of `interval_ns` (see [`parse_interval`]).
    pub fn new(interval_ns: i64) -> Result<Self, IntervalError> {
        Self::with_filter(interval_ns, IoFilter::All)
    }

    /// Statistics of the frames `filter` passes. Intervals stay relative to the capture's first
    /// frame, as in tshark's io,stat with a column filter.
    pub fn with_filter(interval_ns: i64, filter: IoFilter) -> Result<Self, IntervalError> {
        if !(MIN_INTERVAL_NS..=MAX_INTERVAL_NS).contains(&interval_ns) {
            return Err(IntervalError(format!("{interval_ns} ns")));
        }
        Ok(IoStats {
            interval_ns,
            filter,
            first_ts_ns: None,
            current: 0,
            buckets: BTreeMap::new(),
        })
    }

    /// The interval length in ns.
    pub fn interval_ns(&self) -> i64 {
        self.interval_ns
    }

    /// Counts one frame; `tcp` is the frame's TCP analysis (for retransmissions; may be empty).
    /// A frame whose time is earlier than the interval reached so far (out-of-order timestamps,
    /// including times before the first frame) counts in that latest interval, as tshark does.
    pub fn observe(&mut self, ctx: &FrameContext, tcp: &[LayerAnalysis]) {
        let first = *self.first_ts_ns.get_or_insert(ctx.first_ts_ns);
        if !self.filter.matches(ctx) {
            return;
        }
        let rel = ctx.meta.ts_ns.saturating_sub(first).max(0);
        let index = ((rel / self.interval_ns) as u64).max(self.current);
        self.current = index;
        let facts = FrameFacts::of_analyzed(ctx.frame, tcp);
        let retrans = tcp.iter().any(|l| {
            l.analysis
                .is_some_and(|a| a.flags.reports("retransmission"))
        });
        self.buckets
            .entry(index)
            .or_default()
            .add(&facts, ctx.meta.wire_len, retrans);
    }

    /// Number of intervals from the first to the last busy one (what a dense table would print).
    pub fn interval_count(&self) -> u64 {
        self.buckets
            .keys()
            .next_back()
            .map_or(0, |&last| last.saturating_add(1))
    }

    /// The counters of interval `index` (zero when nothing happened then).
    pub fn counters(&self, index: u64) -> IoCounters {
        self.buckets.get(&index).copied().unwrap_or_default()
    }

    fn row(&self, index: u64, counters: IoCounters) -> IoRow {
        let secs = self.interval_ns as f64 / 1e9;
        IoRow {
            index,
            start: index as f64 * secs,
            end: (index as f64 + 1.0) * secs,
            counters,
        }
    }

    /// The intervals that saw frames, in time order.
    pub fn busy_rows(&self) -> impl Iterator<Item = IoRow> + '_ {
        self.buckets.iter().map(|(&i, &c)| self.row(i, c))
    }

    /// Every interval from 0 to the last busy one, empty ones included (as tshark prints them).
    /// Callers should check [`IoStats::interval_count`] first: a long capture at a short interval
    /// has very many.
    pub fn all_rows(&self) -> impl Iterator<Item = IoRow> + '_ {
        (0..self.interval_count()).map(|i| self.row(i, self.counters(i)))
    }

    /// Writes the CSV (header [`CSV_HEADER`]); `include_empty` writes every interval, else only busy
    /// ones. Times are seconds relative to the first frame.
    pub fn write_csv<W: std::io::Write>(
        &self,
        out: &mut W,
        include_empty: bool,
    ) -> std::io::Result<()> {
        writeln!(out, "{CSV_HEADER}")?;
        let mut write = |r: IoRow| {
            let c = r.counters;
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                format_secs(r.start),
                format_secs(r.end),
                c.frames,
                c.bytes,
                c.syn,
                c.synack,
                c.rst,
                c.fin,
                c.retrans,
                c.arp,
                c.icmp,
                c.dns
            )
        };
        if include_empty {
            self.all_rows().try_for_each(&mut write)
        } else {
            self.busy_rows().try_for_each(&mut write)
        }
    }
}

/// Seconds as the CSV prints them: up to 3 decimals (intervals are whole milliseconds), trailing
/// zeros removed.
fn format_secs(s: f64) -> String {
    let t = format!("{s:.3}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_with_units_and_bounds() {
        assert_eq!(parse_interval("1s"), Ok(1_000_000_000));
        assert_eq!(parse_interval("10ms"), Ok(10_000_000));
        assert_eq!(parse_interval("0.5"), Ok(500_000_000));
        assert_eq!(parse_interval("2m"), Ok(120_000_000_000));
        assert_eq!(parse_interval("30d"), Ok(MAX_INTERVAL_NS));
        assert!(parse_interval("31d").is_err());
        assert!(parse_interval("0.1ms").is_err());
        assert!(parse_interval("1x").is_err());
        assert!(parse_interval("").is_err());
    }

    #[test]
    fn secs_format() {
        assert_eq!(format_secs(0.0), "0");
        assert_eq!(format_secs(1.5), "1.5");
        assert_eq!(format_secs(0.001), "0.001");
    }
}
