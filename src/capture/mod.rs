//! Capture reading: classic pcap, pcapng and gzip-compressed captures, fed as a stream of chunks of
//! any size (1 byte or 64 MiB give identical results).
//!
//! The reader never holds the whole file: it keeps only the unfinished tail of the last chunk. For
//! every complete record it calls the caller's sink with a [`FrameMeta`] (where the packet bytes are in
//! the file, their lengths, timestamp and interface) and a borrowed slice of the packet bytes.
//! Container damage stops reading with a [`CaptureError`] that names the file offset; every frame read
//! before it has already been delivered.
//!
//! Offsets: for a plain capture, [`FrameMeta::offset`] is the byte offset of the packet data in the
//! file. For a gzip capture it is the offset in the *decompressed* stream; [`gzip_index::GzipIndex`]
//! (built while reading) turns it back into compressed reads without inflating the whole file.

mod error;
pub mod gzip_index;
mod info;
pub mod random_access;
mod reader;

pub use error::{CaptureError, CaptureErrorKind};
pub use info::{CaptureFormat, CaptureInfo, InterfaceInfo, NameResolutionEntry, SectionInfo};
pub use reader::CaptureReader;

/// Nanoseconds since the Unix epoch (UTC). Wide enough for 1678..2262.
pub type TimestampNs = i64;

/// One packet record as found in the capture container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FrameMeta {
    /// 1-based frame number in file order, as tshark's `frame.number`.
    pub number: u32,
    /// Timestamp in ns since the epoch (after `if_tsresol` / `if_tsoffset` are applied).
    /// Simple Packet Blocks carry none: then `has_timestamp` is false and this is 0.
    pub ts_ns: TimestampNs,
    /// False for Simple Packet Blocks (no timestamp in the file).
    pub has_timestamp: bool,
    /// Bytes captured (`frame.cap_len`), equal to the delivered slice's length.
    pub caplen: u32,
    /// Bytes on the wire (`frame.len`); may be larger than `caplen` (snaplen cut).
    pub wire_len: u32,
    /// Offset of the first packet byte in the (decompressed) capture stream.
    pub offset: u64,
    /// File-wide interface id as tshark's `frame.interface_id` (counts IDBs across sections).
    pub interface_id: u32,
    /// LINKTYPE_* of the frame's interface (for classic pcap, the file header's link type, with the
    /// FCS/reserved bits masked off).
    pub linktype: u32,
    /// True when a pcapng comment option is attached to this packet (kept in [`CaptureInfo`]).
    pub has_comment: bool,
}
