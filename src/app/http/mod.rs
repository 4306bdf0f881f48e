//! Follow HTTP: HTTP/1.x messages of TCP streams with de-chunked, decoded bodies
//! ([`stream_parser`], [`content_coding`]), the message DTO ([`message`]) and export objects
//! ([`export_objects`]). Works on reassembled follow chunks; gaps are gaps, never tshark's marker.

pub mod content_coding;
pub mod continuation;
pub mod export_objects;
pub mod message;
pub mod stream_parser;
pub mod tshark_view;

pub use content_coding::{decode_body, DecodeError, Decoded};
pub use export_objects::{export_objects, exported_body, object_body, HttpObject};
pub use message::{HttpKind, HttpMessage};
pub use stream_parser::{
    continuation_messages_of_chunks, http_messages_of_chunks, HttpOptions, HttpStreamParser,
};
pub use tshark_view::TsharkView;

use crate::capture::random_access::ByteSource;
use crate::index::StreamKind;
use crate::pipeline::Indexer;
use crate::reassembly::tcp_follow::tcp_flags;
use crate::reassembly::{FollowProto, FollowTcpIter, StreamReader, TcpFollowOptions};

/// Reassembly options for HTTP: like tshark's follow, but segments still held behind a hole at
/// the end of the stream are released (after a gap) instead of dropped.
fn reassembly_options() -> TcpFollowOptions {
    TcpFollowOptions {
        flush_held_back_at_end: true,
        ..TcpFollowOptions::default()
    }
}

/// Parses the messages of a stream read by `reader`, noting each direction's first FIN.
fn parse_stream(stream: u32, reader: StreamReader<'_>, options: HttpOptions) -> Vec<HttpMessage> {
    let mut fin: [Option<u32>; 2] = [None, None];
    let mut parser = HttpStreamParser::new(stream, options);
    {
        let segments = reader.tcp_segments().inspect(|s| {
            let d = usize::from(s.dir.min(1));
            if s.flags & tcp_flags::FIN != 0 && fin[d].is_none() {
                fin[d] = Some(s.frame);
            }
        });
        for chunk in FollowTcpIter::new(segments, reassembly_options()) {
            parser.push(&chunk);
            if !parser.is_http() {
                return Vec::new();
            }
        }
    }
    parser.finish_with_fin(fin)
}

/// tshark's continuation messages of a stream already found to be HTTP (its segments read again,
/// in the tshark view), merged into `messages` in order of their frames.
fn add_continuations(
    messages: &mut Vec<HttpMessage>,
    stream: u32,
    reader: StreamReader<'_>,
    options: HttpOptions,
) {
    if messages.is_empty() {
        return;
    }
    let mut view = TsharkView::new();
    let chunks = reader.tcp_segments().filter_map(move |s| view.chunk(s));
    messages.extend(continuation_messages_of_chunks(stream, chunks, options));
    messages.sort_by_key(|m| m.last_frame);
}

/// HTTP messages of one TCP stream (empty when the stream is not HTTP), with tshark's
/// continuations ([`continuation`]).
pub fn http_messages_of_stream(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    stream: u32,
    options: HttpOptions,
) -> Vec<HttpMessage> {
    let reader = StreamReader::new(indexer, source, FollowProto::Tcp, stream);
    let mut messages = parse_stream(stream, reader, options);
    let reader = StreamReader::new(indexer, source, FollowProto::Tcp, stream);
    add_continuations(&mut messages, stream, reader, options);
    messages
}

/// HTTP messages (with tshark's continuations) of every TCP stream of the capture, in capture order (by the frame that ends each
/// message, then stream). One pass over the index groups frames by stream; streams whose first
/// bytes are not HTTP are abandoned early.
pub fn http_messages(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    options: HttpOptions,
) -> Vec<HttpMessage> {
    let mut out = Vec::new();
    for_each_stream_messages(indexer, source, options, |messages| out.extend(messages));
    out.sort_by_key(|m| (m.last_frame, m.stream));
    out
}

/// Calls `visit` with the HTTP messages (continuations included, ordered by their last frame)
/// of each TCP stream that has any, stream by stream: a caller that keeps only a summary of each
/// stream holds one stream's messages at a time.
pub fn for_each_stream_messages(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    options: HttpOptions,
    mut visit: impl FnMut(Vec<HttpMessage>),
) {
    let by_stream = indexer.index().frames_by_stream(StreamKind::Tcp);
    for (stream, frames) in by_stream.into_iter().enumerate() {
        if frames.is_empty() {
            continue;
        }
        let stream = u32::try_from(stream).unwrap_or(u32::MAX);
        let reader = StreamReader::with_frames(indexer, source, FollowProto::Tcp, frames.clone());
        let mut messages = parse_stream(stream, reader, options);
        let reader = StreamReader::with_frames(indexer, source, FollowProto::Tcp, frames);
        add_continuations(&mut messages, stream, reader, options);
        if !messages.is_empty() {
            visit(messages);
        }
    }
}
