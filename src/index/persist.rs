//! The saved form of a finished index: everything an [`Indexer`] needs to answer queries afterwards
//! (capture info, totals, TCP/UDP stream tables, IP conversations, the per-packet columns), as one
//! versioned, checksummed byte string. The page keeps it in the browser's private storage so that
//! reopening the same file skips indexing.
//!
//! Layout: magic `TMINDEX\0` (8 bytes), format version (u32), payload length (u64), CRC-32 of the
//! payload (u32), then the payload, all little-endian. Reading checks magic, version, length and
//! checksum before parsing, then every field is bounds-checked: wrong, short or damaged data is an
//! error, never a panic. Counts are checked against the bytes left before anything is allocated,
//! so memory while reading stays below the size of the restored index plus the input.
//!
//! Only complete indexes of uncompressed captures are saved: a gzip capture's random-access
//! checkpoints hold inflater state that is not kept here.

use super::chunked_column::ChunkedColumn;
use super::column_value::ColumnValue;
use super::packet_index::{PacketIndex, StreamKind};
pub use super::persist_codec::PersistError;
use super::persist_codec::{Reader, Writer};
use super::spillable_column::{ColdChunks, SpillableColumn};
use crate::capture::{
    CaptureFormat, CaptureInfo, CaptureReader, InterfaceInfo, NameResolutionEntry, SectionInfo,
};
use crate::flow::{FlowTables, IpConversationTable, StreamStats, TcpStreamTable, UdpStreamTable};
use crate::flow::{TcpStream, UdpStream};
use crate::pipeline::{Indexer, Pipeline, SavedTotals};

/// First bytes of a saved index.
pub const MAGIC: [u8; 8] = *b"TMINDEX\0";
/// Format version written and accepted; bump on any layout change.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes before the payload: magic, version, payload length, CRC-32.
pub const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// Saves `indexer`: fails with [`PersistError::NotSavable`] unless the capture was read whole,
/// without damage or cancellation, and was not compressed.
pub fn index_to_bytes(indexer: &Indexer) -> Result<Vec<u8>, PersistError> {
    let pipeline = indexer.pipeline();
    let totals = pipeline.saved_totals().ok_or_else(|| {
        PersistError::NotSavable("the capture was not read whole (cancelled or damaged)".into())
    })?;
    let info = pipeline.reader().info();
    if info.gzip {
        return Err(PersistError::NotSavable(
            "compressed captures are not saved".into(),
        ));
    }
    let mut w = Writer::default();
    // Reserved once: a growing buffer would briefly need up to twice the saved size.
    w.buf.reserve(saved_size_estimate(indexer));
    w.buf.extend_from_slice(&[0u8; HEADER_LEN]);
    write_info(&mut w, info);
    write_totals(&mut w, &totals);
    write_flows(&mut w, pipeline.flows());
    write_index(&mut w, indexer.index())?;
    let payload_len = (w.buf.len() - HEADER_LEN) as u64;
    let crc = crc32fast::hash(&w.buf[HEADER_LEN..]);
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(&MAGIC);
    header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    header.extend_from_slice(&payload_len.to_le_bytes());
    header.extend_from_slice(&crc.to_le_bytes());
    w.buf[..HEADER_LEN].copy_from_slice(&header);
    Ok(w.buf)
}

/// About how many bytes [`index_to_bytes`] makes of `indexer` (exact for the per-packet columns,
/// an upper estimate for the tables), so callers can check memory or quota before saving.
pub fn saved_size_estimate(indexer: &Indexer) -> usize {
    let flows = indexer.pipeline().flows();
    let streams = flows.tcp.len() + flows.udp.len() + flows.ip.len();
    let index = indexer.index();
    HEADER_LEN
        + 64 * 1024
        + index.len().saturating_mul(30)
        + (index.big_excess.len() + index.big_interface.len()).saturating_mul(8)
        + index.side.len().saturating_mul(9)
        + streams.saturating_mul(MAX_STATS_BYTES + 12)
}

/// Restores an indexer saved by [`index_to_bytes`]. Its queries answer as the original's did;
/// packet bytes are read back from the same file as before.
pub fn index_from_bytes(bytes: &[u8]) -> Result<Indexer, PersistError> {
    let mut header = Reader::new(bytes);
    let magic = header.u64().map_err(|_| PersistError::NotAnIndex)?;
    if magic.to_le_bytes() != MAGIC {
        return Err(PersistError::NotAnIndex);
    }
    let version = header.u32()?;
    if version != FORMAT_VERSION {
        return Err(PersistError::WrongVersion {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let payload_len = header.u64()?;
    let crc = header.u32()?;
    let payload = usize::try_from(payload_len)
        .ok()
        .and_then(|n| bytes.get(HEADER_LEN..HEADER_LEN.checked_add(n)?))
        .ok_or(PersistError::Truncated)?;
    if bytes.len() - HEADER_LEN != payload.len() {
        return Err(PersistError::Corrupt("bytes after the payload".into()));
    }
    if crc32fast::hash(payload) != crc {
        return Err(PersistError::ChecksumMismatch);
    }
    let mut r = Reader::new(payload);
    let info = read_info(&mut r)?;
    let totals = read_totals(&mut r)?;
    let flows = read_flows(&mut r)?;
    let index = read_index(&mut r)?;
    if r.remaining() != 0 {
        return Err(PersistError::Corrupt("unread bytes at the end".into()));
    }
    if index.len() as u64 != totals.frames {
        return Err(PersistError::Corrupt(format!(
            "{} index rows for {} frames",
            index.len(),
            totals.frames
        )));
    }
    let pipeline = Pipeline::restored(CaptureReader::restored(info), flows, totals);
    Ok(Indexer::from_parts(pipeline, index))
}

impl Indexer {
    /// The saved form of this index (see [`crate::index::persist`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, PersistError> {
        index_to_bytes(self)
    }

    /// An indexer restored from [`Indexer::to_bytes`]'s output.
    pub fn from_bytes(bytes: &[u8]) -> Result<Indexer, PersistError> {
        index_from_bytes(bytes)
    }
}

fn write_info(w: &mut Writer, i: &CaptureInfo) {
    w.u8(match i.format {
        CaptureFormat::Unknown => 0,
        CaptureFormat::Pcap => 1,
        CaptureFormat::PcapModified => 2,
        CaptureFormat::Pcapng => 3,
    });
    w.bool(i.gzip);
    w.bool(i.big_endian);
    w.bool(i.nanosecond);
    w.u16(i.version.0);
    w.u16(i.version.1);
    w.len(i.sections.len());
    for s in &i.sections {
        w.u64(s.offset);
        w.bool(s.big_endian);
        w.u16(s.version.0);
        w.u16(s.version.1);
        w.opt_str(s.hardware.as_deref());
        w.opt_str(s.os.as_deref());
        w.opt_str(s.application.as_deref());
        w.strs(&s.comments);
    }
    w.len(i.interfaces.len());
    for f in &i.interfaces {
        w.u32(f.id);
        w.u32(f.section);
        w.u32(f.linktype);
        w.u32(f.snaplen);
        w.u64(f.ts_units_per_sec);
        w.i64(f.ts_offset_sec);
        w.opt_str(f.name.as_deref());
        w.opt_str(f.description.as_deref());
        w.u64(f.packets);
        w.opt_str(f.filter.as_deref());
        w.opt_str(f.os.as_deref());
        w.strs(&f.comments);
        w.opt_u32(f.fcs_len_bits);
    }
    w.len(i.name_resolution.len());
    for n in &i.name_resolution {
        w.str(&n.address);
        w.strs(&n.names);
    }
    w.len(i.packet_comments.len());
    for (frame, comment) in &i.packet_comments {
        w.u32(*frame);
        w.str(comment);
    }
    w.u32(i.interface_statistics_blocks);
    w.u32(i.skipped_blocks);
    w.u32(i.custom_blocks);
    w.opt_str(i.pcap_variant.as_deref());
    w.u64(i.frames);
    w.u64(i.captured_bytes);
    w.u64(i.input_bytes);
    w.strs(&i.warnings);
}

fn read_info(r: &mut Reader) -> Result<CaptureInfo, PersistError> {
    let format = match r.u8()? {
        0 => CaptureFormat::Unknown,
        1 => CaptureFormat::Pcap,
        2 => CaptureFormat::PcapModified,
        3 => CaptureFormat::Pcapng,
        v => return Err(PersistError::Corrupt(format!("capture format tag {v}"))),
    };
    let mut i = CaptureInfo {
        format,
        gzip: r.bool()?,
        big_endian: r.bool()?,
        nanosecond: r.bool()?,
        version: (r.u16()?, r.u16()?),
        ..CaptureInfo::default()
    };
    let n = r.count(8)?;
    for _ in 0..n {
        i.sections.push(SectionInfo {
            offset: r.u64()?,
            big_endian: r.bool()?,
            version: (r.u16()?, r.u16()?),
            hardware: r.opt_str()?,
            os: r.opt_str()?,
            application: r.opt_str()?,
            comments: r.strs()?,
        });
    }
    let n = r.count(8)?;
    for _ in 0..n {
        i.interfaces.push(InterfaceInfo {
            id: r.u32()?,
            section: r.u32()?,
            linktype: r.u32()?,
            snaplen: r.u32()?,
            ts_units_per_sec: r.u64()?,
            ts_offset_sec: r.i64()?,
            name: r.opt_str()?,
            description: r.opt_str()?,
            packets: r.u64()?,
            filter: r.opt_str()?,
            os: r.opt_str()?,
            comments: r.strs()?,
            fcs_len_bits: r.opt_u32()?,
        });
    }
    let n = r.count(8)?;
    for _ in 0..n {
        i.name_resolution.push(NameResolutionEntry {
            address: r.str()?,
            names: r.strs()?,
        });
    }
    let n = r.count(8)?;
    for _ in 0..n {
        i.packet_comments.push((r.u32()?, r.str()?));
    }
    i.interface_statistics_blocks = r.u32()?;
    i.skipped_blocks = r.u32()?;
    i.custom_blocks = r.u32()?;
    i.pcap_variant = r.opt_str()?;
    i.frames = r.u64()?;
    i.captured_bytes = r.u64()?;
    i.input_bytes = r.u64()?;
    i.warnings = r.strs()?;
    Ok(i)
}

fn write_totals(w: &mut Writer, t: &SavedTotals) {
    w.u64(t.frames);
    w.u64(t.wire_bytes);
    w.u64(t.input_bytes);
    w.opt_i64(t.first_ts_ns);
    w.opt_i64(t.last_ts_ns);
    w.len(t.linktypes.len());
    for &l in &t.linktypes {
        w.u32(l);
    }
}

fn read_totals(r: &mut Reader) -> Result<SavedTotals, PersistError> {
    let mut t = SavedTotals {
        frames: r.u64()?,
        wire_bytes: r.u64()?,
        input_bytes: r.u64()?,
        first_ts_ns: r.opt_i64()?,
        last_ts_ns: r.opt_i64()?,
        linktypes: Vec::new(),
    };
    let n = r.count(4)?;
    for _ in 0..n {
        t.linktypes.push(r.u32()?);
    }
    Ok(t)
}

fn write_stats(w: &mut Writer, s: &StreamStats) {
    w.ip(s.addr_a);
    w.u16(s.port_a);
    w.ip(s.addr_b);
    w.u16(s.port_b);
    w.u32(s.first_frame);
    w.u32(s.last_frame);
    w.i64(s.first_ts_ns);
    w.i64(s.last_ts_ns);
    for v in s.frames.iter().chain(&s.bytes).chain(&s.payload) {
        w.u64(*v);
    }
}

/// Largest encoded [`StreamStats`] (two IPv6 addresses).
const MAX_STATS_BYTES: usize = 2 * 17 + 2 * 2 + 2 * 4 + 2 * 8 + 6 * 8;

/// Smallest encoded [`StreamStats`] (two IPv4 addresses).
const MIN_STATS_BYTES: usize = 2 * 5 + 2 * 2 + 2 * 4 + 2 * 8 + 6 * 8;

fn read_stats(r: &mut Reader) -> Result<StreamStats, PersistError> {
    Ok(StreamStats {
        addr_a: r.ip()?,
        port_a: r.u16()?,
        addr_b: r.ip()?,
        port_b: r.u16()?,
        first_frame: r.u32()?,
        last_frame: r.u32()?,
        first_ts_ns: r.i64()?,
        last_ts_ns: r.i64()?,
        frames: [r.u64()?, r.u64()?],
        bytes: [r.u64()?, r.u64()?],
        payload: [r.u64()?, r.u64()?],
    })
}

fn write_flows(w: &mut Writer, f: &FlowTables) {
    w.len(f.tcp.len());
    for s in f.tcp.streams() {
        write_stats(w, &s.stats);
        w.bool(s.a_is_lo);
        w.opt_u32(s.base_seq[0]);
        w.opt_u32(s.base_seq[1]);
        w.bool(s.saw_syn);
        w.bool(s.saw_fin);
    }
    w.len(f.udp.len());
    for s in f.udp.streams() {
        write_stats(w, &s.stats);
        w.bool(s.a_is_lo);
    }
    w.len(f.ip.len());
    for (s, a_is_lo) in f.ip.saved_rows() {
        write_stats(w, s);
        w.bool(*a_is_lo);
    }
}

fn read_flows(r: &mut Reader) -> Result<FlowTables, PersistError> {
    let n = r.count(MIN_STATS_BYTES)?;
    let mut tcp = Vec::with_capacity(n);
    for _ in 0..n {
        tcp.push(TcpStream {
            stats: read_stats(r)?,
            a_is_lo: r.bool()?,
            base_seq: [r.opt_u32()?, r.opt_u32()?],
            saw_syn: r.bool()?,
            saw_fin: r.bool()?,
        });
    }
    let n = r.count(MIN_STATS_BYTES)?;
    let mut udp = Vec::with_capacity(n);
    for _ in 0..n {
        udp.push(UdpStream {
            stats: read_stats(r)?,
            a_is_lo: r.bool()?,
        });
    }
    let n = r.count(MIN_STATS_BYTES)?;
    let mut ip = Vec::with_capacity(n);
    for _ in 0..n {
        ip.push((read_stats(r)?, r.bool()?));
    }
    Ok(FlowTables {
        tcp: TcpStreamTable::from_streams(tcp),
        udp: UdpStreamTable::from_streams(udp),
        ip: IpConversationTable::from_rows(ip),
    })
}

fn write_column<T: ColumnValue>(w: &mut Writer, c: &ChunkedColumn<T>) {
    w.len(c.len());
    w.buf.reserve(c.len().saturating_mul(T::BYTES));
    for v in c.iter() {
        v.put_le(&mut w.buf);
    }
}

/// Writes a cold column, reading its spilled chunks back from `cold` one at a time.
fn write_spillable_column<T: ColumnValue>(
    w: &mut Writer,
    c: &SpillableColumn<T>,
    cold: Option<&mut ColdChunks>,
) -> Result<(), PersistError> {
    w.len(c.len());
    w.buf.reserve(c.len().saturating_mul(T::BYTES));
    c.try_for_each(cold, |v| v.put_le(&mut w.buf)).map_err(|e| {
        PersistError::NotSavable(format!(
            "the index's columns in local storage could not be read back: {e}"
        ))
    })
}

/// A column's elements, pushed into `push`.
fn read_column_into<T: ColumnValue>(
    r: &mut Reader,
    rows: Option<usize>,
    mut push: impl FnMut(T),
) -> Result<usize, PersistError> {
    let n = r.count(T::BYTES)?;
    if rows.is_some_and(|rows| rows != n) {
        return Err(PersistError::Corrupt(
            "index columns differ in length".into(),
        ));
    }
    // `count` checked that the bytes are there; decoded in one pass over them.
    let bytes = r.bytes(n.saturating_mul(T::BYTES))?;
    for element in bytes.chunks_exact(T::BYTES) {
        push(T::from_le_slice(element));
    }
    Ok(n)
}

fn read_column<T: ColumnValue>(
    r: &mut Reader,
    rows: Option<usize>,
) -> Result<ChunkedColumn<T>, PersistError> {
    let mut c = ChunkedColumn::default();
    read_column_into(r, rows, |v| c.push(v))?;
    Ok(c)
}

fn read_spillable_column<T: ColumnValue>(
    r: &mut Reader,
    rows: Option<usize>,
) -> Result<SpillableColumn<T>, PersistError> {
    let mut c = SpillableColumn::default();
    read_column_into(r, rows, |v| c.push(v))?;
    Ok(c)
}

fn stream_kind_tag(k: StreamKind) -> u8 {
    match k {
        StreamKind::None => 0,
        StreamKind::Tcp => 1,
        StreamKind::Udp => 2,
    }
}

fn write_index(w: &mut Writer, x: &PacketIndex) -> Result<(), PersistError> {
    let mut cold = match x.cold.as_ref().map(|m| m.lock()) {
        None => None,
        Some(Ok(guard)) => Some(guard),
        Some(Err(_)) => {
            return Err(PersistError::NotSavable(
                "the index's columns in local storage are unusable".into(),
            ))
        }
    };
    write_spillable_column(w, &x.offset_caplen, cold.as_deref_mut())?;
    write_spillable_column(w, &x.ts_ns, cold.as_deref_mut())?;
    write_spillable_column(w, &x.wire_excess, cold.as_deref_mut())?;
    write_column(w, &x.stream);
    write_column(w, &x.ip_conv);
    write_column(w, &x.flags);
    write_spillable_column(w, &x.interface, cold.as_deref_mut())?;
    for table in [&x.big_excess, &x.big_interface] {
        w.len(table.len());
        for &(i, v) in table.iter() {
            w.u32(i);
            w.u32(v);
        }
    }
    w.len(x.side.len());
    for &(i, k, s) in &x.side {
        w.u32(i);
        w.u8(stream_kind_tag(k));
        w.u32(s);
    }
    w.u64(x.unaddressable);
    Ok(())
}

/// A (frame index, value) side table, which must be sorted by frame index (lookups bisect it).
fn read_pairs(r: &mut Reader) -> Result<Vec<(u32, u32)>, PersistError> {
    let n = r.count(8)?;
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(n);
    for _ in 0..n {
        let pair = (r.u32()?, r.u32()?);
        if out.last().is_some_and(|last| last.0 > pair.0) {
            return Err(PersistError::Corrupt("side table out of order".into()));
        }
        out.push(pair);
    }
    Ok(out)
}

fn read_index(r: &mut Reader) -> Result<PacketIndex, PersistError> {
    let offset_caplen: SpillableColumn<u64> = read_spillable_column(r, None)?;
    let rows = Some(offset_caplen.len());
    let mut x = PacketIndex {
        offset_caplen,
        ts_ns: read_spillable_column(r, rows)?,
        wire_excess: read_spillable_column(r, rows)?,
        stream: read_column(r, rows)?,
        ip_conv: read_column(r, rows)?,
        flags: read_column(r, rows)?,
        interface: read_spillable_column(r, rows)?,
        big_excess: read_pairs(r)?,
        big_interface: read_pairs(r)?,
        ..PacketIndex::default()
    };
    let n = r.count(9)?;
    x.side.reserve(n);
    for _ in 0..n {
        let i = r.u32()?;
        let kind = match r.u8()? {
            0 => StreamKind::None,
            1 => StreamKind::Tcp,
            2 => StreamKind::Udp,
            v => return Err(PersistError::Corrupt(format!("stream kind tag {v}"))),
        };
        let s = r.u32()?;
        if x.side.last().is_some_and(|last| last.0 > i) {
            return Err(PersistError::Corrupt("side table out of order".into()));
        }
        x.side.push((i, kind, s));
    }
    x.unaddressable = r.u64()?;
    Ok(x)
}
