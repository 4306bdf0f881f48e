//! pcapng: sections (each with its own byte order), interfaces, packet blocks and the rest, walked
//! block by block in place.
//!
//! Each block's length is checked before it is buffered (bounded by wiretap's `MAX_BLOCK_SIZE`,
//! about 128 MiB), then pcap-parser parses the complete block; option lists are re-checked strictly
//! with [`super::pcapng_options::OptionIter`] because wiretap rejects options that run past their
//! block. What tshark 4.0 shows as frames is delivered as frames: Enhanced, Simple and obsolete
//! Packet Blocks, and also Custom Blocks and systemd Journal Export Blocks (see
//! [`super::RecordKind`]).

use pcap_parser::pcapng::{
    parse_block_be, parse_block_le, parse_sectionheaderblock, Block, BOM_MAGIC, CB_MAGIC,
    DCB_MAGIC, EPB_MAGIC, IDB_MAGIC, ISB_MAGIC, NRB_MAGIC, SHB_MAGIC, SJE_MAGIC, SPB_MAGIC,
};

use super::delivery::{Delivery, MAX_SECTIONS};
use super::pcap_walker::max_caplen_for_linktype;
use super::pcapng_options::{opt_u64, OptionIter, OPT_COMMENT};
use super::pseudo_header::{pseudo_header, PseudoHeader};
use super::stream_feeder::Advance;
use super::timestamp::{combine, pcapng_ts_ns, units_per_second};
use super::{
    CaptureError, CaptureErrorKind, CaptureFormat, FrameMeta, InterfaceInfo, NameResolutionEntry,
    RecordKind, SectionInfo, LINKTYPE_NONE, NO_INTERFACE,
};

/// Obsolete Packet Block (pcap-parser does not know it).
const PB_MAGIC: u32 = 0x0000_0002;

/// wiretap's `MAX_BLOCK_SIZE`: an EPB holding the largest D-Bus packet plus 128 KiB of options.
pub(crate) const MAX_BLOCK_SIZE: u32 = 32 + 128 * 1024 * 1024 + 131_072;

/// Interfaces accepted per file (bounds memory for hostile files; real files have a handful).
const MAX_INTERFACES: usize = 65_536;

/// Name-resolution records kept per file.
const MAX_NAME_RECORDS: usize = 100_000;

/// One interface as the packet blocks need it.
#[derive(Clone, Copy, Debug)]
struct Interface {
    file_id: u32,
    linktype: u32,
    snaplen: u32,
    units_per_sec: u64,
    offset_sec: i64,
    max_caplen: u32,
}

/// The section being read.
struct Section {
    big_endian: bool,
    interfaces: Vec<Interface>,
}

/// Walker state for one pcapng file.
pub(crate) struct PcapngWalker {
    section: Option<Section>,
    /// Section Header Blocks read so far.
    sections_seen: u32,
}

/// Smallest valid total length per block type (wiretap's MIN_*_SIZE).
fn min_block_len(block_type: u32) -> u32 {
    match block_type {
        SHB_MAGIC => 28,
        IDB_MAGIC => 20,
        EPB_MAGIC | PB_MAGIC => 32,
        SPB_MAGIC => 16,
        ISB_MAGIC => 24,
        NRB_MAGIC => 16,
        CB_MAGIC | DCB_MAGIC => 16,
        _ => 12,
    }
}

fn rd_u16(b: &[u8], at: usize, be: bool) -> u16 {
    match b.get(at..at + 2) {
        Some(x) if be => u16::from_be_bytes([x[0], x[1]]),
        Some(x) => u16::from_le_bytes([x[0], x[1]]),
        None => 0,
    }
}

fn rd_u32(b: &[u8], at: usize, be: bool) -> u32 {
    match b.get(at..at + 4) {
        Some(x) if be => u32::from_be_bytes([x[0], x[1], x[2], x[3]]),
        Some(x) => u32::from_le_bytes([x[0], x[1], x[2], x[3]]),
        None => 0,
    }
}

/// `len` rounded up to a multiple of 4, in u64 so it cannot overflow.
fn padded(len: u32) -> u64 {
    (u64::from(len) + 3) & !3
}

fn bad(offset: u64, block_type: u32, reason: impl Into<String>) -> CaptureError {
    CaptureError {
        offset,
        kind: CaptureErrorKind::BadBlock {
            block_type,
            reason: reason.into(),
        },
    }
}

impl PcapngWalker {
    /// A walker at the start of the file (the first block must be a Section Header Block).
    pub fn new() -> Self {
        PcapngWalker {
            section: None,
            sections_seen: 0,
        }
    }

    /// Walks as many complete blocks of `data` (at stream offset `base`) as possible.
    pub fn walk<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        data: &[u8],
        base: u64,
        at_end: bool,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<Advance, CaptureError> {
        let mut pos = 0usize;
        loop {
            let rest = data.get(pos..).unwrap_or_default();
            let offset = base + pos as u64;
            if rest.len() < 12 {
                if at_end && !rest.is_empty() {
                    return Err(CaptureError {
                        offset,
                        kind: CaptureErrorKind::Truncated,
                    });
                }
                return Ok(Advance {
                    consumed: pos,
                    need: 12,
                });
            }
            let raw_type = rd_u32(rest, 0, false);
            let big_endian = if raw_type == SHB_MAGIC {
                match rd_u32(rest, 8, false) {
                    BOM_MAGIC => false,
                    m if m == BOM_MAGIC.swap_bytes() => true,
                    _ if self.section.is_none() => {
                        return Err(CaptureError {
                            offset,
                            kind: CaptureErrorKind::NotACapture,
                        })
                    }
                    _ => return Err(bad(offset, SHB_MAGIC, "unknown byte-order magic")),
                }
            } else {
                match &self.section {
                    Some(s) => s.big_endian,
                    None => {
                        return Err(CaptureError {
                            offset,
                            kind: CaptureErrorKind::NotACapture,
                        })
                    }
                }
            };
            let block_type = if big_endian {
                raw_type.swap_bytes()
            } else {
                raw_type
            };
            let total = rd_u32(rest, 4, big_endian);
            if total < min_block_len(block_type) || !total.is_multiple_of(4) {
                return Err(bad(
                    offset,
                    block_type,
                    format!("block total length {total} is invalid"),
                ));
            }
            if total > MAX_BLOCK_SIZE {
                return Err(bad(
                    offset,
                    block_type,
                    format!("block total length {total} is too large (> {MAX_BLOCK_SIZE})"),
                ));
            }
            let total = total as usize;
            let Some(block) = rest.get(..total) else {
                if at_end {
                    return Err(CaptureError {
                        offset,
                        kind: CaptureErrorKind::Truncated,
                    });
                }
                return Ok(Advance {
                    consumed: pos,
                    need: total,
                });
            };
            let trailer = rd_u32(block, total - 4, big_endian);
            if trailer as usize != total {
                return Err(bad(
                    offset,
                    block_type,
                    format!("block total length {total} at the start but {trailer} at the end"),
                ));
            }
            self.block(block, block_type, big_endian, offset, d, sink)?;
            pos += total;
        }
    }

    /// Handles one complete, length-checked block.
    fn block<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        block: &[u8],
        block_type: u32,
        be: bool,
        offset: u64,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        let total = block.len();
        match block_type {
            SHB_MAGIC => self.section_header(block, be, offset, d),
            EPB_MAGIC => self.enhanced_packet(block, be, offset, d, sink),
            SPB_MAGIC => self.simple_packet(block, be, offset, d, sink),
            PB_MAGIC => self.obsolete_packet(block, be, offset, d, sink),
            IDB_MAGIC => self.interface_description(block, be, offset, d),
            NRB_MAGIC => name_resolution(block, be, offset, d),
            ISB_MAGIC => {
                check_options(block.get(20..total - 4), be, offset, block_type)?;
                d.info.interface_statistics_blocks =
                    d.info.interface_statistics_blocks.saturating_add(1);
                Ok(())
            }
            CB_MAGIC | DCB_MAGIC => {
                let pen = rd_u32(block, 8, be);
                let body = block.get(12..total - 4).unwrap_or_default();
                d.info.custom_blocks = d.info.custom_blocks.saturating_add(1);
                let meta = FrameMeta {
                    pcapng: true,
                    caplen: body.len() as u32,
                    wire_len: body.len() as u32,
                    offset: offset + 12,
                    interface_id: NO_INTERFACE,
                    section_interface_id: NO_INTERFACE,
                    linktype: LINKTYPE_NONE,
                    kind: RecordKind::CustomBlock {
                        pen,
                        copyable: block_type == CB_MAGIC,
                    },
                    ..Default::default()
                };
                d.deliver(meta, body, sink);
                Ok(())
            }
            SJE_MAGIC => {
                let body = block.get(8..total - 4).unwrap_or_default();
                let end = body.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
                let entry = body.get(..end).unwrap_or_default();
                let realtime = journal_realtime_us(entry);
                let meta = FrameMeta {
                    pcapng: true,
                    ts_ns: realtime.map_or(0, |us| {
                        combine((us / 1_000_000) as i64, ((us % 1_000_000) * 1000) as i64)
                    }),
                    ts_frac_ns: realtime.map_or(0, |us| ((us % 1_000_000) * 1000) as i32),
                    has_timestamp: realtime.is_some(),
                    caplen: entry.len() as u32,
                    wire_len: entry.len() as u32,
                    offset: offset + 8,
                    interface_id: NO_INTERFACE,
                    section_interface_id: NO_INTERFACE,
                    linktype: LINKTYPE_NONE,
                    kind: RecordKind::SystemdJournalExport,
                    ..Default::default()
                };
                d.deliver(meta, entry, sink);
                Ok(())
            }
            _ => {
                d.info.skipped_blocks = d.info.skipped_blocks.saturating_add(1);
                Ok(())
            }
        }
    }

    fn section_header(
        &mut self,
        block: &[u8],
        be: bool,
        offset: u64,
        d: &mut Delivery,
    ) -> Result<(), CaptureError> {
        let shb = match parse_sectionheaderblock(block) {
            Ok((_, shb)) => shb,
            Err(e) => return Err(bad(offset, SHB_MAGIC, format!("does not parse: {e:?}"))),
        };
        let (major, minor) = (shb.major_version, shb.minor_version);
        d.info.format = CaptureFormat::Pcapng;
        if d.info.sections.is_empty() {
            d.info.big_endian = be;
            d.info.version = (major, minor);
        }
        // wiretap 4.0 reads versions 1.0 and 1.2 (tshark refuses 1.1 and 2.0).
        if !matches!((major, minor), (1, 0) | (1, 2)) {
            return Err(CaptureError {
                offset,
                kind: CaptureErrorKind::UnsupportedVersion { major, minor },
            });
        }
        let mut info = SectionInfo {
            offset,
            big_endian: be,
            version: (major, minor),
            ..Default::default()
        };
        for opt in OptionIter::new(block.get(24..block.len() - 4).unwrap_or_default(), be) {
            let (code, value) = opt.map_err(|e| bad(offset, SHB_MAGIC, e.0))?;
            match code {
                OPT_COMMENT => info.comments.extend(d.keep_text(value)),
                2 => info.hardware = d.keep_text(value),
                3 => info.os = d.keep_text(value),
                4 => info.application = d.keep_text(value),
                _ => {}
            }
        }
        if d.info.sections.len() < MAX_SECTIONS {
            d.info.sections.push(info);
        } else if self.sections_seen as usize == MAX_SECTIONS {
            d.warn(format!(
                "more than {MAX_SECTIONS} sections: later ones are read but not described"
            ));
        }
        self.sections_seen = self.sections_seen.saturating_add(1);
        self.section = Some(Section {
            big_endian: be,
            interfaces: Vec::new(),
        });
        Ok(())
    }

    fn interface_description(
        &mut self,
        block: &[u8],
        be: bool,
        offset: u64,
        d: &mut Delivery,
    ) -> Result<(), CaptureError> {
        let parsed = if be {
            parse_block_be(block)
        } else {
            parse_block_le(block)
        };
        let idb = match parsed {
            Ok((_, Block::InterfaceDescription(idb))) => idb,
            Ok(_) => return Err(bad(offset, IDB_MAGIC, "not an interface description")),
            Err(e) => return Err(bad(offset, IDB_MAGIC, format!("does not parse: {e:?}"))),
        };
        if d.info.interfaces.len() >= MAX_INTERFACES {
            return Err(bad(
                offset,
                IDB_MAGIC,
                format!("more than {MAX_INTERFACES} interfaces"),
            ));
        }
        let linktype = (idb.linktype.0 as u32) & 0xFFFF;
        let file_id = d.info.interfaces.len() as u32;
        let section_index = self.sections_seen.saturating_sub(1);
        let mut info = InterfaceInfo {
            id: file_id,
            section: section_index,
            linktype,
            snaplen: idb.snaplen,
            ts_units_per_sec: 1_000_000,
            ..Default::default()
        };
        let mut iface = Interface {
            file_id,
            linktype,
            snaplen: idb.snaplen,
            units_per_sec: 1_000_000,
            offset_sec: 0,
            max_caplen: max_caplen_for_linktype(linktype),
        };
        for opt in OptionIter::new(block.get(16..block.len() - 4).unwrap_or_default(), be) {
            let (code, value) = opt.map_err(|e| bad(offset, IDB_MAGIC, e.0))?;
            match code {
                OPT_COMMENT => info.comments.extend(d.keep_text(value)),
                2 => info.name = d.keep_text(value),
                3 => info.description = d.keep_text(value),
                9 => {
                    if let [resol] = value {
                        iface.units_per_sec = units_per_second(*resol);
                    }
                }
                11 => {
                    if let [0, text @ ..] = value {
                        info.filter = d.keep_text(text);
                    }
                }
                12 => info.os = d.keep_text(value),
                13 => {
                    if let [bytes] = value {
                        info.fcs_len_bits = Some(u32::from(*bytes) * 8);
                    }
                }
                14 => {
                    if let Some(v) = opt_u64(value, be) {
                        iface.offset_sec = v as i64;
                    }
                }
                _ => {}
            }
        }
        info.ts_units_per_sec = iface.units_per_sec;
        info.ts_offset_sec = iface.offset_sec;
        d.info.interfaces.push(info);
        match &mut self.section {
            Some(s) => s.interfaces.push(iface),
            None => return Err(bad(offset, IDB_MAGIC, "interface before any section")),
        }
        Ok(())
    }

    /// The section's interface `id`, or the error wiretap gives for an undeclared one.
    fn interface(&self, id: u32, offset: u64) -> Result<Interface, CaptureError> {
        self.section
            .as_ref()
            .and_then(|s| s.interfaces.get(id as usize))
            .copied()
            .ok_or(CaptureError {
                offset,
                kind: CaptureErrorKind::UnknownInterface { interface: id },
            })
    }

    /// Shared tail of EPB and PB: checks, options, timestamp and delivery.
    #[allow(clippy::too_many_arguments)]
    fn packet<F: FnMut(&FrameMeta, &[u8])>(
        &self,
        block: &[u8],
        block_type: u32,
        be: bool,
        offset: u64,
        if_id: u32,
        ts: u64,
        caplen: u32,
        wire_len: u32,
        packet: &[u8],
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        let iface = self.interface(if_id, offset)?;
        if caplen > iface.max_caplen {
            return Err(CaptureError {
                offset,
                kind: CaptureErrorKind::AbsurdLength {
                    length: u64::from(caplen),
                },
            });
        }
        let options_start = 28 + padded(caplen) as usize;
        let mut has_comment = false;
        for opt in OptionIter::new(
            block
                .get(options_start..block.len() - 4)
                .unwrap_or_default(),
            be,
        ) {
            let (code, value) = opt.map_err(|e| bad(offset, block_type, e.0))?;
            if code == OPT_COMMENT {
                has_comment = true;
                if let Some(text) = d.keep_text(value) {
                    let number = d.next_number();
                    d.info.packet_comments.push((number, text));
                }
            }
        }
        let (packet, caplen, wire_len, skip) =
            strip_pseudo_header(iface.linktype, packet, caplen, wire_len, offset)?;
        let (ts_ns, ts_frac_ns) = pcapng_ts_ns(ts, iface.units_per_sec, iface.offset_sec);
        let meta = FrameMeta {
            pcapng: true,
            number: 0,
            ts_ns,
            ts_frac_ns,
            has_timestamp: true,
            caplen,
            wire_len,
            offset: offset + 28 + skip,
            interface_id: iface.file_id,
            section_interface_id: if_id,
            linktype: iface.linktype,
            has_comment,
            kind: RecordKind::Packet,
        };
        d.deliver(meta, packet, sink);
        Ok(())
    }

    fn enhanced_packet<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        block: &[u8],
        be: bool,
        offset: u64,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        let caplen = rd_u32(block, 20, be);
        if 28 + padded(caplen) > block.len() as u64 - 4 {
            return Err(bad(
                offset,
                EPB_MAGIC,
                format!(
                    "total block length {} is too small for {caplen} bytes of packet data",
                    block.len()
                ),
            ));
        }
        let parsed = if be {
            parse_block_be(block)
        } else {
            parse_block_le(block)
        };
        let epb = match parsed {
            Ok((_, Block::EnhancedPacket(epb))) => epb,
            Ok(_) => return Err(bad(offset, EPB_MAGIC, "not an enhanced packet block")),
            Err(e) => return Err(bad(offset, EPB_MAGIC, format!("does not parse: {e:?}"))),
        };
        let packet = epb.data.get(..caplen as usize).unwrap_or_default();
        let ts = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
        self.packet(
            block,
            EPB_MAGIC,
            be,
            offset,
            epb.if_id,
            ts,
            caplen,
            epb.origlen,
            packet,
            d,
            sink,
        )
    }

    fn obsolete_packet<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        block: &[u8],
        be: bool,
        offset: u64,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        let if_id = u32::from(rd_u16(block, 8, be));
        let ts = (u64::from(rd_u32(block, 12, be)) << 32) | u64::from(rd_u32(block, 16, be));
        let caplen = rd_u32(block, 20, be);
        let wire_len = rd_u32(block, 24, be);
        if 28 + padded(caplen) > block.len() as u64 - 4 {
            return Err(bad(
                offset,
                PB_MAGIC,
                format!(
                    "total block length {} is too small for {caplen} bytes of packet data",
                    block.len()
                ),
            ));
        }
        let packet = block.get(28..28 + caplen as usize).unwrap_or_default();
        self.packet(
            block, PB_MAGIC, be, offset, if_id, ts, caplen, wire_len, packet, d, sink,
        )
    }

    fn simple_packet<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        block: &[u8],
        be: bool,
        offset: u64,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        let iface = match self.section.as_ref().and_then(|s| s.interfaces.first()) {
            Some(i) => *i,
            None => {
                return Err(bad(
                    offset,
                    SPB_MAGIC,
                    "simple packet block before any interface",
                ))
            }
        };
        let parsed = if be {
            parse_block_be(block)
        } else {
            parse_block_le(block)
        };
        let spb = match parsed {
            Ok((_, Block::SimplePacket(spb))) => spb,
            Ok(_) => return Err(bad(offset, SPB_MAGIC, "not a simple packet block")),
            Err(e) => return Err(bad(offset, SPB_MAGIC, format!("does not parse: {e:?}"))),
        };
        let wire_len = spb.origlen;
        let caplen = if iface.snaplen != 0 {
            wire_len.min(iface.snaplen)
        } else {
            wire_len
        };
        if caplen > iface.max_caplen {
            return Err(CaptureError {
                offset,
                kind: CaptureErrorKind::AbsurdLength {
                    length: u64::from(caplen),
                },
            });
        }
        if 12 + padded(caplen) > block.len() as u64 - 4 {
            return Err(bad(
                offset,
                SPB_MAGIC,
                format!(
                    "total block length {} is too small for {wire_len} bytes of packet data",
                    block.len()
                ),
            ));
        }
        let packet = spb.data.get(..caplen as usize).unwrap_or_default();
        let (packet, caplen, wire_len, skip) =
            strip_pseudo_header(iface.linktype, packet, caplen, wire_len, offset)?;
        let meta = FrameMeta {
            pcapng: true,
            number: 0,
            ts_ns: 0,
            ts_frac_ns: 0,
            has_timestamp: false,
            caplen,
            wire_len,
            offset: offset + 12 + skip,
            interface_id: iface.file_id,
            section_interface_id: 0,
            linktype: iface.linktype,
            has_comment: false,
            kind: RecordKind::Packet,
        };
        d.deliver(meta, packet, sink);
        Ok(())
    }
}

/// Removes the pseudo-header wiretap strips for some link types: (data, caplen, wire_len,
/// bytes skipped).
fn strip_pseudo_header(
    linktype: u32,
    packet: &[u8],
    caplen: u32,
    wire_len: u32,
    offset: u64,
) -> Result<(&[u8], u32, u32, u64), CaptureError> {
    match pseudo_header(linktype, packet) {
        PseudoHeader::None => Ok((packet, caplen, wire_len, 0)),
        PseudoHeader::Strip(n) => Ok((
            packet.get(n..).unwrap_or_default(),
            caplen.saturating_sub(n as u32),
            wire_len.wrapping_sub(n as u32),
            n as u64,
        )),
        PseudoHeader::Invalid(reason) => Err(CaptureError {
            offset,
            kind: CaptureErrorKind::BadRecord {
                reason: reason.to_string(),
            },
        }),
    }
}

/// The `__REALTIME_TIMESTAMP=` field (µs since the epoch) of a systemd journal export entry,
/// which wiretap uses as the record's time.
fn journal_realtime_us(entry: &[u8]) -> Option<u64> {
    const KEY: &[u8] = b"__REALTIME_TIMESTAMP=";
    let at = entry.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let digits = entry.get(at..)?;
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    std::str::from_utf8(digits.get(..end)?).ok()?.parse().ok()
}

/// Checks an option area (for blocks whose options are not otherwise used).
fn check_options(
    area: Option<&[u8]>,
    be: bool,
    offset: u64,
    block_type: u32,
) -> Result<(), CaptureError> {
    for opt in OptionIter::new(area.unwrap_or_default(), be) {
        opt.map_err(|e| bad(offset, block_type, e.0))?;
    }
    Ok(())
}

/// Name Resolution Block: keeps IPv4/IPv6 records (capped), checks the record list.
fn name_resolution(
    block: &[u8],
    be: bool,
    offset: u64,
    d: &mut Delivery,
) -> Result<(), CaptureError> {
    let body = block.get(8..block.len() - 4).unwrap_or_default();
    let mut pos = 0usize;
    loop {
        if body.len() - pos < 4 {
            return Err(bad(offset, NRB_MAGIC, "record list without end record"));
        }
        let record_type = rd_u16(body, pos, be);
        let len = usize::from(rd_u16(body, pos + 2, be));
        pos += 4;
        if record_type == 0 {
            break;
        }
        let padded_len = (len + 3) & !3;
        if padded_len > body.len() - pos {
            return Err(bad(
                offset,
                NRB_MAGIC,
                format!("record of length {len} runs past the block"),
            ));
        }
        let value = body.get(pos..pos + len).unwrap_or_default();
        pos += padded_len;
        let address = match (record_type, value.len()) {
            (1, n) if n >= 4 => Some((
                std::net::Ipv4Addr::new(value[0], value[1], value[2], value[3]).to_string(),
                4,
            )),
            (2, n) if n >= 16 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(&value[..16]);
                Some((std::net::Ipv6Addr::from(a).to_string(), 16))
            }
            _ => None,
        };
        if let Some((address, skip)) = address {
            if d.info.name_resolution.len() >= MAX_NAME_RECORDS {
                continue;
            }
            let names: Vec<String> = value
                .get(skip..)
                .unwrap_or_default()
                .split(|&b| b == 0)
                .filter(|n| !n.is_empty())
                .filter_map(|n| d.keep_text(n))
                .collect();
            d.info
                .name_resolution
                .push(NameResolutionEntry { address, names });
        }
    }
    check_options(body.get(pos..), be, offset, NRB_MAGIC)
}
