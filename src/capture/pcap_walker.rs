//! Classic libpcap files: the 24-byte file header and the records after it, walked in place.
//!
//! Follows Wireshark 4.0's wiretap (`libpcap.c`) wherever tshark's output depends on it: version
//! checks, the link-type field's reserved/FCS bits, swapped length fields in old versions, the
//! record-header variant heuristic ([`super::pcap_variant`]), the per-link-type record size limit,
//! and the unnormalised timestamp arithmetic. pcap-parser parses the file header and, for the
//! standard and Kuznetzov layouts, each record; the rarer layouts are decoded here.

use pcap_parser::pcap::{
    parse_pcap_frame, parse_pcap_frame_be, parse_pcap_frame_modified, parse_pcap_header,
    LegacyPcapBlock,
};

use super::delivery::Delivery;
use super::known_linktypes::is_known_pcap_linktype;
use super::pcap_variant::{
    choose_variant, PcapVariant, ProbeOutcome, ProbeParams, MODIFIED_CANDIDATES,
    STANDARD_CANDIDATES,
};
use super::pseudo_header::{pseudo_header, PseudoHeader};
use super::stream_feeder::Advance;
use super::timestamp::pcap_ts_ns;
use super::{
    CaptureError, CaptureErrorKind, CaptureFormat, FrameMeta, InterfaceInfo, RecordKind,
    SectionInfo,
};

/// Size of the classic pcap file header.
pub(crate) const FILE_HEADER_LEN: usize = 24;

/// Standard magic as read little-endian from the first four bytes (LE file).
const MAGIC_USEC_LE: u32 = 0xa1b2_c3d4;
/// Standard magic of a big-endian file, read little-endian.
const MAGIC_USEC_BE: u32 = 0xd4c3_b2a1;
/// Nanosecond magic, LE file.
const MAGIC_NSEC_LE: u32 = 0xa1b2_3c4d;
/// Nanosecond magic, BE file.
const MAGIC_NSEC_BE: u32 = 0x4d3c_b2a1;
/// Modified (Kuznetzov) magic, LE file.
const MAGIC_MODIFIED_LE: u32 = 0xa1b2_cd34;
/// Modified magic, BE file.
const MAGIC_MODIFIED_BE: u32 = 0x34cd_b2a1;

/// True when the first four bytes (read little-endian) are a classic pcap magic.
pub(crate) fn is_pcap_magic(magic_le: u32) -> bool {
    matches!(
        magic_le,
        MAGIC_USEC_LE
            | MAGIC_USEC_BE
            | MAGIC_NSEC_LE
            | MAGIC_NSEC_BE
            | MAGIC_MODIFIED_LE
            | MAGIC_MODIFIED_BE
    )
}

/// wiretap's `wtap_max_snaplen_for_encap`: the largest record accepted for a link type.
pub(crate) fn max_caplen_for_linktype(linktype: u32) -> u32 {
    match linktype {
        // LINKTYPE_DBUS, LINKTYPE_USBPCAP, LINKTYPE_USB_LINUX_MMAPPED
        231 | 249 | 220 => 128 * 1024 * 1024,
        // LINKTYPE_EBHSCR
        279 => 8 * 1024 * 1024,
        _ => 262_144,
    }
}

/// How the two length fields are ordered (versions before 2.3 had them the other way round).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LengthOrder {
    Normal,
    Swapped,
    /// Version 2.3: swapped only when "captured" > "original".
    MaybeSwapped,
}

/// Where the walker is in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Header,
    /// Buffering the first records to choose among these candidates.
    Probing(&'static [PcapVariant]),
    Records,
}

/// One decoded record header.
struct RecordHeader {
    ts_sec: u32,
    ts_frac: u32,
    caplen: u32,
    wire_len: u32,
}

/// Walker state for one classic pcap file.
pub(crate) struct PcapWalker {
    phase: Phase,
    variant: PcapVariant,
    big_endian: bool,
    lengths: LengthOrder,
    linktype: u32,
    snaplen: u32,
    max_caplen: u32,
}

impl PcapWalker {
    /// A walker at the start of the file.
    pub fn new() -> Self {
        PcapWalker {
            phase: Phase::Header,
            variant: PcapVariant::Pcap,
            big_endian: false,
            lengths: LengthOrder::Normal,
            linktype: 0,
            snaplen: 0,
            max_caplen: 262_144,
        }
    }

    /// Walks as much of `data` (starting at stream offset `base`) as possible.
    pub fn walk<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        data: &[u8],
        base: u64,
        at_end: bool,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<Advance, CaptureError> {
        let mut pos = 0usize;
        if self.phase == Phase::Header {
            if data.len() < FILE_HEADER_LEN {
                if at_end {
                    return Err(CaptureError {
                        offset: base,
                        kind: CaptureErrorKind::Truncated,
                    });
                }
                return Ok(Advance {
                    consumed: 0,
                    need: FILE_HEADER_LEN,
                });
            }
            self.read_file_header(data, base, d)?;
            pos = FILE_HEADER_LEN;
        }
        if let Phase::Probing(candidates) = self.phase {
            let head = data.get(pos..).unwrap_or_default();
            let params = ProbeParams {
                big_endian: self.big_endian,
                lengths_swapped: match self.lengths {
                    LengthOrder::Normal => Some(false),
                    LengthOrder::Swapped => Some(true),
                    LengthOrder::MaybeSwapped => None,
                },
                snaplen: self.snaplen,
                max_caplen: self.max_caplen,
            };
            match choose_variant(head, candidates, params, at_end) {
                ProbeOutcome::NeedBytes(n) => {
                    return Ok(Advance {
                        consumed: pos,
                        need: n,
                    })
                }
                ProbeOutcome::CutShort => return Err(truncated(base + pos as u64)),
                ProbeOutcome::Chosen(v) => {
                    self.variant = v;
                    self.phase = Phase::Records;
                    d.info.pcap_variant = Some(v.name().to_string());
                    if matches!(
                        v,
                        PcapVariant::Ss990417 | PcapVariant::Ss991029 | PcapVariant::Ss990915
                    ) {
                        d.info.format = CaptureFormat::PcapModified;
                    }
                }
            }
        }
        self.walk_records(data, pos, base, at_end, d, sink)
    }

    /// Parses and checks the file header; sets up the single interface.
    fn read_file_header(
        &mut self,
        data: &[u8],
        base: u64,
        d: &mut Delivery,
    ) -> Result<(), CaptureError> {
        let magic = data
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0);
        let not_capture = CaptureError {
            offset: base,
            kind: CaptureErrorKind::NotACapture,
        };
        let (big_endian, major, minor, snaplen, network) = if magic == MAGIC_MODIFIED_BE {
            // pcap-parser knows the modified magic in little-endian files only.
            let be16 = |i: usize| data.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
            let be32 = |i: usize| {
                data.get(i..i + 4)
                    .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            };
            match (be16(4), be16(6), be32(16), be32(20)) {
                (Some(ma), Some(mi), Some(s), Some(n)) => (true, ma, mi, s, n),
                _ => return Err(not_capture),
            }
        } else {
            match parse_pcap_header(data) {
                Ok((_, h)) => (
                    h.is_bigendian(),
                    h.version_major,
                    h.version_minor,
                    h.snaplen,
                    h.network.0 as u32,
                ),
                Err(_) => return Err(not_capture),
            }
        };
        let nanosecond_magic = matches!(magic, MAGIC_NSEC_LE | MAGIC_NSEC_BE);
        let modified_magic = matches!(magic, MAGIC_MODIFIED_LE | MAGIC_MODIFIED_BE);
        let standard_magic = !nanosecond_magic && !modified_magic;

        d.info.format = CaptureFormat::Pcap;
        d.info.big_endian = big_endian;
        d.info.nanosecond = nanosecond_magic;
        d.info.version = (major, minor);
        d.info.sections.push(SectionInfo {
            offset: base,
            big_endian,
            version: (major, minor),
            ..Default::default()
        });

        if major < 2 {
            return Err(CaptureError {
                offset: base,
                kind: CaptureErrorKind::UnsupportedVersion { major, minor },
            });
        }
        // The variant, as far as the magic decides it; the record layout of the others is
        // guessed from the first records (wiretap 4.0).
        let mut variant: Option<PcapVariant> = nanosecond_magic.then_some(PcapVariant::Nsec);
        self.lengths = match (major, minor) {
            (2, m) if m < 3 => LengthOrder::Swapped,
            (2, 3) => LengthOrder::MaybeSwapped,
            (543, _) => LengthOrder::Swapped,
            _ => LengthOrder::Normal,
        };
        let mut network = network;
        if standard_magic && major == 2 && minor == 2 {
            // AIX libpcap writes RFC 1573 ifType values.
            let aix = match network {
                6 => Some(1),
                9 => Some(6),
                15 => Some(10),
                24 => Some(0),
                _ => None,
            };
            if let Some(n) = aix {
                network = n;
                variant = Some(PcapVariant::Aix);
            }
        }
        if network & 0x03FF_0000 != 0 {
            return Err(CaptureError {
                offset: base + 20,
                kind: CaptureErrorKind::UnsupportedLinkType { linktype: network },
            });
        }
        if !is_known_pcap_linktype(network & 0xFFFF) {
            return Err(CaptureError {
                offset: base + 20,
                kind: CaptureErrorKind::UnsupportedLinkType { linktype: network },
            });
        }
        self.big_endian = big_endian;
        self.linktype = network & 0xFFFF;
        self.snaplen = snaplen;
        self.max_caplen = max_caplen_for_linktype(self.linktype);
        let fcs_len_bits = (network & 0x0400_0000 != 0).then_some(((network >> 28) & 0xF) * 16);
        d.info.interfaces.push(InterfaceInfo {
            id: 0,
            section: 0,
            linktype: self.linktype,
            snaplen,
            ts_units_per_sec: if nanosecond_magic || variant == Some(PcapVariant::Aix) {
                1_000_000_000
            } else {
                1_000_000
            },
            fcs_len_bits,
            ..Default::default()
        });

        self.phase = if modified_magic {
            Phase::Probing(MODIFIED_CANDIDATES)
        } else if let Some(v) = variant {
            self.variant = v;
            d.info.pcap_variant = Some(v.name().to_string());
            Phase::Records
        } else {
            Phase::Probing(STANDARD_CANDIDATES)
        };
        Ok(())
    }

    /// Decodes a record header of the current layout from `rest` (at least `header_len` bytes).
    fn decode_header(&self, rest: &[u8]) -> Option<RecordHeader> {
        let be = self.big_endian;
        let u32_at = |i: usize| {
            rest.get(i..i + 4).map(|b| {
                let a = [b[0], b[1], b[2], b[3]];
                if be {
                    u32::from_be_bytes(a)
                } else {
                    u32::from_le_bytes(a)
                }
            })
        };
        let (mut caplen, mut wire_len) = (u32_at(8)?, u32_at(12)?);
        let swap = match self.lengths {
            LengthOrder::Normal => false,
            LengthOrder::Swapped => true,
            LengthOrder::MaybeSwapped => caplen > wire_len,
        };
        if swap {
            std::mem::swap(&mut caplen, &mut wire_len);
        }
        Some(RecordHeader {
            ts_sec: u32_at(0)?,
            ts_frac: u32_at(4)?,
            caplen,
            wire_len,
        })
    }

    /// The packet-record loop (the hot path).
    fn walk_records<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        data: &[u8],
        mut pos: usize,
        base: u64,
        at_end: bool,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<Advance, CaptureError> {
        let header_len = self.variant.header_len();
        let nanosecond = self.variant.nanosecond();
        // pcap-parser handles the 16-byte layouts in both byte orders and the 24-byte layout in
        // little-endian files, when the length fields are in the modern order.
        let use_parser = self.lengths == LengthOrder::Normal
            && (header_len == 16 || (header_len == 24 && !self.big_endian));
        loop {
            let rest = data.get(pos..).unwrap_or_default();
            let record_offset = base + pos as u64;
            if rest.len() < header_len {
                if at_end && !rest.is_empty() {
                    return Err(truncated(record_offset));
                }
                return Ok(Advance {
                    consumed: pos,
                    need: header_len,
                });
            }
            let Some(h) = self.decode_header(rest) else {
                return Ok(Advance {
                    consumed: pos,
                    need: header_len,
                });
            };
            if h.caplen > self.max_caplen {
                return Err(CaptureError {
                    offset: record_offset,
                    kind: CaptureErrorKind::AbsurdLength {
                        length: u64::from(h.caplen),
                    },
                });
            }
            let total = header_len + h.caplen as usize;
            if rest.len() < total {
                if at_end {
                    return Err(truncated(record_offset));
                }
                return Ok(Advance {
                    consumed: pos,
                    need: total,
                });
            }
            let packet = if use_parser {
                let parsed = match (header_len, self.big_endian) {
                    (16, false) => parse_pcap_frame(rest),
                    (16, true) => parse_pcap_frame_be(rest),
                    _ => parse_pcap_frame_modified(rest),
                };
                match parsed {
                    Ok((_, LegacyPcapBlock { data, .. })) => data,
                    // Cannot happen: the whole record is present and its length was checked.
                    Err(_) => return Err(truncated(record_offset)),
                }
            } else {
                rest.get(header_len..total).unwrap_or_default()
            };
            let mut data_offset = record_offset + header_len as u64;
            let (mut caplen, mut wire_len, mut packet) = (h.caplen, h.wire_len, packet);
            match pseudo_header(self.linktype, packet) {
                PseudoHeader::None => {}
                PseudoHeader::Strip(n) => {
                    packet = packet.get(n..).unwrap_or_default();
                    caplen -= n as u32;
                    wire_len = wire_len.wrapping_sub(n as u32);
                    data_offset += n as u64;
                }
                PseudoHeader::Invalid(reason) => {
                    return Err(CaptureError {
                        offset: record_offset,
                        kind: CaptureErrorKind::BadRecord {
                            reason: reason.to_string(),
                        },
                    })
                }
            }
            let (ts_ns, ts_frac_ns) = pcap_ts_ns(h.ts_sec, h.ts_frac, nanosecond);
            let meta = FrameMeta {
                pcapng: false,
                number: 0,
                ts_ns,
                ts_frac_ns,
                has_timestamp: true,
                caplen,
                wire_len,
                offset: data_offset,
                interface_id: 0,
                section_interface_id: 0,
                linktype: self.linktype,
                has_comment: false,
                kind: RecordKind::Packet,
            };
            d.deliver(meta, packet, sink);
            pos += total;
        }
    }
}

fn truncated(offset: u64) -> CaptureError {
    CaptureError {
        offset,
        kind: CaptureErrorKind::Truncated,
    }
}
