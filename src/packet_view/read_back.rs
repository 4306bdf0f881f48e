//! [`FrameReader`]: reads frames back from the capture and decodes each on its own, for the packet
//! list (a [`ColouredRow`] per frame) and the details pane ([`FrameDetails`]).

use serde::Serialize;

use super::colouring::Colouring;
use crate::capture::random_access::ByteSource;
use crate::capture::{CaptureFormat, FrameMeta};
use crate::decode::{describe, DecodedFrame, Decoder};
use crate::details::{frame_details, DetailNode};
use crate::fields::FieldContext;
use crate::filter::FrameView;
use crate::index::StreamKind;
use crate::pipeline::{FrameLocation, Indexer, PacketRow};

const NS_PER_SEC: i64 = 1_000_000_000;

/// A packet-list row with the name of the colouring rule that matched (see
/// [`super::COLOUR_RULES`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColouredRow {
    /// The row.
    #[serde(flatten)]
    pub row: PacketRow,
    /// The first matching colouring rule's name, if any.
    pub colour: Option<&'static str>,
    /// `tcp.stream` of the innermost TCP layer, or None.
    pub tcp_stream: Option<u32>,
    /// `udp.stream` of the innermost UDP layer, or None.
    pub udp_stream: Option<u32>,
    /// Nanoseconds since the previous captured frame (`frame.time_delta`; 0 for the first).
    pub delta_ns: i64,
}

/// The details pane's data for one frame.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrameDetails {
    /// Frame number.
    pub number: u32,
    /// The protocol tree.
    pub tree: Vec<DetailNode>,
    /// The frame's captured bytes (for the bytes pane).
    pub bytes: Vec<u8>,
}

/// Decodes frames read back from the file, reusing its buffers between frames.
#[derive(Default)]
pub struct FrameReader {
    decoder: Decoder,
    decoded: DecodedFrame,
    colouring: Colouring,
}

impl FrameReader {
    /// A reader with compiled colouring rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// The packet-list row of frame `number`, or `Ok(None)` when the index has no such frame.
    pub fn row(
        &mut self,
        indexer: &Indexer,
        number: u32,
        source: &mut dyn ByteSource,
    ) -> std::io::Result<Option<ColouredRow>> {
        let Some(location) = indexer.frame_location(number) else {
            return Ok(None);
        };
        let bytes = indexer.read_frame(number, source)?;
        let meta = meta_of(indexer, &location);
        self.decoder.decode(&meta, &bytes, &mut self.decoded);
        let text = describe(&meta, &self.decoded, &bytes);
        let tcp = indexer.index().streams_of_frame(number, StreamKind::Tcp);
        let udp = indexer.index().streams_of_frame(number, StreamKind::Udp);
        let ctx = context(indexer, &meta, &self.decoded, &bytes, &tcp, &udp);
        let view = FrameView {
            fields: ctx,
            reassembled: None,
            tcp_analysis: &[],
        };
        let colour = self.colouring.rule_for(&view, &text.protocol);
        Ok(Some(ColouredRow {
            row: PacketRow {
                number,
                ts_ns: location.ts_ns,
                source: text.source,
                destination: text.destination,
                protocol: text.protocol,
                length: location.wire_len,
                info: text.info,
            },
            colour,
            tcp_stream: innermost(&tcp),
            udp_stream: innermost(&udp),
            delta_ns: number
                .checked_sub(1)
                .and_then(|previous| indexer.frame_location(previous))
                .map_or(0, |p| location.ts_ns.saturating_sub(p.ts_ns)),
        }))
    }

    /// The details tree and bytes of frame `number`, or `Ok(None)` when the index has no such
    /// frame.
    pub fn details(
        &mut self,
        indexer: &Indexer,
        number: u32,
        source: &mut dyn ByteSource,
    ) -> std::io::Result<Option<FrameDetails>> {
        let Some(location) = indexer.frame_location(number) else {
            return Ok(None);
        };
        let bytes = indexer.read_frame(number, source)?;
        let meta = meta_of(indexer, &location);
        self.decoder.decode(&meta, &bytes, &mut self.decoded);
        let tcp = indexer.index().streams_of_frame(number, StreamKind::Tcp);
        let udp = indexer.index().streams_of_frame(number, StreamKind::Udp);
        let ctx = context(indexer, &meta, &self.decoded, &bytes, &tcp, &udp);
        let tree = frame_details(&ctx, self.decoder.layer_spans());
        Ok(Some(FrameDetails {
            number,
            tree,
            bytes,
        }))
    }
}

/// The stream of the innermost layer: the index lists a frame's streams outermost first.
fn innermost(streams: &[u32]) -> Option<u32> {
    streams.last().copied()
}

/// The field context of a frame read back.
fn context<'a>(
    indexer: &Indexer,
    meta: &'a FrameMeta,
    frame: &'a DecodedFrame,
    data: &'a [u8],
    tcp: &'a [u32],
    udp: &'a [u32],
) -> FieldContext<'a> {
    FieldContext {
        meta,
        frame,
        data,
        tcp_streams: tcp,
        udp_streams: udp,
        first_ts_ns: indexer.pipeline().first_ts_ns().unwrap_or(0),
        has_interfaces: meta.pcapng,
    }
}

/// The record facts of a frame as the index remembers them.
fn meta_of(indexer: &Indexer, location: &FrameLocation) -> FrameMeta {
    let info = indexer.pipeline().reader().info();
    let pcapng = info.format == CaptureFormat::Pcapng;
    FrameMeta {
        number: location.number,
        ts_ns: location.ts_ns,
        has_timestamp: true,
        ts_frac_ns: i32::try_from(location.ts_ns.rem_euclid(NS_PER_SEC)).unwrap_or(0),
        caplen: location.caplen,
        wire_len: location.wire_len,
        offset: location.offset,
        interface_id: location.interface_id,
        // Exact for single-section files; the index keeps only the file-wide id.
        section_interface_id: location.interface_id,
        linktype: location.linktype,
        pcapng,
        ..FrameMeta::default()
    }
}
