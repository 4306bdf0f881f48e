//! One TCP stream's session details and ladder from an indexed capture, reading back only the
//! stream's own frames (in order, through the index) instead of the whole file.
//!
//! TCP analysis is per stream except for port reuse (`tcp.analysis.reused_ports` compares a SYN
//! with the earlier streams of the same address/port pair), so the analyzer is fed the frames of
//! every stream between the same two endpoints, in file order; the session tracker and the ladder
//! keep only the asked stream. A frame with several TCP layers (a tunnel, an ICMP error quoting a
//! header) is fed whole, its layers keeping the stream ids the index recorded. The result equals
//! the full pass (tests/session_indexed.rs checks every stream of the public corpus).

use std::io;

use crate::capture::random_access::ByteSource;
use crate::decode::DecodedFrame;
use crate::flow::FrameStreams;
use crate::index::{reread_frame, StreamKind};
use crate::pipeline::{ConvKind, Conversation, Indexer};

use super::{Ladder, LadderBuilder, TcpAnalyzer, TcpSession, TcpSessionTracker};

/// A TCP stream's session details and its ladder arrows.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SessionWithLadder {
    /// Handshake, state, per-direction counters, packet lots.
    pub session: TcpSession,
    /// The ladder (timing) diagram's arrows.
    pub ladder: Ladder,
}

/// Analyzes `tcp.stream == stream` of the capture `indexer` indexed, reading its frames from
/// `source` (the same file). `Ok(None)` when the stream has no packets.
pub fn analyze_indexed_session(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    stream: u32,
) -> io::Result<Option<SessionWithLadder>> {
    let frames = frames_between_same_endpoints(indexer, stream);
    let first_ts_ns = indexer.pipeline().first_ts_ns().unwrap_or(0);
    let mut analyzer = TcpAnalyzer::new();
    let mut tracker = TcpSessionTracker::for_stream(stream);
    let mut ladder = LadderBuilder::new(stream);
    let mut tcp = Vec::new();
    let mut decoded = DecodedFrame::default();
    let mut streams = FrameStreams::default();
    for number in frames {
        let Some(frame) = reread_frame(indexer, source, number, &mut decoded)? else {
            continue;
        };
        streams.clear();
        streams.tcp = indexer.index().streams_of_frame(number, StreamKind::Tcp);
        streams.udp = indexer.index().streams_of_frame(number, StreamKind::Udp);
        let ctx = frame.context(&decoded, &streams, first_ts_ns);
        analyzer.analyze_frame(&ctx, &mut tcp);
        tracker.observe(&ctx, &tcp);
        ladder.observe(&ctx, &tcp);
    }
    Ok(tracker.session(stream).map(|session| {
        let ladder = ladder.finish(&session.client);
        SessionWithLadder { session, ladder }
    }))
}

/// Frames of `stream` and of every other TCP stream between the same two endpoints (either
/// orientation), ascending and without repeats.
fn frames_between_same_endpoints(indexer: &Indexer, stream: u32) -> Vec<u32> {
    let conversations = indexer.conversations(ConvKind::Tcp);
    type Endpoint<'a> = (&'a str, Option<u16>);
    fn endpoints(c: &Conversation) -> (Endpoint<'_>, Endpoint<'_>) {
        let a = (c.addr_a.as_str(), c.port_a);
        let b = (c.addr_b.as_str(), c.port_b);
        if a <= b {
            (a, b)
        } else {
            (b, a)
        }
    }
    let Some(target) = conversations.iter().find(|c| c.stream == Some(stream)) else {
        return indexer.frames_of_stream(ConvKind::Tcp, stream);
    };
    let key = endpoints(target);
    let mut frames: Vec<u32> = conversations
        .iter()
        .filter(|c| endpoints(c) == key)
        .filter_map(|c| c.stream)
        .flat_map(|s| indexer.frames_of_stream(ConvKind::Tcp, s))
        .collect();
    frames.sort_unstable();
    frames.dedup();
    frames
}
