//! Writing selected frames as a new pcap or pcapng file, each record read back from the capture
//! as stored (never re-encoded from decoded fields).
//!
//! pcapng output: one section; every interface of the capture keeps its id, link type, snap
//! length, `if_tsresol`, `if_tsoffset`, name, description, filter, OS, FCS length and comments;
//! packets keep their raw timestamps (so times are identical to the last digit) and their comments;
//! the capture's own Name Resolution records go in one Name Resolution Block (none are invented);
//! a TLS key log the user supplies goes in a Decryption Secrets Block before the packets.
//! Records without a timestamp (Simple Packet Blocks) stay Simple Packet Blocks on interface 0,
//! elsewhere they become Enhanced Packet Blocks with time 0.
//!
//! pcap output holds one link type: when the selection spans several, nothing is written and the
//! error says so (as editcap refuses); choose pcapng then. Timestamps are written in nanoseconds
//! when any selected frame has sub-microsecond precision (or the source is a nanosecond pcap),
//! otherwise in microseconds — exact either way. Packet comments, name resolution and key logs
//! cannot be stored in pcap (the summary counts the comments dropped; a key log is refused).
//!
//! Memory: one record at a time (plus the caller's writer).

use std::io::Write;
use std::net::IpAddr;

use serde::Serialize;

use super::original_record::{read_original_record, RecordTime};
use super::pcapng_blocks::{self as blocks, BlockOption};
use crate::capture::random_access::PacketBytes;
use crate::capture::{CaptureFormat, CaptureInfo, InterfaceInfo};
use crate::pipeline::FrameLocation;

/// Output container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Classic libpcap (little-endian).
    Pcap,
    /// pcapng (little-endian, one section).
    Pcapng,
}

impl ExportFormat {
    /// Parses `pcap` or `pcapng`.
    pub fn parse(text: &str) -> Option<ExportFormat> {
        match text.to_ascii_lowercase().as_str() {
            "pcap" | "libpcap" => Some(ExportFormat::Pcap),
            "pcapng" => Some(ExportFormat::Pcapng),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Pcap => "pcap",
            ExportFormat::Pcapng => "pcapng",
        }
    }
}

/// How to write an export.
#[derive(Clone, Copy, Debug)]
pub struct ExportOptions<'a> {
    /// Output container.
    pub format: ExportFormat,
    /// A TLS key log (`SSLKEYLOGFILE` text) to store in a Decryption Secrets Block (pcapng only).
    pub keylog: Option<&'a [u8]>,
}

/// Why an export was not written (or stopped).
#[derive(Debug)]
pub enum ExportError {
    /// pcap holds one link type; the selection has several (nothing was written).
    MixedLinkTypes(Vec<u32>),
    /// A link type pcapng cannot store in an Interface Description Block (above 65535).
    LinkTypeTooLarge(u32),
    /// A key log was given for pcap output (nothing was written).
    KeylogNeedsPcapng,
    /// Reading the capture back or writing the output failed.
    Io(std::io::Error),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::MixedLinkTypes(types) => {
                let list: Vec<String> = types.iter().map(u32::to_string).collect();
                write!(
                    f,
                    "the selected packets have {} link types ({}); pcap holds one: write pcapng instead (-F pcapng)",
                    types.len(),
                    list.join(", ")
                )
            }
            ExportError::LinkTypeTooLarge(t) => {
                write!(f, "link type {t} does not fit a pcapng interface block")
            }
            ExportError::KeylogNeedsPcapng => f.write_str(
                "a TLS key log can only be stored in pcapng (Decryption Secrets Block): use -F pcapng",
            ),
            ExportError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ExportError {}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Io(e)
    }
}

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// Packets written.
    pub packets: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Interfaces written (pcapng) or 1 (pcap).
    pub interfaces: u32,
    /// Packet comments written.
    pub comments: u64,
    /// Packet comments that pcap could not hold.
    pub comments_dropped: u64,
    /// Name Resolution records written.
    pub name_records: u64,
    /// True when a Decryption Secrets Block was written.
    pub decryption_secrets: bool,
}

/// Counts the bytes passing to the output.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes = self.bytes.saturating_add(n as u64);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `frames` (locations in the capture described by `info`, read back through `bytes`) to
/// `out` as `options.format`. Returns what was written; checks that can fail before writing
/// (link types, key log) are done first, so such an error leaves `out` untouched.
pub fn write_selection<W: Write>(
    info: &CaptureInfo,
    frames: &[FrameLocation],
    bytes: &mut PacketBytes,
    options: &ExportOptions,
    out: W,
) -> Result<ExportSummary, ExportError> {
    let mut out = Counting {
        inner: out,
        bytes: 0,
    };
    let mut summary = match options.format {
        ExportFormat::Pcap => write_pcap(info, frames, bytes, options, &mut out)?,
        ExportFormat::Pcapng => write_pcapng(info, frames, bytes, options, &mut out)?,
    };
    out.flush()?;
    summary.bytes = out.bytes;
    Ok(summary)
}

/// Comments of frame `number` (the reader keeps them sorted by frame number).
fn comments_of(info: &CaptureInfo, number: u32) -> impl Iterator<Item = &str> {
    let start = info.packet_comments.partition_point(|(n, _)| *n < number);
    info.packet_comments
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(move |(n, _)| *n == number)
        .map(|(_, c)| c.as_str())
}

fn write_pcap<W: Write>(
    info: &CaptureInfo,
    frames: &[FrameLocation],
    bytes: &mut PacketBytes,
    options: &ExportOptions,
    out: &mut W,
) -> Result<ExportSummary, ExportError> {
    if options.keylog.is_some() {
        return Err(ExportError::KeylogNeedsPcapng);
    }
    let mut linktypes: Vec<u32> = Vec::new();
    for f in frames {
        if !linktypes.contains(&f.linktype) {
            linktypes.push(f.linktype);
        }
    }
    if linktypes.len() > 1 {
        linktypes.sort_unstable();
        return Err(ExportError::MixedLinkTypes(linktypes));
    }
    let linktype = linktypes
        .first()
        .copied()
        .or_else(|| info.interfaces.first().map(|i| i.linktype))
        .unwrap_or(1);
    let used = |i: &&InterfaceInfo| frames.iter().any(|f| f.interface_id == i.id);
    let snaplen = info
        .interfaces
        .iter()
        .filter(used)
        .map(|i| if i.snaplen == 0 { 262_144 } else { i.snaplen })
        .chain(frames.iter().map(|f| f.caplen))
        .max()
        .unwrap_or(262_144);
    let nanosecond = (info.format != CaptureFormat::Pcapng && info.nanosecond)
        || frames.iter().any(|f| f.ts_ns.rem_euclid(1_000) != 0);
    let magic: u32 = if nanosecond { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
    let mut header = Vec::with_capacity(24);
    header.extend_from_slice(&magic.to_le_bytes());
    header.extend_from_slice(&2u16.to_le_bytes());
    header.extend_from_slice(&4u16.to_le_bytes());
    header.extend_from_slice(&[0; 8]); // thiszone, sigfigs
    header.extend_from_slice(&snaplen.to_le_bytes());
    header.extend_from_slice(&linktype.to_le_bytes());
    out.write_all(&header)?;
    let mut summary = ExportSummary {
        interfaces: 1,
        ..ExportSummary::default()
    };
    for frame in frames {
        let record = read_original_record(info, frame, bytes)?;
        let ts = frame.ts_ns.max(0);
        let secs = u32::try_from(ts / 1_000_000_000).unwrap_or(u32::MAX);
        let frac = ts % 1_000_000_000;
        let frac = if nanosecond { frac } else { frac / 1_000 } as u32;
        let caplen = u32::try_from(record.data.len())
            .map_err(|_| std::io::Error::other("packet too large"))?;
        let mut rec = Vec::with_capacity(16 + record.data.len());
        rec.extend_from_slice(&secs.to_le_bytes());
        rec.extend_from_slice(&frac.to_le_bytes());
        rec.extend_from_slice(&caplen.to_le_bytes());
        rec.extend_from_slice(&record.wire_len.to_le_bytes());
        rec.extend_from_slice(&record.data);
        out.write_all(&rec)?;
        summary.packets += 1;
        summary.comments_dropped += comments_of(info, frame.number).count() as u64;
    }
    Ok(summary)
}

/// The `if_tsresol` byte giving `units_per_sec` (the reader keeps only the rate).
fn tsresol_byte(units_per_sec: u64) -> u8 {
    if units_per_sec == u64::MAX {
        return 20; // what every exponent too large for 64 bits reads as
    }
    let mut power = 1u64;
    for exponent in 0..20u8 {
        if power == units_per_sec {
            return exponent;
        }
        power = power.saturating_mul(10);
    }
    if units_per_sec.is_power_of_two() {
        return 0x80 | units_per_sec.trailing_zeros() as u8;
    }
    9
}

/// Interface options as the capture had them; `units` is the `if_tsresol` rate to declare.
fn write_idb<W: Write>(out: &mut W, iface: &InterfaceInfo, units: u64) -> Result<(), ExportError> {
    let linktype =
        u16::try_from(iface.linktype).map_err(|_| ExportError::LinkTypeTooLarge(iface.linktype))?;
    let tsresol = [tsresol_byte(units)];
    let tsoffset = iface.ts_offset_sec.to_le_bytes();
    let filter: Option<Vec<u8>> = iface.filter.as_ref().map(|f| {
        let mut v = vec![0u8]; // libpcap filter string
        v.extend_from_slice(f.as_bytes());
        v
    });
    let fcslen = iface
        .fcs_len_bits
        .and_then(|b| u8::try_from(b).ok())
        .map(|b| [b]);
    let mut options: Vec<BlockOption> = Vec::new();
    if let Some(name) = &iface.name {
        options.push((blocks::IF_NAME, name.as_bytes()));
    }
    if let Some(d) = &iface.description {
        options.push((blocks::IF_DESCRIPTION, d.as_bytes()));
    }
    if units != 1_000_000 {
        options.push((blocks::IF_TSRESOL, &tsresol));
    }
    if iface.ts_offset_sec != 0 {
        options.push((blocks::IF_TSOFFSET, &tsoffset));
    }
    if let Some(f) = &filter {
        options.push((blocks::IF_FILTER, f));
    }
    if let Some(os) = &iface.os {
        options.push((blocks::IF_OS, os.as_bytes()));
    }
    if let Some(b) = &fcslen {
        options.push((blocks::IF_FCSLEN, b));
    }
    for c in &iface.comments {
        options.push((blocks::OPT_COMMENT, c.as_bytes()));
    }
    blocks::write_interface(out, linktype, iface.snaplen, &options)?;
    Ok(())
}

fn write_pcapng<W: Write>(
    info: &CaptureInfo,
    frames: &[FrameLocation],
    bytes: &mut PacketBytes,
    options: &ExportOptions,
    out: &mut W,
) -> Result<ExportSummary, ExportError> {
    let from_pcapng = info.format == CaptureFormat::Pcapng;
    // Classic pcap: one interface, in µs or ns as the timestamps need.
    let pcap_units = if (!from_pcapng && info.nanosecond)
        || frames.iter().any(|f| f.ts_ns.rem_euclid(1_000) != 0)
    {
        1_000_000_000
    } else {
        1_000_000
    };
    let units_of = |iface: &InterfaceInfo| {
        if from_pcapng {
            iface.ts_units_per_sec.max(1)
        } else {
            pcap_units
        }
    };
    for iface in &info.interfaces {
        if u16::try_from(iface.linktype).is_err() {
            return Err(ExportError::LinkTypeTooLarge(iface.linktype));
        }
    }
    let section = info.sections.first();
    let mut shb: Vec<BlockOption> = Vec::new();
    if let Some(s) = section {
        if let Some(hw) = &s.hardware {
            shb.push((blocks::SHB_HARDWARE, hw.as_bytes()));
        }
        if let Some(os) = &s.os {
            shb.push((blocks::SHB_OS, os.as_bytes()));
        }
    }
    shb.push((blocks::SHB_USERAPPL, b"tracematch export"));
    blocks::write_section_header(out, &shb)?;
    let mut summary = ExportSummary::default();
    for iface in &info.interfaces {
        write_idb(out, iface, units_of(iface))?;
        summary.interfaces += 1;
    }
    if let Some(keylog) = options.keylog {
        blocks::write_decryption_secrets(out, blocks::SECRETS_TLS_KEY_LOG, keylog)?;
        summary.decryption_secrets = true;
    }
    let names: Vec<(IpAddr, Vec<String>)> = info
        .name_resolution
        .iter()
        .filter(|e| !e.names.is_empty())
        .filter_map(|e| Some((e.address.parse().ok()?, e.names.clone())))
        .collect();
    if !names.is_empty() {
        blocks::write_name_resolution(out, &names)?;
        summary.name_records = names.len() as u64;
    }
    for frame in frames {
        let record = read_original_record(info, frame, bytes)?;
        let iface = info.interfaces.get(frame.interface_id as usize);
        let comments: Vec<&str> = comments_of(info, frame.number).collect();
        let units = match record.time {
            RecordTime::PcapngUnits(u) => u,
            RecordTime::EpochNs(ns) => {
                let ns = u64::try_from(ns).unwrap_or(0);
                if pcap_units == 1_000_000_000 {
                    ns
                } else {
                    ns / 1_000
                }
            }
            RecordTime::None if frame.interface_id == 0 && comments.is_empty() => {
                blocks::write_simple_packet(out, &record.data, record.wire_len)?;
                summary.packets += 1;
                continue;
            }
            RecordTime::None => 0,
        };
        // An interface the capture did not describe cannot occur for a delivered packet; write
        // interface 0 rather than a dangling id if it ever did.
        let if_id = if iface.is_some() {
            frame.interface_id
        } else {
            0
        };
        blocks::write_enhanced_packet(out, if_id, units, &record.data, record.wire_len, &comments)?;
        summary.packets += 1;
        summary.comments += comments.len() as u64;
    }
    Ok(summary)
}
