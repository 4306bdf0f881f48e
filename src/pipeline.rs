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
