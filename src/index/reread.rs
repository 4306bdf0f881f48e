//! Reading one indexed frame back from the capture file and decoding it again: what every view
//! that needs more than the index holds (follow, sessions, packet rows) does per frame.
//!
//! A frame that completes a fragmented IP datagram is decoded after the frames just before it
//! ([`FRAGMENT_LOOKBACK`] at most), since its other fragments are usually not in the list the
//! caller is reading (a stream's frames, a page of rows).

use std::io;

use crate::capture::random_access::ByteSource;
use crate::capture::FrameMeta;
use crate::decode::{DecodedFrame, Decoder};
use crate::flow::FrameStreams;
use crate::pipeline::{FrameContext, Indexer};

/// Frames read before a frame that completes a fragmented datagram, to find its other fragments.
pub const FRAGMENT_LOOKBACK: u32 = 256;

/// A frame read back from the file: its container facts, bytes, and the reassembled IP datagram
/// it completed (the transport layers of the decoded frame then point into that payload).
#[derive(Clone, Debug)]
pub struct RereadFrame {
    /// Container facts rebuilt from the index.
    pub meta: FrameMeta,
    /// The frame's captured bytes.
    pub data: Vec<u8>,
    /// The reassembled datagram's payload when this frame completed one.
    pub reassembled: Option<Vec<u8>>,
}

impl RereadFrame {
    /// The frame as the pipeline's visitors see it, with its `decoded` layers and `streams`.
    pub fn context<'a>(
        &'a self,
        decoded: &'a DecodedFrame,
        streams: &'a FrameStreams,
        first_ts_ns: i64,
    ) -> FrameContext<'a> {
        FrameContext {
            meta: &self.meta,
            frame: decoded,
            data: &self.data,
            streams,
            reassembled: self.reassembled.as_deref(),
            first_ts_ns,
        }
    }
}

/// Frame `number`'s container facts as the index keeps them (no pcapng options).
pub fn frame_meta(indexer: &Indexer, number: u32) -> Option<FrameMeta> {
    let loc = indexer.frame_location(number)?;
    Some(FrameMeta {
        number,
        ts_ns: loc.ts_ns,
        has_timestamp: true,
        caplen: loc.caplen,
        wire_len: loc.wire_len,
        offset: loc.offset,
        interface_id: loc.interface_id,
        linktype: loc.linktype,
        ..FrameMeta::default()
    })
}

/// Reads frame `number` from `source` and decodes it into `decoded`. `Ok(None)` when the index
/// has no such frame; an error when the bytes cannot be read.
pub fn reread_frame(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    number: u32,
    decoded: &mut DecodedFrame,
) -> io::Result<Option<RereadFrame>> {
    let Some(meta) = frame_meta(indexer, number) else {
        return Ok(None);
    };
    let data = indexer.read_frame(number, source)?;
    let mut decoder = Decoder::new();
    decoder.decode(&meta, &data, decoded);
    if decoder.pending_fragment_bytes() > 0 {
        // One fragment of a datagram: decode the frames before it first, then this one again.
        let mut decoder = Decoder::new();
        let first = number.saturating_sub(FRAGMENT_LOOKBACK).max(1);
        for n in first..number {
            let Some(m) = frame_meta(indexer, n) else {
                continue;
            };
            let d = indexer.read_frame(n, source)?;
            decoder.decode(&m, &d, decoded);
        }
        decoder.decode(&meta, &data, decoded);
        let reassembled = decoder.reassembled_payload().map(<[u8]>::to_vec);
        return Ok(Some(RereadFrame {
            meta,
            data,
            reassembled,
        }));
    }
    let reassembled = decoder.reassembled_payload().map(<[u8]>::to_vec);
    Ok(Some(RereadFrame {
        meta,
        data,
        reassembled,
    }))
}
