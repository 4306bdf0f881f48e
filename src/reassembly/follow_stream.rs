//! One call for the front ends: follow a stream of an indexed capture and write it in a tshark
//! format ([`write_stream_follow`]), or get its chunks lazily ([`stream_chunks`]).

use std::io::{self, Write};

use super::follow_format::{FollowFormat, FollowHeader, FollowProto, FollowWriter, NodeFilter};
use super::stream_source::StreamReader;
use super::tcp_follow::{FollowChunk, FollowTcpIter, TcpFollowOptions};
use super::udp_follow::follow_udp;
use crate::capture::random_access::ByteSource;
use crate::pipeline::Indexer;

/// The stream's banner data and a lazy iterator over its chunks (None when the stream does not
/// exist in the index). TCP chunks follow tshark unless `options` says otherwise.
pub fn stream_chunks<'a>(
    indexer: &'a Indexer,
    source: &'a mut dyn ByteSource,
    proto: FollowProto,
    stream: u32,
    options: TcpFollowOptions,
) -> Option<(FollowHeader, Box<dyn Iterator<Item = FollowChunk> + 'a>)> {
    let mut reader = StreamReader::new(indexer, source, proto, stream);
    if reader.frame_count() == 0 {
        return None;
    }
    let header = reader.header(stream);
    let chunks: Box<dyn Iterator<Item = FollowChunk> + 'a> = match proto {
        FollowProto::Tcp => Box::new(FollowTcpIter::new(reader.tcp_segments(), options)),
        FollowProto::Udp => Box::new(follow_udp(reader.udp_datagrams())),
    };
    Some((header, chunks))
}

/// Writes `tshark -q -z follow,<proto>,<format>,<stream>` output (optionally one node only) to
/// `out`. Errors: `NotFound` when the stream does not exist or has no packet.
pub fn write_stream_follow<W: Write>(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    proto: FollowProto,
    stream: u32,
    format: FollowFormat,
    nodes: NodeFilter,
    out: W,
) -> io::Result<W> {
    let (header, chunks) =
        stream_chunks(indexer, source, proto, stream, TcpFollowOptions::default()).ok_or_else(
            || io::Error::new(io::ErrorKind::NotFound, format!("no such stream: {stream}")),
        )?;
    let mut w = FollowWriter::new(out, format, nodes);
    w.begin(&header)?;
    for c in chunks {
        w.chunk(&c)?;
    }
    w.end()
}
