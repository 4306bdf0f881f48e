//! Follow HTTP: HTTP/1.x messages of TCP streams with de-chunked, decoded bodies
//! ([`stream_parser`], [`content_coding`]), the message DTO ([`message`]) and export objects
//! ([`export_objects`]). Works on reassembled follow chunks; gaps are gaps, never tshark's marker.

pub mod content_coding;
pub mod export_objects;
pub mod message;
pub mod stream_parser;

pub use content_coding::{decode_body, DecodeError, Decoded};
pub use export_objects::{export_objects, object_body, HttpObject};
pub use message::{HttpKind, HttpMessage};
pub use stream_parser::{http_messages_of_chunks, HttpOptions, HttpStreamParser};

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

/// HTTP messages of one TCP stream (empty when the stream is not HTTP).
pub fn http_messages_of_stream(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    stream: u32,
    options: HttpOptions,
) -> Vec<HttpMessage> {
    let reader = StreamReader::new(indexer, source, FollowProto::Tcp, stream);
    parse_stream(stream, reader, options)
}

/// HTTP messages of every TCP stream of the capture, in capture order (by the frame that ends each
/// message, then stream). One pass over the index groups frames by stream; streams whose first
/// bytes are not HTTP are abandoned early.
pub fn http_messages(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    options: HttpOptions,
) -> Vec<HttpMessage> {
    let index = indexer.index();
    let mut by_stream: Vec<Vec<u32>> = Vec::new();
    for number in 1..=u32::try_from(index.len()).unwrap_or(u32::MAX) {
        for s in index.streams_of_frame(number, StreamKind::Tcp) {
            let Ok(i) = usize::try_from(s) else { continue };
            if by_stream.len() <= i {
                by_stream.resize_with(i + 1, Vec::new);
            }
            if let Some(v) = by_stream.get_mut(i) {
                if v.last() != Some(&number) {
                    v.push(number);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (stream, frames) in by_stream.into_iter().enumerate() {
        if frames.is_empty() {
            continue;
        }
        let stream = u32::try_from(stream).unwrap_or(u32::MAX);
        let reader = StreamReader::with_frames(indexer, source, FollowProto::Tcp, frames);
        out.extend(parse_stream(stream, reader, options));
    }
    out.sort_by_key(|m| (m.last_frame, m.stream));
    out
}
