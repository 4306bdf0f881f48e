//! The indexing pipeline: reader → decoder → stream table → index, fed chunk by chunk.
//!
//! [`Indexer`] is what both front ends drive: the CLI pushes file chunks, the page's worker pushes
//! `File` slices. It keeps only the compact index, the flow tables and the capture info; payload
//! bytes are read back from the file when a view asks for them.

use serde::Serialize;

use crate::capture::CaptureInfo;

/// Which conversation table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConvKind {
    /// TCP streams.
    Tcp,
    /// UDP streams.
    Udp,
    /// IP address pairs.
    Ip,
}

/// One row of a conversation table (the columns of Wireshark's Conversations dialog).
/// A is the source of the conversation's first packet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conversation {
    /// "tcp", "udp" or "ip".
    pub proto: ConvKind,
    /// `tcp.stream` / `udp.stream`; None for ip.
    pub stream: Option<u32>,
    /// Address A, printed as tshark prints it.
    pub addr_a: String,
    /// Port A (None for ip).
    pub port_a: Option<u16>,
    /// Address B.
    pub addr_b: String,
    /// Port B.
    pub port_b: Option<u16>,
    /// Frames A → B.
    pub frames_a_to_b: u64,
    /// Bytes (frame length) A → B.
    pub bytes_a_to_b: u64,
    /// Frames B → A.
    pub frames_b_to_a: u64,
    /// Bytes B → A.
    pub bytes_b_to_a: u64,
    /// Frames in total.
    pub frames: u64,
    /// Bytes in total.
    pub bytes: u64,
    /// Seconds from the capture's first packet to the conversation's first packet.
    pub rel_start: f64,
    /// Seconds from the conversation's first to last packet.
    pub duration: f64,
    /// First frame number (1-based).
    pub first_frame: u32,
    /// TCP payload bytes A → B (0 for udp/ip).
    pub payload_a_to_b: u64,
    /// TCP payload bytes B → A.
    pub payload_b_to_a: u64,
}

/// Progress of an indexing run.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Progress {
    /// Input bytes consumed.
    pub bytes: u64,
    /// Frames indexed.
    pub frames: u64,
}

/// The summary shown per capture (`tracematch info`, the page's summary).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Container facts.
    pub info: CaptureInfo,
    /// Frames read.
    pub frames: u64,
    /// Sum of wire lengths.
    pub wire_bytes: u64,
    /// First timestamp (epoch ns), if any.
    pub first_ts_ns: Option<i64>,
    /// Last timestamp (epoch ns), if any.
    pub last_ts_ns: Option<i64>,
    /// Distinct link types.
    pub linktypes: Vec<u32>,
    /// TCP streams.
    pub tcp_streams: u32,
    /// UDP streams.
    pub udp_streams: u32,
    /// The error that stopped reading (with its offset in the message), if any.
    pub error: Option<String>,
    /// True when the input ended cleanly and was read whole.
    pub complete: bool,
    /// True when indexing was cancelled before the end (partial results).
    pub cancelled: bool,
    /// Bytes of index per packet.
    pub index_bytes_per_packet: f64,
}

/// Where one frame is in the capture and what the index knows of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FrameLocation {
    /// 1-based frame number.
    pub number: u32,
    /// Offset of the packet bytes in the (decompressed) capture stream.
    pub offset: u64,
    /// Captured length.
    pub caplen: u32,
    /// Wire length.
    pub wire_len: u32,
    /// Timestamp, epoch ns.
    pub ts_ns: i64,
    /// Link type of the frame's interface.
    pub linktype: u32,
    /// File-wide interface id.
    pub interface_id: u32,
}

/// One packet-list row, Wireshark style (decoded again from the frame's bytes).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketRow {
    /// 1-based frame number.
    pub number: u32,
    /// Timestamp, epoch ns.
    pub ts_ns: i64,
    /// Source column.
    pub source: String,
    /// Destination column.
    pub destination: String,
    /// Protocol column.
    pub protocol: String,
    /// Frame length.
    pub length: u32,
    /// Info column.
    pub info: String,
}

/// Indexes a capture fed chunk by chunk. Contract for both front ends:
///
/// ```text
/// let mut ix = Indexer::new();
/// for chunk in file { ix.push(chunk) }   // progress() may be polled between pushes
/// ix.finish();                           // or ix.cancel() to stop early, keeping what was read
/// ix.summary(); ix.conversations(ConvKind::Tcp); ix.frames_of_stream(ConvKind::Tcp, 3);
/// ix.read_frame(7, &mut source)          // bytes of frame 7, read back from the file
/// ```
pub struct Indexer {
    _private: (),
}

impl Default for Indexer {
    fn default() -> Self {
        Self::new()
    }
}

impl Indexer {
    /// An empty indexer; the format is detected from the first bytes pushed.
    pub fn new() -> Self {
        Indexer { _private: () }
    }

    /// Feeds the next chunk of the capture (any size). Damage stops reading; the error shows in
    /// [`Indexer::summary`] and later pushes are ignored.
    pub fn push(&mut self, _chunk: &[u8]) {
        unimplemented!("indexer: being written")
    }

    /// Signals the end of input.
    pub fn finish(&mut self) {
        unimplemented!("indexer: being written")
    }

    /// Stops early: what was indexed stays usable and the summary says `cancelled`.
    pub fn cancel(&mut self) {
        unimplemented!("indexer: being written")
    }

    /// Bytes consumed and frames indexed so far.
    pub fn progress(&self) -> Progress {
        unimplemented!("indexer: being written")
    }

    /// The capture summary.
    pub fn summary(&self) -> Summary {
        unimplemented!("indexer: being written")
    }

    /// A conversation table, ordered by stream id (ip: by first frame).
    pub fn conversations(&self, _kind: ConvKind) -> Vec<Conversation> {
        unimplemented!("indexer: being written")
    }

    /// Frame numbers of one TCP/UDP stream (for ip: the `n`-th row of the ip table), in order.
    pub fn frames_of_stream(&self, _kind: ConvKind, _stream: u32) -> Vec<u32> {
        unimplemented!("indexer: being written")
    }

    /// Where frame `number` is.
    pub fn frame_location(&self, _number: u32) -> Option<FrameLocation> {
        unimplemented!("indexer: being written")
    }

    /// Reads frame `number`'s bytes back from the capture (through gzip checkpoints if needed).
    pub fn read_frame(
        &self,
        _number: u32,
        _source: &mut dyn crate::capture::random_access::ByteSource,
    ) -> std::io::Result<Vec<u8>> {
        unimplemented!("indexer: being written")
    }

    /// A packet-list row for frame `number`, decoded again from `bytes`.
    pub fn packet_row(&self, _number: u32, _bytes: &[u8]) -> Option<PacketRow> {
        unimplemented!("indexer: being written")
    }
}
