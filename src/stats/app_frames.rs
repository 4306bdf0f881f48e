//! Which frames tshark's protocol hierarchy counts under an application node of TCP: `http` for
//! the frame that ends an HTTP message (or carries a tshark continuation), `tls` (and
//! `tcp.segments`) where tshark's TLS dissector adds its items ([`super::tls_pdus`]), both after
//! TCP reassembly. Segments that only continue a PDU get no application node (tshark's "TCP
//! segment of a reassembled PDU").
//!
//! HTTP messages come from [`crate::app::http::for_each_stream_messages`], one stream at a time
//! and without their bodies; TLS items from each TCP stream's segments in capture order, with
//! tshark's retransmission flags from a [`TcpAnalyzer`] pass. Memory: one `u32` per HTTP frame,
//! one entry per TLS frame, one `u32` per TCP frame (the streams' frame lists), and one stream's
//! message heads at a time.

use crate::app::http::{for_each_stream_messages, HttpKind, HttpMessage, HttpOptions};
use crate::capture::random_access::ByteSource;
use crate::index::StreamKind;
use crate::pipeline::{FrameContext, Indexer, Pipeline};
use crate::reassembly::tcp_follow::tcp_flags;
use crate::reassembly::{FollowProto, StreamReader};
use crate::session::{AnalysisFlags, TcpAnalyzer};

use super::tls_pdus::{TlsItems, TlsPdus};

/// Frames carrying the end of an HTTP message or of a TLS record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppFrames {
    http: Vec<u32>,
    /// Payload-less FIN frames completing a response read until the close (`tcp.segments` ›
    /// `http`), ascending.
    http_at_fin: Vec<u32>,
    /// Frames with TLS items, ascending.
    tls: Vec<(u32, TlsItems)>,
}

/// True for a message whose `Content-Length` body the capture does not hold in full (the stream
/// ended or a gap fell inside it): tshark's HTTP dissector is still waiting for the body's
/// reassembly, so no frame gets its `http` item. Messages that have no body whatever their
/// `Content-Length` (responses 1xx, 204, 304, and to HEAD: `answers_head`) are not cut short.
fn body_cut_short(m: &HttpMessage, answers_head: bool) -> bool {
    let declared = m
        .header("Content-Length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let bodiless = m
        .status
        .is_some_and(|s| (100..200).contains(&s) || s == 204 || s == 304);
    let plain = m.content_encoding.is_none() && m.transfer_encoding.is_none();
    declared > 0
        && !bodiless
        && !answers_head
        && plain
        && !m.truncated
        && m.body_len != Some(declared)
}

/// True for a response with a body but neither `Content-Length` nor a transfer coding: it lasts
/// until the sender closes the connection.
fn read_until_close(m: &HttpMessage, answers_head: bool) -> bool {
    let bodiless = m
        .status
        .is_some_and(|s| (100..200).contains(&s) || s == 204 || s == 304);
    m.kind == HttpKind::Response
        && !bodiless
        && !answers_head
        && m.header("Content-Length").is_none()
        && m.transfer_encoding.is_none()
}

/// Per message of `messages`: it is a response answering a HEAD request. Responses are paired
/// with the requests of their stream in order (interim 1xx responses answer none).
fn responses_to_head(messages: &[HttpMessage]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..messages.len()).collect();
    order.sort_by_key(|&i| messages.get(i).map(|m| (m.stream, m.first_frame)));
    let mut out = vec![false; messages.len()];
    let mut requests: Vec<(u32, bool)> = Vec::new();
    let mut responses: Vec<(u32, usize)> = Vec::new();
    for &i in &order {
        let Some(m) = messages.get(i) else { continue };
        match m.kind {
            HttpKind::Request => requests.push((m.stream, m.method.as_deref() == Some("HEAD"))),
            HttpKind::Response if !m.status.is_some_and(|s| (100..200).contains(&s)) => {
                responses.push((m.stream, i));
            }
            _ => {}
        }
    }
    // Both lists are sorted by stream: walk them together, pairing the n-th of each stream.
    let mut r = 0usize;
    let mut stream_start = 0usize;
    let mut current: Option<u32> = None;
    let mut nth = 0usize;
    for (stream, i) in responses {
        if current != Some(stream) {
            current = Some(stream);
            nth = 0;
            while requests.get(r).is_some_and(|q| q.0 < stream) {
                r += 1;
            }
            stream_start = r;
        }
        let head = requests
            .get(stream_start + nth)
            .is_some_and(|q| q.0 == stream && q.1);
        if let Some(o) = out.get_mut(i) {
            *o = head;
        }
        nth += 1;
    }
    out
}

/// Frames whose (first) TCP layer tshark's analysis flags a retransmission, ascending: one
/// decoding pass over `source` with [`TcpAnalyzer`]. A read error ends the pass early (the frames
/// after it count as not retransmitted).
fn retransmitted_frames(source: &mut dyn ByteSource) -> Vec<u32> {
    let mut out = Vec::new();
    let mut analyzer = TcpAnalyzer::new();
    let mut layers = Vec::new();
    let mut pipeline = Pipeline::new();
    let mut visit = |c: &FrameContext| {
        analyzer.analyze_frame(c, &mut layers);
        let flagged = layers.first().and_then(|l| l.analysis).is_some_and(|a| {
            a.flags.contains(AnalysisFlags::RETRANSMISSION)
                || a.flags.contains(AnalysisFlags::SPURIOUS_RETRANSMISSION)
        });
        if flagged {
            out.push(c.meta.number);
        }
    };
    let mut buf = vec![0u8; 1 << 20];
    let mut offset = 0u64;
    // Every turn reads at least one byte or leaves.
    while let Ok(n) = source.read_at(offset, &mut buf) {
        let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
            break;
        };
        pipeline.push(chunk, &mut visit);
        if pipeline.error().is_some() {
            break;
        }
        offset = offset.saturating_add(n as u64);
    }
    pipeline.finish(&mut visit);
    out
}

/// Where tshark completes a response read until the connection closes
/// (packet-http.c asks TCP to reassemble until FIN): at the sender's first FIN after it.
enum CloseEnd {
    /// The FIN comes with the response's last bytes: `http` on that frame.
    WithData(u32),
    /// A FIN without payload completes the reassembly: `tcp.segments` › `http` there.
    BareFin(u32),
}

/// The TLS items of the frames of one TCP stream (`frames`, capture order), appended to `out`;
/// returns where the responses of this stream ending in `until_close` (last frames, ascending)
/// are completed (none when the sender's FIN was not captured: tshark then never shows them).
fn tls_items_of_stream(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    frames: Vec<u32>,
    retransmitted: &[u32],
    until_close: &[u32],
    out: &mut Vec<(u32, TlsItems)>,
) -> Vec<CloseEnd> {
    let reader = StreamReader::with_frames(indexer, source, FollowProto::Tcp, frames);
    let mut pdus = TlsPdus::new();
    // Per direction: a response read until the close waits for the FIN.
    let mut waiting = [false; 2];
    let mut ends = Vec::new();
    for seg in reader.tcp_segments() {
        let retransmission = retransmitted.binary_search(&seg.frame).is_ok();
        if let Some(items) = pdus.push(&seg, retransmission) {
            if out.last().map(|l| l.0) != Some(seg.frame) {
                out.push((seg.frame, items));
            }
        }
        let Some(wait) = waiting.get_mut(usize::from(seg.dir)) else {
            continue;
        };
        let ends_response = until_close.binary_search(&seg.frame).is_ok();
        if seg.flags & tcp_flags::FIN != 0 && (*wait || ends_response) {
            *wait = false;
            ends.push(if seg.seg_len > 0 {
                CloseEnd::WithData(seg.frame)
            } else {
                CloseEnd::BareFin(seg.frame)
            });
        } else if ends_response {
            *wait = true;
        }
    }
    ends
}

impl AppFrames {
    /// The application frames of an indexed capture.
    pub fn of_capture(indexer: &Indexer, source: &mut dyn ByteSource) -> Self {
        let mut http: Vec<u32> = Vec::new();
        // Last frames of responses read until the connection closes.
        let mut until_close: Vec<u32> = Vec::new();
        // Stream by stream, without bodies: only the frames decided here outlive a stream.
        let options = HttpOptions {
            keep_bodies: false,
            ..HttpOptions::default()
        };
        for_each_stream_messages(indexer, source, options, |messages| {
            let answers_head = responses_to_head(&messages);
            for (m, &head) in messages.iter().zip(&answers_head) {
                if body_cut_short(m, head) {
                    continue;
                }
                if read_until_close(m, head) {
                    until_close.push(m.last_frame);
                } else {
                    http.push(m.last_frame);
                }
            }
        });
        until_close.sort_unstable();
        until_close.dedup();
        let by_stream = indexer.index().frames_by_stream(StreamKind::Tcp);
        let retransmitted = retransmitted_frames(source);
        let mut tls = Vec::new();
        let mut http_at_fin = Vec::new();
        for frames in by_stream {
            if !frames.is_empty() {
                let ends = tls_items_of_stream(
                    indexer,
                    source,
                    frames,
                    &retransmitted,
                    &until_close,
                    &mut tls,
                );
                for end in ends {
                    match end {
                        CloseEnd::WithData(f) => http.push(f),
                        CloseEnd::BareFin(f) => http_at_fin.push(f),
                    }
                }
            }
        }
        http.sort_unstable();
        http.dedup();
        http_at_fin.sort_unstable();
        http_at_fin.dedup();
        // A frame in two streams (tunnels) keeps the items of the first.
        tls.sort_by_key(|t| t.0);
        tls.dedup_by_key(|t| t.0);
        Self {
            http,
            http_at_fin,
            tls,
        }
    }

    /// The application node of `frame` (`http` before `tls`), if any.
    pub fn protocol_of(&self, frame: u32) -> Option<&'static str> {
        if self.http.binary_search(&frame).is_ok() || self.http_at_fin.binary_search(&frame).is_ok()
        {
            Some("http")
        } else if self.tls_items(frame).is_some() {
            Some("tls")
        } else {
            None
        }
    }

    /// The TLS items tshark adds to `frame`, if any.
    pub fn tls_items(&self, frame: u32) -> Option<TlsItems> {
        let i = self.tls.binary_search_by_key(&frame, |t| t.0).ok()?;
        self.tls.get(i).map(|t| t.1)
    }

    /// The protocol-hierarchy nodes of `frame` after `tcp`, outermost first (`http`, or
    /// `tcp.segments` › `http` for a bare FIN ending a response read until the close; `tls`, with
    /// `tcp.segments` when it completes a record split over segments; or none).
    pub fn path_of(&self, frame: u32) -> &'static [&'static str] {
        if self.http.binary_search(&frame).is_ok() {
            &["http"]
        } else if self.http_at_fin.binary_search(&frame).is_ok() {
            &["tcp.segments", "http"]
        } else {
            self.tls_items(frame).map_or(&[], TlsItems::path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(stream: u32, kind: HttpKind, frame: u32, method: Option<&str>) -> HttpMessage {
        HttpMessage {
            method: method.map(str::to_string),
            status: (kind == HttpKind::Response).then_some(200),
            headers: vec![("Content-Length".to_string(), "10".to_string())],
            ..HttpMessage::empty(stream, kind, frame, frame)
        }
    }

    #[test]
    fn responses_pair_with_requests_of_their_stream_in_order() {
        let messages = vec![
            msg(1, HttpKind::Request, 1, Some("HEAD")),
            msg(2, HttpKind::Request, 2, Some("GET")),
            msg(1, HttpKind::Request, 3, Some("GET")),
            msg(2, HttpKind::Response, 4, None),
            msg(1, HttpKind::Response, 5, None),
            msg(1, HttpKind::Response, 6, None),
        ];
        assert_eq!(
            responses_to_head(&messages),
            [false, false, false, false, true, false]
        );
    }

    #[test]
    fn declared_body_missing_is_cut_short_unless_bodiless() {
        let mut m = msg(1, HttpKind::Response, 1, None);
        assert!(body_cut_short(&m, false));
        assert!(!body_cut_short(&m, true));
        m.body_len = Some(10);
        assert!(!body_cut_short(&m, false));
        m.body_len = None;
        m.status = Some(304);
        assert!(!body_cut_short(&m, false));
    }
}
