//! Structured errors for container damage: what was wrong and at which file offset.

use std::fmt;

/// What made the reader stop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureErrorKind {
    /// The first bytes are not a pcap, pcapng or gzip magic.
    NotACapture,
    /// A known format with a version this reader does not support (e.g. pcap 1.0).
    UnsupportedVersion {
        /// Major version found.
        major: u16,
        /// Minor version found.
        minor: u16,
    },
    /// The file ends in the middle of a record or block.
    Truncated,
    /// A record length that cannot be right (larger than the limits, or smaller than a header).
    AbsurdLength {
        /// The length the record claims.
        length: u64,
    },
    /// A pcapng block that does not parse (bad trailer length, bad option, wrong block for context).
    BadBlock {
        /// pcapng block type.
        block_type: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// A packet refers to an interface that no IDB declared.
    UnknownInterface {
        /// The interface id the packet names (within its section).
        interface: u32,
    },
    /// The gzip stream is corrupt or ends early.
    BadGzip {
        /// What is wrong with the compressed stream.
        reason: String,
    },
    /// A record whose content cannot be right for its link type (e.g. too short for the
    /// pseudo-header wiretap expects in front of the packet).
    BadRecord {
        /// What is wrong with it.
        reason: String,
    },
    /// Classic pcap header whose link-type field has reserved bits set ("network type reserved
    /// field not zero") or names a link type Wireshark 4.0 does not know ("network type N unknown
    /// or unsupported"): wiretap refuses such files.
    UnsupportedLinkType {
        /// The whole link-type field of the file header.
        linktype: u32,
    },
}

/// Container damage: reading stopped at `offset`.
///
/// For a plain capture the offset is in the file. For a gzip-compressed capture it is in the
/// *decompressed* capture stream (the same space as [`crate::capture::FrameMeta::offset`]), except for
/// [`CaptureErrorKind::BadGzip`], whose offset is in the compressed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureError {
    /// Byte offset in the input where the damaged record/block starts.
    pub offset: u64,
    /// What was wrong.
    pub kind: CaptureErrorKind,
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CaptureErrorKind::NotACapture => write!(
                f,
                "not a capture file: no pcap, pcapng or gzip magic at offset {}",
                self.offset
            ),
            CaptureErrorKind::UnsupportedVersion { major, minor } => write!(
                f,
                "unsupported capture format version {major}.{minor} at offset {}",
                self.offset
            ),
            CaptureErrorKind::Truncated => write!(
                f,
                "the file appears to have been cut short in the middle of a packet (record at offset {})",
                self.offset
            ),
            CaptureErrorKind::AbsurdLength { length } => write!(
                f,
                "the file appears to be damaged: record at offset {} has an absurd length {length}",
                self.offset
            ),
            CaptureErrorKind::BadBlock { block_type, reason } => write!(
                f,
                "the file appears to be damaged: bad pcapng block 0x{block_type:08x} at offset {}: {reason}",
                self.offset
            ),
            CaptureErrorKind::UnknownInterface { interface } => write!(
                f,
                "the file appears to be damaged: packet at offset {} refers to interface {interface}, which is not declared",
                self.offset
            ),
            CaptureErrorKind::BadRecord { reason } => write!(
                f,
                "the file appears to be damaged: record at offset {}: {reason}",
                self.offset
            ),
            CaptureErrorKind::UnsupportedLinkType { linktype } => {
                let why = if linktype & 0x03FF_0000 != 0 {
                    "has reserved bits set"
                } else {
                    "names a link type tshark 4.0 does not know"
                };
                write!(
                    f,
                    "unsupported capture: pcap link-type field 0x{linktype:08x} at offset {} {why}",
                    self.offset
                )
            }
            CaptureErrorKind::BadGzip { reason } => write!(
                f,
                "the gzip stream is damaged at offset {}: {reason}",
                self.offset
            ),
        }
    }
}

impl std::error::Error for CaptureError {}
