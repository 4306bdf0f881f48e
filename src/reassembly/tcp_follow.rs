//! TCP stream reassembly for "Follow TCP stream", reproducing tshark 4.0's follow tap.
//!
//! Input: the stream's segments in frame order ([`TcpSegment`], payload already read back from the
//! capture). Output: [`FollowChunk`]s in the order tshark prints them: per direction in sequence
//! order, retransmitted bytes dropped, the new tail of a partly retransmitted segment kept,
//! out-of-order segments held back until the hole before them is filled, and a gap declared when
//! the other side acknowledges data that was never captured (tshark then writes its
//! `[N bytes missing in capture file]` marker; here the chunk after the gap carries
//! [`FollowChunk::gap_before`] instead and the bytes never contain the marker).
//!
//! The rules follow Wireshark's `follow_tcp_tap_listener` / `check_follow_fragments`
//! (epan/dissectors/packet-tcp.c, 4.0): sequence numbers are compared relative to each direction's
//! base (`seq` of the first SYN, else first `seq - 1`; or the first ACK from the other side minus
//! one), wrap-around aware (signed 32-bit difference); a SYN consumes one sequence number; the
//! acknowledgment number of a segment without the ACK flag is used raw, as tshark does.
//!
//! Memory: out-of-order bytes waiting for a hole are bounded by
//! [`TcpFollowOptions::max_buffered_bytes`]; past it the lowest waiting segment is released as if
//! the hole had been acknowledged (a gap). Nothing else is buffered, so a stream of any size can be
//! followed chunk by chunk ([`TcpFollow::next_chunks`]).

use std::collections::VecDeque;

/// TCP flag bits (as on the wire).
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// ACK.
    pub const ACK: u8 = 0x10;
}

/// One TCP segment of the followed stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpSegment {
    /// Frame number (1-based).
    pub frame: u32,
    /// Capture timestamp, ns since the epoch.
    pub ts_ns: i64,
    /// 0 when sent by node 0 (the source of the stream's first packet), 1 otherwise.
    pub dir: u8,
    /// Raw sequence number.
    pub seq: u32,
    /// Raw acknowledgment number.
    pub ack: u32,
    /// TCP flag bits (low 8 bits of the flags field).
    pub flags: u8,
    /// Segment length from the IP header (`tcp.len`); may exceed `payload.len()` when the frame was
    /// cut by the snap length.
    pub seg_len: u32,
    /// The captured payload bytes (at most `seg_len`).
    pub payload: Vec<u8>,
}

/// A gap: bytes the capture does not hold, declared when the peer acknowledged past them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Sequence-space distance from the last byte delivered to the next chunk.
    pub missing: u64,
    /// The frame whose acknowledgment revealed the gap (tshark's marker carries this number).
    pub revealed_by_frame: u32,
}

/// Consecutive stream bytes from one segment, in follow order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowChunk {
    /// Frame the bytes came from.
    pub frame: u32,
    /// That frame's timestamp.
    pub ts_ns: i64,
    /// 0 = node 0 sent them, 1 = node 1.
    pub dir: u8,
    /// The bytes (never a gap marker).
    pub bytes: Vec<u8>,
    /// Bytes missing before this chunk in its direction, when a gap was declared.
    pub gap_before: Option<Gap>,
}

/// Options of the TCP follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpFollowOptions {
    /// Bound on out-of-order bytes held back waiting for a hole (default 64 MiB).
    pub max_buffered_bytes: usize,
    /// At the end of the stream, release segments still held back behind an unacknowledged hole
    /// (as gaps). tshark drops them; HTTP and "save" want them. Default false (tshark's output).
    pub flush_held_back_at_end: bool,
}

impl Default for TcpFollowOptions {
    fn default() -> Self {
        Self {
            max_buffered_bytes: 64 << 20,
            flush_held_back_at_end: false,
        }
    }
}

/// A segment held back (out of order), sequence relative to its direction's base.
#[derive(Clone, Debug)]
struct Fragment {
    frame: u32,
    ts_ns: i64,
    seq: u32,
    bytes: Vec<u8>,
}

fn lt_seq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

fn gt_seq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// Per-direction state.
#[derive(Clone, Debug, Default)]
struct Side {
    /// Base for relative sequence numbers, once known.
    base: Option<u32>,
    /// The base is a SYN's sequence number (not a guess from a later segment or an ACK).
    base_from_syn: bool,
    /// Next expected relative sequence number (0 = not yet initialised, as in tshark).
    next_seq: u32,
    /// Bytes delivered in order directly from segments (tshark's `bytes_written`).
    bytes_written: u64,
    /// Held-back segments in arrival order.
    fragments: Vec<Fragment>,
    /// Bytes held in `fragments`.
    held: usize,
}

/// Push-style TCP follower: feed segments in frame order, take chunks out.
#[derive(Clone, Debug, Default)]
pub struct TcpFollow {
    options: TcpFollowOptions,
    sides: [Side; 2],
    out: VecDeque<FollowChunk>,
    pending_gap: [Option<Gap>; 2],
    finished: bool,
}

impl TcpFollow {
    /// A follower with the given options.
    pub fn new(options: TcpFollowOptions) -> Self {
        Self {
            options,
            ..Self::default()
        }
    }

    /// Feeds the next segment of the stream (frame order).
    pub fn push(&mut self, seg: &TcpSegment) {
        let d = usize::from(seg.dir.min(1));
        let o = 1 - d;
        // Relative sequence bases, as tcp_analyze_sequence_number sets them.
        let syn = seg.flags & tcp_flags::SYN != 0;
        if self.sides[d].base.is_none() || (syn && !self.sides[d].base_from_syn) {
            // A SYN (or SYN/ACK) re-bases a direction whose base was only guessed (tshark 4.0 shows
            // relative sequence 0 on such a SYN/ACK).
            let base = if syn {
                seg.seq
            } else {
                seg.seq.wrapping_sub(1)
            };
            self.sides[d].base = Some(base);
            self.sides[d].base_from_syn = syn;
        }
        let has_ack = seg.flags & tcp_flags::ACK != 0;
        if self.sides[o].base.is_none() && has_ack {
            self.sides[o].base = Some(seg.ack.wrapping_sub(1));
        }
        let mut sequence = seg.seq.wrapping_sub(self.sides[d].base.unwrap_or(0));
        let acknowledged = if has_ack {
            seg.ack.wrapping_sub(self.sides[o].base.unwrap_or(0))
        } else {
            seg.ack
        };
        if syn {
            sequence = sequence.wrapping_add(1);
        }
        let mut length = seg.seg_len;
        // This segment may acknowledge data held back in the other direction.
        while self.check_fragments(o, acknowledged, seg.frame, true) {}
        let side = &mut self.sides[d];
        if side.bytes_written == 0 && side.next_seq == 0 {
            side.next_seq = sequence;
        }
        let mut data_offset = 0usize;
        let mut data_len = seg
            .payload
            .len()
            .min(usize::try_from(seg.seg_len).unwrap_or(usize::MAX));
        if lt_seq(sequence, side.next_seq) {
            let next = sequence.wrapping_add(length);
            if gt_seq(next, side.next_seq) {
                let skip = side.next_seq.wrapping_sub(sequence);
                data_offset = usize::try_from(skip).unwrap_or(usize::MAX);
                data_len = data_len.saturating_sub(data_offset);
                sequence = side.next_seq;
                length = next.wrapping_sub(side.next_seq);
            }
        }
        if data_len == 0 || lt_seq(sequence, side.next_seq) {
            return;
        }
        let bytes = seg
            .payload
            .get(data_offset..data_offset + data_len)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        if sequence == side.next_seq {
            side.next_seq = side.next_seq.wrapping_add(length);
            side.bytes_written = side.bytes_written.saturating_add(bytes.len() as u64);
            self.emit(d, seg.frame, seg.ts_ns, bytes);
            while self.check_fragments(d, 0, seg.frame, false) {}
        } else {
            side.held = side.held.saturating_add(bytes.len());
            side.fragments.push(Fragment {
                frame: seg.frame,
                ts_ns: seg.ts_ns,
                seq: sequence,
                bytes,
            });
            while self.sides[d].held > self.options.max_buffered_bytes
                && !self.sides[d].fragments.is_empty()
            {
                // Over the memory bound: treat the lowest held segment as acknowledged.
                let lowest = self.lowest_fragment_seq(d);
                if !self.check_fragments(d, lowest.wrapping_add(1), seg.frame, true) {
                    break;
                }
                while self.check_fragments(d, 0, seg.frame, false) {}
            }
        }
    }

    fn lowest_fragment_seq(&self, d: usize) -> u32 {
        let frags = &self.sides[d].fragments;
        let mut lowest = frags.first().map_or(0, |f| f.seq);
        for f in frags {
            if gt_seq(lowest, f.seq) {
                lowest = f.seq;
            }
        }
        lowest
    }

    /// One step of tshark's `check_follow_fragments`; true when something was applied.
    fn check_fragments(&mut self, d: usize, acknowledged: u32, frame: u32, use_ack: bool) -> bool {
        if self.sides[d].fragments.is_empty() {
            return false;
        }
        let mut lowest = self.sides[d].fragments.first().map_or(0, |f| f.seq);
        let mut i = 0;
        while i < self.sides[d].fragments.len() {
            let side = &mut self.sides[d];
            let Some(f) = side.fragments.get(i) else {
                break;
            };
            if gt_seq(lowest, f.seq) {
                lowest = f.seq;
            }
            if lt_seq(f.seq, side.next_seq) {
                let f = side.fragments.remove(i);
                side.held = side.held.saturating_sub(f.bytes.len());
                let len = u32::try_from(f.bytes.len()).unwrap_or(u32::MAX);
                let end = f.seq.wrapping_add(len);
                if gt_seq(end, side.next_seq) {
                    let new_pos = side.next_seq.wrapping_sub(f.seq);
                    let new_len = len.wrapping_sub(new_pos);
                    side.next_seq = side.next_seq.wrapping_add(new_len);
                    let start = usize::try_from(new_pos).unwrap_or(usize::MAX);
                    if let Some(tail) = f.bytes.get(start..) {
                        if !tail.is_empty() {
                            self.emit(d, f.frame, f.ts_ns, tail.to_vec());
                        }
                    }
                }
                return true;
            }
            if f.seq == side.next_seq {
                let f = side.fragments.remove(i);
                side.held = side.held.saturating_sub(f.bytes.len());
                side.next_seq = side
                    .next_seq
                    .wrapping_add(u32::try_from(f.bytes.len()).unwrap_or(u32::MAX));
                if !f.bytes.is_empty() {
                    self.emit(d, f.frame, f.ts_ns, f.bytes);
                }
                return true;
            }
            i += 1;
        }
        if use_ack && gt_seq(acknowledged, lowest) {
            let side = &mut self.sides[d];
            let missing = lowest.wrapping_sub(side.next_seq);
            side.next_seq = lowest;
            self.pending_gap[d] = Some(Gap {
                missing: u64::from(missing),
                revealed_by_frame: frame,
            });
            return true;
        }
        false
    }

    fn emit(&mut self, d: usize, frame: u32, ts_ns: i64, bytes: Vec<u8>) {
        let gap_before = self.pending_gap[d].take();
        self.out.push_back(FollowChunk {
            frame,
            ts_ns,
            dir: d as u8,
            bytes,
            gap_before,
        });
    }

    /// Signals the end of the stream. With [`TcpFollowOptions::flush_held_back_at_end`], segments
    /// still held back are released in sequence order, each after a gap.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        if self.options.flush_held_back_at_end {
            for d in 0..2 {
                let mut guard = self.sides[d]
                    .fragments
                    .len()
                    .saturating_mul(2)
                    .saturating_add(2);
                while !self.sides[d].fragments.is_empty() && guard > 0 {
                    guard -= 1;
                    let lowest = self.lowest_fragment_seq(d);
                    let frame = self.sides[d]
                        .fragments
                        .iter()
                        .map(|f| f.frame)
                        .max()
                        .unwrap_or(0);
                    if !self.check_fragments(d, lowest.wrapping_add(1), frame, true) {
                        break;
                    }
                    while self.check_fragments(d, 0, frame, false) {}
                }
            }
        }
    }

    /// The next chunk ready, if any.
    pub fn pop(&mut self) -> Option<FollowChunk> {
        self.out.pop_front()
    }

    /// Bytes currently held back waiting for a hole to fill (both directions).
    pub fn held_back_bytes(&self) -> usize {
        self.sides[0].held + self.sides[1].held
    }

    /// Chunks ready and not yet taken with [`Self::pop`].
    pub fn queued(&self) -> usize {
        self.out.len()
    }
}

/// Lazily follows a stream given as an iterator of segments: chunks come out as soon as they are
/// known, so the first screen of a huge stream needs only its first segments.
pub struct FollowTcpIter<I: Iterator<Item = TcpSegment>> {
    segments: I,
    follow: TcpFollow,
    done: bool,
}

impl<I: Iterator<Item = TcpSegment>> FollowTcpIter<I> {
    /// Follows `segments` with `options`.
    pub fn new(segments: I, options: TcpFollowOptions) -> Self {
        Self {
            segments,
            follow: TcpFollow::new(options),
            done: false,
        }
    }

    /// The next chunks, about `max_bytes` of payload (at least one chunk when any is left).
    pub fn next_chunks(&mut self, max_bytes: usize) -> Vec<FollowChunk> {
        let mut out = Vec::new();
        let mut total = 0usize;
        while total < max_bytes.max(1) {
            let Some(c) = self.next() else { break };
            total = total.saturating_add(c.bytes.len().max(1));
            out.push(c);
        }
        out
    }
}

impl<I: Iterator<Item = TcpSegment>> Iterator for FollowTcpIter<I> {
    type Item = FollowChunk;

    fn next(&mut self) -> Option<FollowChunk> {
        loop {
            if let Some(c) = self.follow.pop() {
                return Some(c);
            }
            if self.done {
                return None;
            }
            match self.segments.next() {
                Some(seg) => self.follow.push(&seg),
                None => {
                    self.done = true;
                    self.follow.finish();
                }
            }
        }
    }
}

/// Follows a whole stream given as a slice (convenience for tests and small streams).
pub fn follow_tcp(segments: &[TcpSegment], options: TcpFollowOptions) -> Vec<FollowChunk> {
    FollowTcpIter::new(segments.iter().cloned(), options).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seg(frame: u32, dir: u8, seq: u32, flags: u8, payload: &[u8]) -> TcpSegment {
        TcpSegment {
            frame,
            ts_ns: i64::from(frame),
            dir,
            seq,
            ack: 0,
            flags,
            seg_len: payload.len() as u32,
            payload: payload.to_vec(),
        }
    }

    fn joined(chunks: &[FollowChunk], dir: u8) -> Vec<u8> {
        chunks
            .iter()
            .filter(|c| c.dir == dir)
            .flat_map(|c| c.bytes.clone())
            .collect()
    }

    #[test]
    fn retransmission_overlap_and_out_of_order() {
        let isn = u32::MAX - 5; // wraps inside the data
        let segs = vec![
            seg(1, 0, isn, tcp_flags::SYN, b""),
            seg(2, 0, isn.wrapping_add(1), tcp_flags::ACK, b"hello "),
            seg(3, 0, isn.wrapping_add(13), tcp_flags::ACK, b"again"), // out of order
            seg(4, 0, isn.wrapping_add(1), tcp_flags::ACK, b"hello world "), // overlap: new tail
            seg(5, 0, isn.wrapping_add(7), tcp_flags::ACK, b"world "), // pure retransmission
        ];
        let out = follow_tcp(&segs, TcpFollowOptions::default());
        assert_eq!(joined(&out, 0), b"hello world again");
        assert_eq!(
            out.iter().map(|c| c.frame).collect::<Vec<_>>(),
            vec![2, 4, 3]
        );
        assert!(out.iter().all(|c| c.gap_before.is_none()));
    }

    #[test]
    fn acknowledged_hole_becomes_a_gap_and_unacked_tail_is_tsharks_choice() {
        let segs = vec![
            seg(1, 0, 100, tcp_flags::ACK, b"abc"),
            seg(2, 0, 110, tcp_flags::ACK, b"xyz"), // 7 bytes missing before it
            TcpSegment {
                ack: 113,
                ..seg(3, 1, 5000, tcp_flags::ACK, b"")
            },
            seg(4, 0, 200, tcp_flags::ACK, b"tail"), // never acknowledged
        ];
        let out = follow_tcp(&segs, TcpFollowOptions::default());
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[1].gap_before,
            Some(Gap {
                missing: 7,
                revealed_by_frame: 3
            })
        );
        assert_eq!(out[1].bytes, b"xyz");
        let flushed = follow_tcp(
            &segs,
            TcpFollowOptions {
                flush_held_back_at_end: true,
                ..TcpFollowOptions::default()
            },
        );
        assert_eq!(flushed.len(), 3);
        assert_eq!(flushed[2].bytes, b"tail");
        assert_eq!(flushed[2].gap_before.map(|g| g.missing), Some(87));
    }

    #[test]
    fn memory_bound_releases_the_lowest_held_segment() {
        let mut segs = vec![seg(1, 0, 0, tcp_flags::SYN, b"")];
        // A hole at 1..11, then 5 held segments of 10 bytes with a 20-byte bound.
        for i in 0..5u32 {
            segs.push(seg(
                2 + i,
                0,
                11 + 10 * i,
                tcp_flags::ACK,
                &[b'a' + i as u8; 10],
            ));
        }
        let opts = TcpFollowOptions {
            max_buffered_bytes: 20,
            ..TcpFollowOptions::default()
        };
        let mut f = TcpFollow::new(opts);
        for s in &segs {
            f.push(s);
            assert!(f.held_back_bytes() <= 20);
        }
        let mut out = Vec::new();
        while let Some(c) = f.pop() {
            out.push(c);
        }
        assert!(out.first().is_some_and(|c| c.gap_before.is_some()));
        assert_eq!(
            joined(&out, 0),
            b"aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeee"
        );
    }

    #[test]
    fn lazy_iterator_pages() {
        let segs: Vec<TcpSegment> = (0..100u32)
            .map(|i| {
                seg(
                    i + 1,
                    (i % 2) as u8,
                    1 + 10 * (i / 2),
                    tcp_flags::ACK,
                    &[b'x'; 10],
                )
            })
            .collect();
        let mut it = FollowTcpIter::new(segs.into_iter(), TcpFollowOptions::default());
        let page = it.next_chunks(35);
        assert_eq!(page.len(), 4);
        assert_eq!(it.count(), 96);
    }

    proptest! {
        /// Any permutation of a stream's segments, with duplicated and overlapping retransmissions,
        /// delivers every byte exactly once, in order (no acknowledgments needed).
        #[test]
        fn permuted_segments_with_retransmissions_rebuild_the_stream(
            data in proptest::collection::vec(any::<u8>(), 1..600),
            cuts in proptest::collection::vec(1usize..60, 1..40),
            dups in proptest::collection::vec((0usize..600, 1usize..80), 0..10),
            order_seed in any::<u64>(),
            isn in any::<u32>(),
        ) {
            let mut pieces = Vec::new();
            let mut at = 0;
            for c in cuts.iter().cycle() {
                if at >= data.len() { break; }
                let end = (at + c).min(data.len());
                pieces.push((at, end));
                at = end;
            }
            for (s, l) in dups {
                let s = s % data.len();
                pieces.push((s, (s + l).min(data.len())));
            }
            // Deterministic shuffle; keep the first piece first so the stream starts at the ISN.
            let mut rng = order_seed | 1;
            for i in (2..pieces.len()).rev() {
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
                let j = 1 + (rng as usize) % i;
                pieces.swap(i, j);
            }
            let mut segs = vec![seg(1, 0, isn, tcp_flags::SYN, b"")];
            for (k, (s, e)) in pieces.iter().enumerate() {
                segs.push(seg(k as u32 + 2, 0, isn.wrapping_add(1).wrapping_add(*s as u32), tcp_flags::ACK, &data[*s..*e]));
            }
            let out = follow_tcp(&segs, TcpFollowOptions::default());
            prop_assert_eq!(joined(&out, 0), data);
        }

        /// Arbitrary segments never panic and never produce more bytes than were fed.
        #[test]
        fn arbitrary_segments_never_panic(
            raw in proptest::collection::vec((any::<u8>(), any::<u32>(), any::<u32>(), any::<u8>(), proptest::collection::vec(any::<u8>(), 0..40), any::<u32>()), 0..60),
        ) {
            let segs: Vec<TcpSegment> = raw.iter().enumerate().map(|(i, (dir, seq, ack, flags, p, seg_len))| TcpSegment {
                frame: i as u32 + 1, ts_ns: 0, dir: dir % 3, seq: *seq % 4096, ack: *ack % 4096, flags: *flags, seg_len: *seg_len % 64, payload: p.clone(),
            }).collect();
            let fed: usize = segs.iter().map(|s| s.payload.len()).sum();
            for opts in [TcpFollowOptions::default(), TcpFollowOptions { flush_held_back_at_end: true, max_buffered_bytes: 50 }] {
                let out = follow_tcp(&segs, opts);
                prop_assert!(out.iter().map(|c| c.bytes.len()).sum::<usize>() <= fed);
            }
        }
    }
}
