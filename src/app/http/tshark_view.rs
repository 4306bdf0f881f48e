//! The TCP bytes as tshark 4.0's HTTP dissector receives them, segment by segment in capture
//! order: data at or below the highest sequence number already seen in a direction (retransmissions,
//! and out-of-order segments that fill an earlier hole) is never handed to HTTP again, and a jump
//! forward is a gap. This differs from the follow view (which puts late segments back in order)
//! and is only used to find tshark's "HTTP continuation" segments ([`super::continuation`]).
//!
//! Memory: two sequence numbers per stream; one segment at a time.

use crate::reassembly::{FollowChunk, Gap, TcpSegment};

const TH_SYN: u8 = 0x02;

/// `a` is before `b` in sequence space.
fn lt_seq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// Turns a stream's segments (capture order) into the chunks tshark's HTTP dissector sees.
#[derive(Debug, Default)]
pub struct TsharkView {
    /// Per direction: the sequence number after the highest byte seen so far.
    max_next: [Option<u32>; 2],
}

impl TsharkView {
    /// A view with nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The chunk tshark hands to HTTP for `seg`, if any.
    pub fn chunk(&mut self, seg: TcpSegment) -> Option<FollowChunk> {
        let d = usize::from(seg.dir.min(1));
        let mut start = seg.seq;
        if seg.flags & TH_SYN != 0 {
            start = start.wrapping_add(1);
            if self.max_next[d].is_none() {
                self.max_next[d] = Some(start);
            }
            return None;
        }
        if seg.payload.is_empty() {
            return None;
        }
        let end = start.wrapping_add(seg.seg_len);
        let max_next = *self.max_next[d].get_or_insert(start);
        if !lt_seq(max_next, end) {
            // Everything was seen before: a retransmission or a late out-of-order segment.
            return None;
        }
        let mut bytes = seg.payload;
        let mut gap_before = None;
        if lt_seq(start, max_next) {
            // Partly new: only the new bytes reach the dissector.
            let skip = usize::try_from(max_next.wrapping_sub(start)).unwrap_or(usize::MAX);
            bytes.drain(..skip.min(bytes.len()));
        } else if lt_seq(max_next, start) {
            gap_before = Some(Gap {
                missing: u64::from(start.wrapping_sub(max_next)),
                revealed_by_frame: seg.frame,
            });
        }
        self.max_next[d] = Some(end);
        if bytes.is_empty() {
            return None;
        }
        Some(FollowChunk {
            frame: seg.frame,
            ts_ns: seg.ts_ns,
            dir: seg.dir,
            bytes,
            gap_before,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(frame: u32, dir: u8, seq: u32, flags: u8, payload: &[u8]) -> TcpSegment {
        TcpSegment {
            frame,
            ts_ns: 0,
            dir,
            seq,
            ack: 0,
            flags,
            seg_len: u32::try_from(payload.len()).unwrap(),
            payload: payload.to_vec(),
        }
    }

    #[test]
    fn old_data_is_dropped_new_data_kept_and_jumps_are_gaps() {
        let mut v = TsharkView::new();
        assert!(v.chunk(seg(1, 1, 99, TH_SYN, b"")).is_none());
        // A jump past the first 10 bytes: a gap of 10.
        let c = v.chunk(seg(2, 1, 110, 0, b"abcd")).unwrap();
        assert_eq!(c.gap_before.map(|g| g.missing), Some(10));
        // The late segment that fills the hole is never seen again (tshark: out-of-order).
        assert!(v.chunk(seg(3, 1, 100, 0, b"0123456789")).is_none());
        // A retransmission overlapping new data: only the new bytes.
        let c = v.chunk(seg(4, 1, 112, 0, b"cdef")).unwrap();
        assert_eq!((c.bytes.as_slice(), c.gap_before), (&b"ef"[..], None));
        // The other direction has its own numbers; its first data sets the start.
        let c = v.chunk(seg(5, 0, 7, 0, b"GET")).unwrap();
        assert_eq!((c.frame, c.gap_before), (5, None));
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut v = TsharkView::new();
        assert!(v.chunk(seg(1, 0, u32::MAX - 1, 0, b"ab")).is_some());
        let c = v.chunk(seg(2, 0, 0, 0, b"cd")).unwrap();
        assert_eq!(c.gap_before, None);
        assert!(v.chunk(seg(3, 0, u32::MAX - 1, 0, b"ab")).is_none());
    }
}
