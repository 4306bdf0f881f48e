//! Column storage of the per-packet index and its accessors.

use super::chunked_column::ChunkedColumn;
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

/// The per-packet index of one capture.
#[derive(Default)]
pub struct PacketIndex {
    pub(super) offset_caplen: ChunkedColumn<u64>,
    pub(super) ts_ns: ChunkedColumn<i64>,
    pub(super) wire_excess: ChunkedColumn<u16>,
    pub(super) stream: ChunkedColumn<u32>,
    pub(super) ip_conv: ChunkedColumn<u32>,
    pub(super) flags: ChunkedColumn<u16>,
    pub(super) interface: ChunkedColumn<u16>,
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
        self.ts_ns.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ts_ns.is_empty()
    }

    /// Appends frame `meta` with the streams the flow tables assigned it, and the TCP flags of its
    /// innermost TCP layer.
    pub fn push(&mut self, meta: &FrameMeta, streams: &FrameStreams, tcp_flags: u16) {
        let i = self.ts_ns.len() as u32;
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
        let oc = self.offset_caplen.get(i)?;
        let caplen = (oc & u64::from(MAX_CAPLEN)) as u32;
        let excess = match self.wire_excess.get(i)? {
            u16::MAX => self
                .big_excess
                .binary_search_by_key(&(i as u32), |e| e.0)
                .map(|k| self.big_excess[k].1)
                .unwrap_or(u32::from(u16::MAX)),
            e => u32::from(e),
        };
        let interface_id = match self.interface.get(i)? {
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
            ts_ns: self.ts_ns.get(i)?,
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

    /// Heap bytes used by the index columns and side tables.
    pub fn heap_bytes(&self) -> usize {
        self.offset_caplen.heap_bytes()
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

    /// Bytes the index's rows and side tables occupy (by length, not capacity; O(1)): what the
    /// index budget counts.
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
