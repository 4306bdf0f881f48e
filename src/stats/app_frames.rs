//! Which frames tshark's protocol hierarchy counts under an application node of TCP: `http` for
//! the frame that ends an HTTP message (or carries a tshark continuation), `tls` for a frame in
//! which at least one TLS record ends, both after TCP reassembly. Segments that only continue a
//! PDU get no application node (tshark's "TCP segment of a reassembled PDU").
//!
//! HTTP messages come from [`crate::app::http::http_messages`]. TLS records are walked over each
//! direction's reassembled bytes: a direction is TLS when its first bytes are a record header
//! (content type 20–24, major version 3); the walk stops at a gap or at bytes that are no record
//! header. Memory: one `u32` per marked frame, plus a 5-byte header per direction walked.

use crate::app::http::{http_messages, HttpOptions};
use crate::capture::random_access::ByteSource;
use crate::index::StreamKind;
use crate::pipeline::Indexer;
use crate::reassembly::{FollowProto, FollowTcpIter, StreamReader, TcpFollowOptions};

/// Frames carrying the end of an HTTP message or of a TLS record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppFrames {
    http: Vec<u32>,
    tls: Vec<u32>,
}

/// Record-walking state of one direction of a stream.
#[derive(Clone, Debug, Default)]
struct RecordWalk {
    header: Vec<u8>,
    body_left: usize,
    dead: bool,
    /// A valid record header was read in this direction.
    seen_record: bool,
}

impl RecordWalk {
    /// Starts a record body of `len` bytes after a complete header (an empty body ends at once).
    fn begin_body(&mut self, len: usize, ended: &mut bool) {
        self.header.clear();
        if len == 0 {
            *ended = true;
        } else {
            self.body_left = len;
        }
    }

    /// Walks one segment's new `bytes`; true when tshark's TLS dissector adds its item to that
    /// frame: a record ends inside them, or they begin at a record boundary of a TLS direction
    /// (the dissector runs, then asks TCP for the rest of the record).
    fn walk(&mut self, bytes: &[u8]) -> bool {
        let at_boundary = !self.dead && self.header.is_empty() && self.body_left == 0;
        self.walk_records(bytes) || (at_boundary && !bytes.is_empty() && self.seen_record)
    }

    /// Walks `bytes`; true when a record ends inside them.
    fn walk_records(&mut self, bytes: &[u8]) -> bool {
        let mut ended = false;
        let mut rest = bytes;
        // Every turn consumes at least one byte or leaves.
        while !rest.is_empty() && !self.dead {
            if self.body_left == 0 {
                // A record header: 5 bytes, or 2 for an SSLv2-format ClientHello (high bit set,
                // message type 1 in the third byte), decided once 3 bytes are in.
                let want = if self.header.len() < 3 { 3 } else { 5 };
                let take = (want - self.header.len()).min(rest.len());
                let (head, tail) = rest.split_at(take);
                self.header.extend_from_slice(head);
                rest = tail;
                match self.header[..] {
                    [b0, b1, 1] if b0 & 0x80 != 0 => {
                        // The length counts the bytes after the 2-byte header, type included.
                        let len = usize::from(u16::from_be_bytes([b0 & 0x7f, b1]));
                        self.seen_record = true;
                        self.begin_body(len.saturating_sub(1), &mut ended);
                    }
                    [ty, major, _, ..] if !(20..=24).contains(&ty) || major != 3 => {
                        self.dead = true;
                    }
                    [_, _, _, hi, lo] => {
                        let len = usize::from(u16::from_be_bytes([hi, lo]));
                        self.seen_record = true;
                        self.begin_body(len, &mut ended);
                    }
                    _ => {}
                }
                continue;
            }
            let take = self.body_left.min(rest.len());
            rest = rest.get(take..).unwrap_or_default();
            self.body_left -= take;
            if self.body_left == 0 {
                ended = true;
            }
        }
        ended
    }
}

/// Frames of `frames` (one TCP stream, capture order) in which a TLS record ends.
fn tls_record_ends(indexer: &Indexer, source: &mut dyn ByteSource, frames: Vec<u32>) -> Vec<u32> {
    let reader = StreamReader::with_frames(indexer, source, FollowProto::Tcp, frames);
    let mut walks = [RecordWalk::default(), RecordWalk::default()];
    let mut out = Vec::new();
    for chunk in FollowTcpIter::new(reader.tcp_segments(), TcpFollowOptions::default()) {
        let Some(walk) = walks.get_mut(usize::from(chunk.dir)) else {
            continue;
        };
        if chunk.gap_before.is_some() {
            walk.dead = true;
        }
        if walk.walk(&chunk.bytes) && out.last() != Some(&chunk.frame) {
            out.push(chunk.frame);
        }
        if walks.iter().all(|w| w.dead) {
            break;
        }
    }
    out
}

impl AppFrames {
    /// The application frames of an indexed capture.
    pub fn of_capture(indexer: &Indexer, source: &mut dyn ByteSource) -> Self {
        let mut http: Vec<u32> = http_messages(indexer, source, HttpOptions::default())
            .iter()
            .map(|m| m.last_frame)
            .collect();
        http.sort_unstable();
        http.dedup();
        let index = indexer.index();
        let mut by_stream: Vec<Vec<u32>> = Vec::new();
        for number in 1..=u32::try_from(index.len()).unwrap_or(u32::MAX) {
            for s in index.streams_of_frame(number, StreamKind::Tcp) {
                let Ok(i) = usize::try_from(s) else { continue };
                if by_stream.len() <= i {
                    by_stream.resize_with(i.saturating_add(1), Vec::new);
                }
                if let Some(v) = by_stream.get_mut(i) {
                    if v.last() != Some(&number) {
                        v.push(number);
                    }
                }
            }
        }
        let mut tls = Vec::new();
        for frames in by_stream {
            if !frames.is_empty() {
                tls.extend(tls_record_ends(indexer, source, frames));
            }
        }
        tls.sort_unstable();
        tls.dedup();
        Self { http, tls }
    }

    /// The application node of `frame` (`http` before `tls`), if any.
    pub fn protocol_of(&self, frame: u32) -> Option<&'static str> {
        if self.http.binary_search(&frame).is_ok() {
            Some("http")
        } else if self.tls.binary_search(&frame).is_ok() {
            Some("tls")
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_end_is_found_across_chunks() {
        let mut w = RecordWalk::default();
        assert!(!w.walk(&[22, 3, 1, 0]));
        assert!(!w.walk(&[4, 1, 2]));
        assert!(w.walk(&[3, 4, 23, 3, 3, 0, 1]));
        assert!(w.walk(&[9]));
        assert!(!w.dead);
    }

    #[test]
    fn non_record_bytes_stop_the_walk() {
        let mut w = RecordWalk::default();
        assert!(!w.walk(b"GET / HTTP/1.1\r\n"));
        assert!(w.dead);
        assert!(!w.walk(&[22, 3, 1, 0, 0]));
    }

    #[test]
    fn sslv2_client_hello_then_records() {
        let mut w = RecordWalk::default();
        assert!(!w.walk(&[0x80]));
        assert!(!w.walk(&[4, 1, 3]));
        assert!(w.walk(&[0, 0, 22, 3, 1, 0, 1]));
        assert!(!w.dead);
        assert!(w.walk(&[7]));
    }

    #[test]
    fn empty_record_ends_at_its_header() {
        let mut w = RecordWalk::default();
        assert!(w.walk(&[21, 3, 3, 0, 0]));
    }
}
