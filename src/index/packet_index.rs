//! Column storage of the per-packet index and its accessors.
//!
//! The hot columns (stream id, IP conversation, flags), which stream frame lists and conversation
//! views scan whole, always stay in memory. The cold ones (offset + captured length, timestamp,
//! wire-length excess, interface: 20 of the 30 bytes per packet), read per row when a view shows
//! or reads packets back, may spill to a [`ColdStore`] when the index would exceed its budget
//! ([`PacketIndex::spill_cold_columns`]) and are then read back through a cache of at most
//! [`CACHE_BYTES`].

use std::io;
use std::sync::Mutex;

use super::chunked_column::ChunkedColumn;
use super::cold_store::ColdStore;
use super::column_value::ColumnValue;
use super::spillable_column::{ColdChunks, Slot, SpillableColumn, CACHE_BYTES};
use crate::capture::FrameMeta;
use crate::flow::{Direction, FrameStreams};

/// Which transport the `stream` column of a frame refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamKind {
    /// No TCP/UDP layer.
    None,
    /// `stream` is a `tcp.stream`.
    Tcp,
    /// `stream` is a `udp.stream`.
    Udp,
}

const FLAG_TCP_MASK: u16 = 0x01ff; // NS..FIN (9 bits)
const FLAG_DIR_B_TO_A: u16 = 0x0200;
const FLAG_KIND_TCP: u16 = 0x0400;
const FLAG_KIND_UDP: u16 = 0x0800;
const FLAG_SIDE: u16 = 0x1000;
const NO_ID: u32 = u32::MAX;
const MAX_OFFSET: u64 = (1 << 40) - 1;
const MAX_CAPLEN: u32 = (1 << 24) - 1;

/// One row of the index, unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// 1-based frame number.
    pub number: u32,
    /// Offset of the packet bytes in the (decompressed) capture.
    pub offset: u64,
    /// Captured length.
    pub caplen: u32,
    /// Wire length.
    pub wire_len: u32,
    /// Timestamp, epoch ns.
    pub ts_ns: i64,
    /// Innermost stream kind.
    pub kind: StreamKind,
    /// Innermost stream id (meaningful when `kind` is not None).
    pub stream: u32,
    /// Direction within that stream.
    pub dir: Direction,
    /// TCP flags of the innermost TCP layer (9 bits, NS..FIN).
    pub tcp_flags: u16,
    /// IP conversation row, if the frame has an IP layer.
    pub ip_conv: Option<u32>,
    /// File-wide interface id.
    pub interface_id: u32,
}

/// Bytes per packet of the cold columns (offset + caplen 8, timestamp 8, wire excess 2,
/// interface 2).
const COLD_BYTES_PER_PACKET: usize = 20;

/// The per-packet index of one capture.
#[derive(Default)]
pub struct PacketIndex {
    pub(super) offset_caplen: SpillableColumn<u64>,
    pub(super) ts_ns: SpillableColumn<i64>,
    pub(super) wire_excess: SpillableColumn<u16>,
    pub(super) stream: ChunkedColumn<u32>,
    pub(super) ip_conv: ChunkedColumn<u32>,
    pub(super) flags: ChunkedColumn<u16>,
    pub(super) interface: SpillableColumn<u16>,
    /// Where full chunks of the cold columns go when the budget asks (None: nowhere, they stay).
    /// A lock for the read cache only: lookups take `&self`; one thread uses it at a time.
    pub(super) cold: Option<Mutex<ColdChunks>>,
    /// (frame index, excess) for wire lengths exceeding caplen by ≥ 65535.
    pub(super) big_excess: Vec<(u32, u32)>,
    /// (frame index, interface) for interfaces ≥ 65535.
    pub(super) big_interface: Vec<(u32, u32)>,
    /// (frame index, kind, stream) for the outer TCP/UDP layers of multi-layer frames.
    pub(super) side: Vec<(u32, StreamKind, u32)>,
    /// Frames whose offset or caplen did not fit the packed column (they are still counted).
    pub(super) unaddressable: u64,
}

impl PacketIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.stream.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.stream.is_empty()
    }

    /// Appends frame `meta` with the streams the flow tables assigned it, and the TCP flags of its
    /// innermost TCP layer.
    pub fn push(&mut self, meta: &FrameMeta, streams: &FrameStreams, tcp_flags: u16) {
        let i = self.stream.len() as u32;
        let (offset, caplen) = if meta.offset > MAX_OFFSET || meta.caplen > MAX_CAPLEN {
            self.unaddressable += 1;
            (MAX_OFFSET, 0)
        } else {
            (meta.offset, meta.caplen)
        };
        self.offset_caplen
            .push((offset << 24) | u64::from(caplen & MAX_CAPLEN));
        self.ts_ns.push(meta.ts_ns);
        let excess = meta.wire_len.saturating_sub(meta.caplen);
        if excess >= u32::from(u16::MAX) {
            self.big_excess.push((i, excess));
            self.wire_excess.push(u16::MAX);
        } else {
            self.wire_excess.push(excess as u16);
        }
        if meta.interface_id >= u32::from(u16::MAX) {
            self.big_interface.push((i, meta.interface_id));
            self.interface.push(u16::MAX);
        } else {
            self.interface.push(meta.interface_id as u16);
        }
        let mut flags = tcp_flags & FLAG_TCP_MASK;
        // The innermost transport decides the stream column: TCP when present, else UDP.
        let (stream, dir) = if let (Some(&id), Some(dir)) = (streams.tcp.last(), streams.tcp_dir) {
            flags |= FLAG_KIND_TCP;
            (id, dir)
        } else if let (Some(&id), Some(dir)) = (streams.udp.last(), streams.udp_dir) {
            flags |= FLAG_KIND_UDP;
            (id, dir)
        } else {
            (NO_ID, Direction::AtoB)
        };
        if dir == Direction::BtoA {
            flags |= FLAG_DIR_B_TO_A;
        }
        let extra_tcp = streams.tcp.len().saturating_sub(1);
        let has_udp_side = !streams.udp.is_empty() && flags & FLAG_KIND_TCP != 0;
        if extra_tcp > 0 || streams.udp.len() > 1 || has_udp_side {
            flags |= FLAG_SIDE;
            for &s in streams.tcp[..extra_tcp].iter().filter(|&&s| s != NO_ID) {
                self.side.push((i, StreamKind::Tcp, s));
            }
            let udp_extra = if flags & FLAG_KIND_UDP != 0 {
                streams.udp.len().saturating_sub(1)
            } else {
                streams.udp.len()
            };
            for &s in streams.udp[..udp_extra].iter().filter(|&&s| s != NO_ID) {
                self.side.push((i, StreamKind::Udp, s));
            }
        }
        self.stream.push(stream);
        self.ip_conv.push(streams.ip_conv.unwrap_or(NO_ID));
        self.flags.push(flags);
    }

    /// The row of frame `number` (1-based).
    pub fn get(&self, number: u32) -> Option<IndexEntry> {
        let i = number.checked_sub(1)? as usize;
        let oc = self.resolve(self.offset_caplen.get(i)?)?;
        let caplen = (oc & u64::from(MAX_CAPLEN)) as u32;
        let excess = match self.resolve(self.wire_excess.get(i)?)? {
            u16::MAX => self
                .big_excess
                .binary_search_by_key(&(i as u32), |e| e.0)
                .map(|k| self.big_excess[k].1)
                .unwrap_or(u32::from(u16::MAX)),
            e => u32::from(e),
        };
        let interface_id = match self.resolve(self.interface.get(i)?)? {
            u16::MAX => self
                .big_interface
                .binary_search_by_key(&(i as u32), |e| e.0)
                .map(|k| self.big_interface[k].1)
                .unwrap_or(u32::from(u16::MAX)),
            v => u32::from(v),
        };
        let flags = self.flags.get(i)?;
        let kind = if flags & FLAG_KIND_TCP != 0 {
            StreamKind::Tcp
        } else if flags & FLAG_KIND_UDP != 0 {
            StreamKind::Udp
        } else {
            StreamKind::None
        };
        Some(IndexEntry {
            number,
            offset: oc >> 24,
            caplen,
            wire_len: caplen.saturating_add(excess),
            ts_ns: self.resolve(self.ts_ns.get(i)?)?,
            kind,
            stream: self.stream.get(i)?,
            dir: if flags & FLAG_DIR_B_TO_A != 0 {
                Direction::BtoA
            } else {
                Direction::AtoB
            },
            tcp_flags: flags & FLAG_TCP_MASK,
            ip_conv: match self.ip_conv.get(i)? {
                NO_ID => None,
                v => Some(v),
            },
            interface_id,
        })
    }

    /// Frame numbers whose innermost (or, for tunnels, any) stream of `kind` is `stream`, ascending.
    pub fn frames_of_stream(&self, kind: StreamKind, stream: u32) -> Vec<u32> {
        let want = match kind {
            StreamKind::Tcp => FLAG_KIND_TCP,
            StreamKind::Udp => FLAG_KIND_UDP,
            StreamKind::None => return Vec::new(),
        };
        let mut out: Vec<u32> = self
            .stream
            .iter()
            .zip(self.flags.iter())
            .enumerate()
            .filter(|(_, (s, f))| *s == stream && f & want != 0)
            .map(|(i, _)| i as u32 + 1)
            .collect();
        let before = out.len();
        out.extend(
            self.side
                .iter()
                .filter(|(_, k, s)| *k == kind && *s == stream)
                .map(|(i, _, _)| i + 1),
        );
        if out.len() != before {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// Frame numbers of IP conversation row `row`, ascending.
    pub fn frames_of_ip_conversation(&self, row: u32) -> Vec<u32> {
        self.ip_conv
            .iter()
            .enumerate()
            .filter(|(_, c)| *c == row)
            .map(|(i, _)| i as u32 + 1)
            .collect()
    }

    /// All stream ids of frame `number` of `kind` (outermost first), using the side table.
    pub fn streams_of_frame(&self, number: u32, kind: StreamKind) -> Vec<u32> {
        let Some(e) = self.get(number) else {
            return Vec::new();
        };
        let i = number - 1;
        let mut out: Vec<u32> = Vec::new();
        if self.flags.get(i as usize).unwrap_or(0) & FLAG_SIDE != 0 {
            let start = self.side.partition_point(|s| s.0 < i);
            out.extend(
                self.side[start..]
                    .iter()
                    .take_while(|s| s.0 == i)
                    .filter(|s| s.1 == kind)
                    .map(|s| s.2),
            );
        }
        if e.kind == kind {
            out.push(e.stream);
        }
        out
    }

    /// A value of a cold column: as stored, or read back from the cold store (None when that
    /// read fails).
    fn resolve<T: ColumnValue>(&self, slot: Slot<T>) -> Option<T> {
        match slot {
            Slot::Value(v) => Some(v),
            Slot::Cold(place) => self.cold.as_ref()?.lock().ok()?.value(place),
        }
    }

    /// From now on [`PacketIndex::spill_cold_columns`] moves full chunks of the cold columns to
    /// `store`. Ignored once something was spilled (the chunks stored so far stay readable).
    pub fn set_cold_store(&mut self, store: Box<dyn ColdStore>) {
        if self.spilled_bytes() == 0 {
            self.cold = Some(Mutex::new(ColdChunks::new(store)));
        }
    }

    /// True when a cold store was set.
    pub fn has_cold_store(&self) -> bool {
        self.cold.is_some()
    }

    /// Full chunks of the cold columns still in memory (what spilling would move).
    pub fn spillable_chunks(&self) -> usize {
        self.offset_caplen.full_resident_chunks()
            + self.ts_ns.full_resident_chunks()
            + self.wire_excess.full_resident_chunks()
            + self.interface.full_resident_chunks()
    }

    /// Moves every full chunk of the cold columns to the cold store. A chunk whose write fails
    /// stays in memory and the error is returned (nothing is lost); an error too when no store
    /// was set.
    pub fn spill_cold_columns(&mut self) -> io::Result<()> {
        let Some(cold) = self.cold.as_mut() else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no cold store was set",
            ));
        };
        let cold = cold
            .get_mut()
            .map_err(|_| io::Error::other("the cold store is unusable"))?;
        self.offset_caplen.spill_full_chunks(cold)?;
        self.ts_ns.spill_full_chunks(cold)?;
        self.wire_excess.spill_full_chunks(cold)?;
        self.interface.spill_full_chunks(cold)
    }

    /// Bytes of cold columns moved to the cold store (by length).
    pub fn spilled_bytes(&self) -> usize {
        self.offset_caplen.spilled_bytes()
            + self.ts_ns.spilled_bytes()
            + self.wire_excess.spilled_bytes()
            + self.interface.spilled_bytes()
    }

    /// Bytes of cold columns still in memory (by length; after spilling, the unfilled last
    /// chunk: fewer than `CHUNK_LEN` × 20 bytes).
    pub fn cold_resident_bytes(&self) -> usize {
        self.len()
            .saturating_mul(COLD_BYTES_PER_PACKET)
            .saturating_sub(self.spilled_bytes())
    }

    /// What [`PacketIndex::used_bytes`] counts minus what was spilled (O(1)).
    pub fn resident_used_bytes(&self) -> usize {
        self.used_bytes().saturating_sub(self.spilled_bytes())
    }

    /// The first failed read of a spilled chunk (rows then come back as None), if any.
    pub fn cold_read_error(&self) -> Option<String> {
        let cold = self.cold.as_ref()?.lock().ok()?;
        cold.read_error().map(str::to_string)
    }

    /// Most bytes the read cache of spilled chunks holds.
    pub const COLD_CACHE_BYTES: usize = CACHE_BYTES;

    /// Heap bytes used by the index columns, side tables and the read cache of spilled chunks.
    pub fn heap_bytes(&self) -> usize {
        let cache = self
            .cold
            .as_ref()
            .and_then(|c| c.lock().ok().map(|c| c.cache_bytes()))
            .unwrap_or(0);
        cache
            + self.offset_caplen.heap_bytes()
            + self.ts_ns.heap_bytes()
            + self.wire_excess.heap_bytes()
            + self.stream.heap_bytes()
            + self.ip_conv.heap_bytes()
            + self.flags.heap_bytes()
            + self.interface.heap_bytes()
            + self.big_excess.capacity() * 8
            + self.big_interface.capacity() * 8
            + self.side.capacity() * 12
    }

    /// Bytes the index's rows and side tables occupy (by length, not capacity; O(1)), spilled
    /// ones included.
    pub fn used_bytes(&self) -> usize {
        self.len()
            .saturating_mul(30)
            .saturating_add(self.big_excess.len().saturating_mul(8))
            .saturating_add(self.big_interface.len().saturating_mul(8))
            .saturating_add(self.side.len().saturating_mul(12))
    }

    /// Bytes per packet of the index proper (columns, side tables), by length not capacity.
    pub fn bytes_per_packet(&self) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        let used = self.len() * 30 + self.big_excess.len() * 8 + self.side.len() * 12;
        used as f64 / self.len() as f64
    }

    /// Frames whose offset (≥ 1 TiB) or captured length (≥ 16 MiB) did not fit.
    pub fn unaddressable(&self) -> u64 {
        self.unaddressable
    }
}
