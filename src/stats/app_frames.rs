//! Which frames tshark's protocol hierarchy counts under an application node of TCP: `http` for
//! the frame that ends an HTTP message (or carries a tshark continuation), `tls` (and
//! `tcp.segments`) where tshark's TLS dissector adds its items ([`super::tls_pdus`]), both after
//! TCP reassembly. Segments that only continue a PDU get no application node (tshark's "TCP
//! segment of a reassembled PDU").
//!
//! HTTP messages come from [`crate::app::http::http_messages`]; TLS items from each TCP stream's
//! segments in capture order, with tshark's retransmission flags from a [`TcpAnalyzer`] pass.
//! Memory: one `u32` per HTTP frame and one entry per TLS frame.

use crate::app::http::{http_messages, HttpOptions};
use crate::capture::random_access::ByteSource;
use crate::index::StreamKind;
use crate::pipeline::{FrameContext, Indexer, Pipeline};
use crate::reassembly::{FollowProto, StreamReader};
use crate::session::{AnalysisFlags, TcpAnalyzer};

use super::tls_pdus::{TlsItems, TlsPdus};

/// Frames carrying the end of an HTTP message or of a TLS record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppFrames {
    http: Vec<u32>,
    /// Frames with TLS items, ascending.
    tls: Vec<(u32, TlsItems)>,
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
        let flagged = layers
            .first()
            .and_then(|l| l.analysis)
            .is_some_and(|a| a.flags.contains(AnalysisFlags::RETRANSMISSION));
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

/// The TLS items of the frames of one TCP stream (`frames`, capture order).
fn tls_items_of_stream(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    frames: Vec<u32>,
    retransmitted: &[u32],
    out: &mut Vec<(u32, TlsItems)>,
) {
    let reader = StreamReader::with_frames(indexer, source, FollowProto::Tcp, frames);
    let mut pdus = TlsPdus::new();
    for seg in reader.tcp_segments() {
        let retransmission = retransmitted.binary_search(&seg.frame).is_ok();
        if let Some(items) = pdus.push(&seg, retransmission) {
            if out.last().map(|l| l.0) != Some(seg.frame) {
                out.push((seg.frame, items));
            }
        }
    }
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
        let retransmitted = retransmitted_frames(source);
        let mut tls = Vec::new();
        for frames in by_stream {
            if !frames.is_empty() {
                tls_items_of_stream(indexer, source, frames, &retransmitted, &mut tls);
            }
        }
        // A frame in two streams (tunnels) keeps the items of the first.
        tls.sort_by_key(|t| t.0);
        tls.dedup_by_key(|t| t.0);
        Self { http, tls }
    }

    /// The application node of `frame` (`http` before `tls`), if any.
    pub fn protocol_of(&self, frame: u32) -> Option<&'static str> {
        if self.http.binary_search(&frame).is_ok() {
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

    /// The protocol-hierarchy nodes of `frame` after `tcp`, outermost first (`http`; `tls`,
    /// with `tcp.segments` when it completes a record split over segments; or none).
    pub fn path_of(&self, frame: u32) -> &'static [&'static str] {
        if self.http.binary_search(&frame).is_ok() {
            &["http"]
        } else {
            self.tls_items(frame).map_or(&[], TlsItems::path)
        }
    }
}
