//! ESP per SPI and direction: packets, bytes, sequence gaps (lost packets), late packets (reordering,
//! with distance), packets that jumped ahead (early), and duplicates (replays).
//!
//! A stream is (SPI, source address, destination address) of the IP header that carries the ESP
//! header (after NAT-T UDP too). Memory per stream is bounded: duplicates are recognised within a
//! sliding window of the last [`REPLAY_WINDOW`] sequence numbers below the highest one seen (like
//! an IPsec anti-replay window); older sequence numbers count as late (and, if they were in fact
//! repeats, make `lost` undercount, never go negative).

use std::net::IpAddr;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::decode::Layer;
use crate::pipeline::FrameContext;

/// Sequence numbers remembered below the highest one, per stream.
pub const REPLAY_WINDOW: u32 = 4096;
const WINDOW_WORDS: usize = (REPLAY_WINDOW / 64) as usize;

/// The summary of one ESP stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EspStreamSummary {
    /// Security parameter index, as tshark prints it (`0x3d71315a`).
    pub spi: String,
    /// Source address.
    pub src: String,
    /// Destination address.
    pub dst: String,
    /// Packets.
    pub packets: u64,
    /// Sum of frame (wire) lengths.
    pub bytes: u64,
    /// First frame number.
    pub first_frame: u32,
    /// First and last timestamps, epoch ns.
    pub first_ts_ns: i64,
    /// Last timestamp, epoch ns.
    pub last_ts_ns: i64,
    /// Lowest sequence number seen.
    pub min_seq: u32,
    /// Highest sequence number seen.
    pub max_seq: u32,
    /// Sequence numbers between the lowest and highest never seen (lost, or not captured).
    pub lost: u64,
    /// Packets that arrived after a higher sequence number (reordered, late).
    pub late: u64,
    /// Largest distance of a late packet below the highest sequence number seen at its arrival.
    pub max_late_distance: u32,
    /// Packets that skipped ahead of the next expected sequence number (opening a gap).
    pub early: u64,
    /// Packets whose sequence number was already seen (replays, duplicates).
    pub duplicates: u64,
}

/// How one ESP packet's sequence number relates to those seen before in its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqEvent {
    /// The stream's first packet.
    First,
    /// Above the highest sequence number so far, `gap` numbers after it (0: the next one; more:
    /// an early packet that opened a gap of `gap` numbers not seen yet).
    Ahead {
        /// Sequence numbers skipped.
        gap: u32,
    },
    /// Below the highest sequence number and not seen before (reordered), `distance` below it.
    Late {
        /// Highest sequence number at arrival minus this one.
        distance: u32,
    },
    /// Already seen (replay).
    Duplicate,
}

#[derive(Clone, Debug)]
struct EspStream {
    summary: EspStreamSummary,
    /// Bit i set: sequence `max_seq - i` was seen (i < REPLAY_WINDOW).
    window: [u64; WINDOW_WORDS],
    /// Distinct sequence numbers seen.
    unique: u64,
}

impl EspStream {
    fn seen(&self, offset: u32) -> bool {
        let (w, b) = ((offset / 64) as usize, offset % 64);
        self.window.get(w).is_some_and(|word| word & (1 << b) != 0)
    }

    fn mark(&mut self, offset: u32) {
        let (w, b) = ((offset / 64) as usize, offset % 64);
        if let Some(word) = self.window.get_mut(w) {
            *word |= 1 << b;
        }
    }

    /// Shifts the window up by `by` sequence numbers.
    fn advance(&mut self, by: u32) {
        if by >= REPLAY_WINDOW {
            self.window = [0; WINDOW_WORDS];
            return;
        }
        let words = (by / 64) as usize;
        let bits = by % 64;
        for i in (0..WINDOW_WORDS).rev() {
            let src = i.checked_sub(words);
            let hi = src.and_then(|s| self.window.get(s)).copied().unwrap_or(0);
            let lo = src
                .and_then(|s| s.checked_sub(1))
                .and_then(|s| self.window.get(s))
                .copied()
                .unwrap_or(0);
            self.window[i] = if bits == 0 {
                hi
            } else {
                (hi << bits) | (lo >> (64 - bits))
            };
        }
    }

    fn observe(&mut self, seq: u32) -> SeqEvent {
        let max = self.summary.max_seq;
        let event = if seq > max {
            let jump = seq - max;
            if jump > 1 {
                self.summary.early += 1;
            }
            self.summary.max_seq = seq;
            self.advance(jump);
            self.mark(0);
            self.unique += 1;
            SeqEvent::Ahead { gap: jump - 1 }
        } else {
            let offset = max - seq;
            // Offset 0 is always remembered (the highest sequence), so it lands here too.
            if offset < REPLAY_WINDOW && self.seen(offset) {
                self.summary.duplicates += 1;
                return SeqEvent::Duplicate;
            }
            self.summary.late += 1;
            self.summary.max_late_distance = self.summary.max_late_distance.max(offset);
            self.mark(offset);
            self.unique += 1;
            SeqEvent::Late { distance: offset }
        };
        self.summary.min_seq = self.summary.min_seq.min(seq);
        event
    }
}

/// ESP statistics of one capture.
#[derive(Default)]
pub struct EspStats {
    index: FxHashMap<(u32, IpAddr, IpAddr), usize>,
    streams: Vec<EspStream>,
}

impl EspStats {
    /// Empty statistics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts the ESP layers of one frame.
    pub fn observe(&mut self, ctx: &FrameContext) {
        self.observe_events(ctx, &mut |_, _| {});
    }

    /// Counts the ESP layers of one frame, calling `event(stream, what)` for each with the
    /// stream's index (first-seen order, as [`EspStats::summaries`]) and its sequence event.
    pub fn observe_events(&mut self, ctx: &FrameContext, event: &mut dyn FnMut(usize, SeqEvent)) {
        let mut ip: Option<(IpAddr, IpAddr)> = None;
        for layer in &ctx.frame.layers {
            match layer {
                Layer::Ipv4(v4) => ip = Some((IpAddr::from(v4.src), IpAddr::from(v4.dst))),
                Layer::Ipv6(v6) => ip = Some((IpAddr::from(v6.src), IpAddr::from(v6.dst))),
                Layer::Esp { spi, sequence } => {
                    let Some((src, dst)) = ip else { continue };
                    let (i, e) = self.observe_esp(ctx, *spi, *sequence, src, dst);
                    event(i, e);
                }
                _ => {}
            }
        }
    }

    fn observe_esp(
        &mut self,
        ctx: &FrameContext,
        spi: u32,
        seq: u32,
        src: IpAddr,
        dst: IpAddr,
    ) -> (usize, SeqEvent) {
        let next = self.streams.len();
        let i = *self.index.entry((spi, src, dst)).or_insert(next);
        if i == next {
            let mut stream = EspStream {
                summary: EspStreamSummary {
                    spi: format!("0x{spi:08x}"),
                    src: src.to_string(),
                    dst: dst.to_string(),
                    packets: 0,
                    bytes: 0,
                    first_frame: ctx.meta.number,
                    first_ts_ns: ctx.meta.ts_ns,
                    last_ts_ns: ctx.meta.ts_ns,
                    min_seq: seq,
                    max_seq: seq,
                    lost: 0,
                    late: 0,
                    max_late_distance: 0,
                    early: 0,
                    duplicates: 0,
                },
                window: [0; WINDOW_WORDS],
                unique: 1,
            };
            stream.mark(0);
            self.streams.push(stream);
        }
        let mut event = SeqEvent::First;
        if let Some(stream) = self.streams.get_mut(i) {
            if i != next {
                event = stream.observe(seq);
            }
            let s = &mut stream.summary;
            s.packets += 1;
            s.bytes = s.bytes.saturating_add(u64::from(ctx.meta.wire_len));
            s.last_ts_ns = ctx.meta.ts_ns;
        }
        (i, event)
    }

    /// One summary per stream, in first-seen order; `lost` is computed from the sequence range.
    pub fn summaries(&self) -> Vec<EspStreamSummary> {
        self.streams
            .iter()
            .map(|st| {
                let mut s = st.summary.clone();
                let range = u64::from(s.max_seq - s.min_seq) + 1;
                s.lost = range.saturating_sub(st.unique);
                s
            })
            .collect()
    }

    /// Writes the summaries as CSV (header line first).
    pub fn write_csv<W: std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        writeln!(
            out,
            "spi,src,dst,packets,bytes,first_frame,min_seq,max_seq,lost,late,max_late_distance,early,duplicates"
        )?;
        for s in self.summaries() {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                s.spi,
                s.src,
                s.dst,
                s.packets,
                s.bytes,
                s.first_frame,
                s.min_seq,
                s.max_seq,
                s.lost,
                s.late,
                s.max_late_distance,
                s.early,
                s.duplicates
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seqs: &[u32]) -> (EspStreamSummary, u64) {
        let mut st = EspStream {
            summary: EspStreamSummary {
                spi: String::new(),
                src: String::new(),
                dst: String::new(),
                packets: 0,
                bytes: 0,
                first_frame: 1,
                first_ts_ns: 0,
                last_ts_ns: 0,
                min_seq: seqs[0],
                max_seq: seqs[0],
                lost: 0,
                late: 0,
                max_late_distance: 0,
                early: 0,
                duplicates: 0,
            },
            window: [0; WINDOW_WORDS],
            unique: 1,
        };
        st.mark(0);
        for &s in &seqs[1..] {
            st.observe(s);
        }
        let range = u64::from(st.summary.max_seq - st.summary.min_seq) + 1;
        (st.summary.clone(), range.saturating_sub(st.unique))
    }

    #[test]
    fn gaps_reordering_and_duplicates() {
        let (s, lost) = run(&[1, 2, 4, 3, 3, 7, 5]);
        assert_eq!(lost, 1); // 6 never seen
        assert_eq!(s.early, 2); // 4 after 2, 7 after 4
        assert_eq!(s.late, 2); // 3, 5
        assert_eq!(s.max_late_distance, 2); // 5 below 7
        assert_eq!(s.duplicates, 1);
        assert_eq!((s.min_seq, s.max_seq), (1, 7));
    }

    #[test]
    fn window_forgets_far_history_but_counts_stay_bounded() {
        let mut seqs: Vec<u32> = (1..=10_000).collect();
        seqs.push(9_999); // duplicate within the window
        seqs.push(1); // older than the window: counted late, not duplicate
        let (s, lost) = run(&seqs);
        assert_eq!(s.duplicates, 1);
        assert_eq!(s.late, 1);
        assert_eq!(lost, 0);
    }

    #[test]
    fn big_jump_resets_window() {
        let (s, lost) = run(&[1, 100_000, 99_999]);
        assert_eq!(s.early, 1);
        assert_eq!(s.late, 1);
        assert_eq!(lost, 100_000 - 3);
    }
}
