//! File-level facts gathered while reading: format, sections, interfaces, name resolution, statistics,
//! comments and warnings. Small and owned: safe to keep for the life of a capture.

use serde::Serialize;

/// Container format as detected from the magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CaptureFormat {
    /// Nothing read yet.
    #[default]
    Unknown,
    /// Classic libpcap.
    Pcap,
    /// Classic libpcap, Kuznetzov's "modified" variant (extra fields per record).
    PcapModified,
    /// pcapng.
    Pcapng,
}

/// One pcapng Interface Description Block (or the classic pcap header, as interface 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct InterfaceInfo {
    /// File-wide interface id (`frame.interface_id`).
    pub id: u32,
    /// Section the interface belongs to (0-based).
    pub section: u32,
    /// LINKTYPE_* number.
    pub linktype: u32,
    /// Snapshot length (0 = unlimited).
    pub snaplen: u32,
    /// Timestamp units per second (1_000_000 for µs, 1_000_000_000 for ns, 256 for 2^-8 ...).
    pub ts_units_per_sec: u64,
    /// `if_tsoffset` in seconds, added to every timestamp.
    pub ts_offset_sec: i64,
    /// `if_name`, `if_description`, `if_filter`, `if_os` when present.
    pub name: Option<String>,
    /// `if_description`.
    pub description: Option<String>,
    /// Packets seen on this interface.
    pub packets: u64,
    /// `if_filter` (the filter string, when given as text).
    pub filter: Option<String>,
    /// `if_os`.
    pub os: Option<String>,
    /// `opt_comment`s of the IDB.
    pub comments: Vec<String>,
    /// FCS length in bits when the file says (pcapng `if_fcslen`, or the pcap link-type field's
    /// FCS bits); None when unknown.
    pub fcs_len_bits: Option<u32>,
}

/// One pcapng section (classic pcap: a single section).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct SectionInfo {
    /// Offset of the Section Header Block.
    pub offset: u64,
    /// True for big-endian sections.
    pub big_endian: bool,
    /// Version major.minor.
    pub version: (u16, u16),
    /// `shb_hardware`, `shb_os`, `shb_userappl` when present.
    pub hardware: Option<String>,
    /// `shb_os`.
    pub os: Option<String>,
    /// `shb_userappl`.
    pub application: Option<String>,
    /// `opt_comment`s of the SHB.
    pub comments: Vec<String>,
}

/// One address ↔ name record from a Name Resolution Block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NameResolutionEntry {
    /// Printed address.
    pub address: String,
    /// Names for it.
    pub names: Vec<String>,
}

/// Everything the reader learned about the file apart from the packets.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CaptureInfo {
    /// Container format.
    pub format: CaptureFormat,
    /// True when the input was gzip-compressed.
    pub gzip: bool,
    /// Classic pcap: big-endian header.
    pub big_endian: bool,
    /// Classic pcap: nanosecond-resolution magic.
    pub nanosecond: bool,
    /// Classic pcap: version from the header.
    pub version: (u16, u16),
    /// Sections (classic pcap: one).
    pub sections: Vec<SectionInfo>,
    /// Interfaces across all sections, indexed by file-wide id.
    pub interfaces: Vec<InterfaceInfo>,
    /// Name Resolution Block records.
    pub name_resolution: Vec<NameResolutionEntry>,
    /// (frame number, comment) for packet comments.
    pub packet_comments: Vec<(u32, String)>,
    /// Interface Statistics Blocks seen.
    pub interface_statistics_blocks: u32,
    /// Blocks skipped because they are unknown (or known but carry nothing kept here, such as
    /// Decryption Secrets and Process Information blocks).
    pub skipped_blocks: u32,
    /// pcapng Custom Blocks seen (delivered as frames, as tshark 4.0 does).
    pub custom_blocks: u32,
    /// Classic pcap record-header variant chosen as wiretap chooses it ("pcap", "nsec", "aix",
    /// "ss990417", "ss990915", "ss991029", "nokia"); None for pcapng.
    pub pcap_variant: Option<String>,
    /// Frames delivered.
    pub frames: u64,
    /// Sum of captured lengths.
    pub captured_bytes: u64,
    /// Bytes of input consumed (compressed bytes for gzip).
    pub input_bytes: u64,
    /// Non-fatal oddities (e.g. "timestamp goes backwards at frame 12"), in order, capped.
    pub warnings: Vec<String>,
}
