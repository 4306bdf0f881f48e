//! Where tshark's TLS dissector adds its protocol items to the frames of one TCP stream, as its
//! protocol hierarchy shows them: `tls` for a frame whose bytes the TLS dissector read, then
//! `tcp.segments` (and `tls` again when bytes follow) for a frame that completes a record split
//! over several segments.
//!
//! The model is tshark's TCP desegmentation (epan/dissectors/packet-tcp.c `desegment_tcp`, with
//! packet-tls.c asking for the rest of a record it cannot finish), kept in TCP sequence space per
//! direction, segments in capture order:
//! - a segment whose first byte lies inside the pending multi-segment record (MSP) is held by TCP
//!   (no TLS item) until the record's bytes are all there; the segment that completes it gets
//!   `tls` › `tcp.segments`, then `tls` again when the TLS dissector reads bytes after the record
//!   end. Bytes missing from the capture leave the record pending for ever (tshark never
//!   completes a reassembly with a hole), and a later segment starting at or after the record
//!   end is dissected afresh;
//! - any other segment is handed to the TLS dissector (`tls`), which walks its records; a record
//!   that does not end in the segment opens an MSP up to its end (a header cut short asks for one
//!   more segment);
//! - a segment tshark's analysis flags a (spurious) retransmission gets no item (a fast
//!   retransmission is dissected again).
//!
//! A stream is TLS (as tshark's conversation is, for both directions) once the first payload
//! bytes of one of its directions are a record header (content type 20–24 with major version 3,
//! or an SSLv2-format ClientHello); from then on every segment the dissector gets has a `tls`
//! item, also bytes that are no record (tshark's "Continuation Data"). tshark's port table (443
//! and others) is not modelled, so a TLS stream whose capture begins inside records is missed.
//!
//! Memory: a few integers per direction; nothing is buffered except a record header cut by a
//! segment end (at most 4 bytes).

use crate::reassembly::tcp_follow::{tcp_flags, TcpSegment};

/// The TLS-related items of one frame, in tshark's protocol-hierarchy order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsItems {
    /// `tls` only: the TLS dissector read bytes of this frame.
    Tls,
    /// `tls` › `tcp.segments`: the frame completes a multi-segment record and has nothing after.
    Reassembled,
    /// `tls` › `tcp.segments` › `tls`: the frame completes a record and the dissector read more.
    ReassembledThenTls,
}

impl TlsItems {
    /// The node names after `tcp`.
    pub fn path(self) -> &'static [&'static str] {
        match self {
            Self::Tls => &["tls"],
            Self::Reassembled => &["tls", "tcp.segments"],
            Self::ReassembledThenTls => &["tls", "tcp.segments", "tls"],
        }
    }
}

/// True when `a` comes before `b` in sequence space (wrap-around aware).
fn seq_before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// A record split over segments that TCP is collecting.
#[derive(Clone, Copy, Debug)]
struct PendingRecord {
    /// Sequence number of the record's first byte.
    start: u32,
    /// Sequence number just after its last byte (`None`: the header itself was cut, tshark asks
    /// for one more segment).
    end: Option<u32>,
    /// Sequence number up to which the bytes are present without a hole.
    have: u32,
    /// The header bytes read so far when the header was cut.
    header: [u8; 5],
    /// How many of `header` are filled.
    header_len: usize,
}

/// Per-direction state.
#[derive(Clone, Debug, Default)]
struct Direction {
    /// The first payload of this direction was seen.
    judged: bool,
    pending: Option<PendingRecord>,
}

/// Result of reading one record header at the start of `bytes`.
enum Header {
    /// The record's total length (header included).
    Record(usize),
    /// Fewer bytes than a header.
    Short,
    /// Not a record header.
    Invalid,
}

fn read_header(bytes: &[u8]) -> Header {
    match *bytes {
        // SSLv2-format record: 2-byte header, length in the low 15 bits.
        [b0, b1, 1, ..] if b0 & 0x80 != 0 => {
            Header::Record(usize::from(u16::from_be_bytes([b0 & 0x7f, b1])).saturating_add(2))
        }
        [b0] | [b0, _] if b0 & 0x80 != 0 => Header::Short,
        [ty] if !(20..=24).contains(&ty) => Header::Invalid,
        [ty, major, ..] if !(20..=24).contains(&ty) || major != 3 => Header::Invalid,
        [_, _, _, hi, lo, ..] => {
            Header::Record(usize::from(u16::from_be_bytes([hi, lo])).saturating_add(5))
        }
        _ => Header::Short,
    }
}

impl Direction {
    /// Walks records of `bytes` (starting at a record boundary, at sequence `seq`); opens a
    /// pending record when the last one does not end inside them.
    fn walk_fresh(&mut self, seq: u32, bytes: &[u8]) {
        let mut offset = 0usize;
        // Every turn advances `offset` by at least one byte or leaves.
        while offset < bytes.len() {
            let rest = bytes.get(offset..).unwrap_or_default();
            let start = seq.wrapping_add(offset as u32);
            match read_header(rest) {
                Header::Invalid => return,
                Header::Short => {
                    let mut header = [0u8; 5];
                    let n = rest.len().min(5);
                    header[..n].copy_from_slice(&rest[..n]);
                    self.pending = Some(PendingRecord {
                        start,
                        end: None,
                        have: start.wrapping_add(n as u32),
                        header,
                        header_len: n,
                    });
                    return;
                }
                Header::Record(len) => {
                    if len > rest.len() {
                        self.pending = Some(PendingRecord {
                            start,
                            end: Some(start.wrapping_add(len as u32)),
                            have: start.wrapping_add(rest.len() as u32),
                            header: [0; 5],
                            header_len: 5,
                        });
                        return;
                    }
                    offset = offset.saturating_add(len.max(1));
                }
            }
        }
    }

    /// Handles one segment's payload; the frame's items, if any.
    /// `stream_tls`: the stream was found to be TLS.
    fn segment(&mut self, seq: u32, bytes: &[u8], stream_tls: bool) -> Option<TlsItems> {
        let end = seq.wrapping_add(bytes.len() as u32);
        if !stream_tls {
            return None;
        }
        if let Some(mut p) = self.pending {
            let inside = !seq_before(seq, p.start) && p.end.is_none_or(|e| seq_before(seq, e));
            if inside {
                let mut header_done = false;
                // Bytes join the record only when they continue it without a hole.
                if !seq_before(p.have, seq) && seq_before(p.have, end) {
                    let new = bytes
                        .get(p.have.wrapping_sub(seq) as usize..)
                        .unwrap_or_default();
                    if p.end.is_none() {
                        let n = (5 - p.header_len).min(new.len());
                        p.header[p.header_len..p.header_len + n].copy_from_slice(&new[..n]);
                        p.header_len += n;
                        match read_header(&p.header[..p.header_len]) {
                            Header::Record(len) => {
                                p.end = Some(p.start.wrapping_add(len as u32));
                                header_done = true;
                            }
                            Header::Invalid => {
                                self.pending = None;
                                return Some(TlsItems::Tls);
                            }
                            Header::Short => {}
                        }
                    }
                    p.have = end;
                }
                let complete = p.end.is_some_and(|e| !seq_before(p.have, e));
                // Bytes after the record's end are dissected afresh (packet-tcp.c's
                // "another PDU follows"), whether or not the record could be completed.
                let after = p
                    .end
                    .filter(|&e| seq_before(e, end))
                    .and_then(|e| Some((e, bytes.get(e.wrapping_sub(seq) as usize..)?)));
                if let Some((e, after)) = after {
                    self.pending = None;
                    self.walk_fresh(e, after);
                    return Some(if complete {
                        TlsItems::ReassembledThenTls
                    } else {
                        TlsItems::Tls
                    });
                }
                if complete {
                    self.pending = None;
                    return Some(TlsItems::Reassembled);
                }
                self.pending = Some(p);
                // A header completed by this segment: the dissector read the reassembled bytes
                // and asked for the rest of the record.
                return header_done.then_some(TlsItems::Tls);
            }
            // A segment past the pending record's end starts afresh; one before its start is
            // dissected on its own and leaves the record pending.
            if p.end.is_some_and(|e| !seq_before(seq, e)) {
                self.pending = None;
            } else {
                return Some(TlsItems::Tls);
            }
        }
        self.walk_fresh(seq, bytes);
        Some(TlsItems::Tls)
    }
}

/// TLS items per frame of one TCP stream.
#[derive(Clone, Debug, Default)]
pub struct TlsPdus {
    dirs: [Direction; 2],
    /// A direction's first payload was a record header.
    tls: bool,
}

impl TlsPdus {
    /// A stream with nothing seen.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the stream's next segment (capture order); the items tshark adds to its frame.
    /// `retransmission`: tshark's analysis flags the segment a retransmission
    /// (`tcp.analysis.retransmission` or `tcp.analysis.spurious_retransmission`, not a fast one),
    /// whose bytes packet-tcp.c's `desegment_tcp` hands to no dissector.
    pub fn push(&mut self, seg: &TcpSegment, retransmission: bool) -> Option<TlsItems> {
        let dir = self.dirs.get_mut(usize::from(seg.dir))?;
        // A SYN takes one sequence number before its data.
        let seq = if seg.flags & tcp_flags::SYN != 0 {
            seg.seq.wrapping_add(1)
        } else {
            seg.seq
        };
        let len = (seg.seg_len as usize).min(seg.payload.len());
        let bytes = seg.payload.get(..len).unwrap_or_default();
        if bytes.is_empty() {
            return None;
        }
        if !dir.judged {
            dir.judged = true;
            self.tls |= !matches!(read_header(bytes), Header::Invalid);
        }
        if retransmission {
            return None;
        }
        dir.segment(seq, bytes, self.tls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl TlsPdus {
        fn push_(&mut self, seg: &TcpSegment) -> Option<TlsItems> {
            self.push(seg, false)
        }
    }

    fn seg(dir: u8, seq: u32, payload: &[u8]) -> TcpSegment {
        TcpSegment {
            frame: 0,
            ts_ns: 0,
            dir,
            seq,
            ack: 0,
            flags: tcp_flags::ACK,
            seg_len: payload.len() as u32,
            payload: payload.to_vec(),
        }
    }

    #[test]
    fn record_split_over_segments_completes_in_the_last() {
        let mut t = TlsPdus::new();
        assert_eq!(
            t.push_(&seg(0, 100, &[22, 3, 1, 0, 4, 1])),
            Some(TlsItems::Tls)
        );
        assert_eq!(t.push_(&seg(0, 106, &[2])), None);
        assert_eq!(
            t.push_(&seg(0, 107, &[3, 4, 23, 3, 3, 0, 9])),
            Some(TlsItems::ReassembledThenTls)
        );
    }

    #[test]
    fn hole_leaves_the_record_pending_and_a_later_record_is_fresh() {
        let mut t = TlsPdus::new();
        assert_eq!(
            t.push_(&seg(0, 1, &[22, 3, 3, 0, 10, 0])),
            Some(TlsItems::Tls)
        );
        // Bytes 7..12 are missing; the rest of the record is held.
        assert_eq!(t.push_(&seg(0, 12, &[0, 0, 0, 0])), None);
        assert_eq!(t.push_(&seg(0, 16, &[23, 3, 3, 0, 0])), Some(TlsItems::Tls));
    }

    #[test]
    fn cut_header_waits_for_one_more_segment() {
        let mut t = TlsPdus::new();
        assert_eq!(t.push_(&seg(1, 0, &[23, 3])), Some(TlsItems::Tls));
        assert_eq!(
            t.push_(&seg(1, 2, &[3, 0, 1, 7])),
            Some(TlsItems::Reassembled)
        );
    }

    #[test]
    fn retransmission_and_non_tls_stream_get_nothing() {
        let mut t = TlsPdus::new();
        assert_eq!(t.push_(&seg(0, 0, &[21, 3, 3, 0, 0])), Some(TlsItems::Tls));
        assert_eq!(t.push(&seg(0, 0, &[21, 3, 3, 0, 0]), true), None);
        // The conversation is TLS: the other direction's bytes reach the dissector too.
        assert_eq!(t.push_(&seg(1, 0, b"junk")), Some(TlsItems::Tls));
        let mut plain = TlsPdus::new();
        assert_eq!(plain.push_(&seg(0, 0, b"GET / HTTP/1.1\r\n")), None);
        assert_eq!(plain.push_(&seg(1, 0, &[0])), None);
    }
}
