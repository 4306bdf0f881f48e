//! The indexing pipeline: reader → decoder → stream table → index, fed chunk by chunk.
//!
//! [`Indexer`] is what both front ends drive: the CLI pushes file chunks, the page's worker pushes
//! `File` slices. It keeps only the compact index, the flow tables and the capture info; payload
//! bytes are read back from the file when a view asks for them.

use std::ops::ControlFlow;

use serde::Serialize;

use crate::capture::random_access::ByteSource;
use crate::capture::{CaptureError, CaptureInfo, CaptureReader, FrameMeta};
use crate::decode::{DecodedFrame, Decoder, Layer};
use crate::flow::{FlowTables, FrameStreams, StreamStats};
use crate::index::ColdStore;
use crate::index::{PacketIndex, StreamKind};
use crate::limits::{index_budget_message, index_budget_message_because, Budget};

/// Bytes per read of [`Pipeline::run_reader`] / [`Pipeline::run_source`].
pub const RUN_CHUNK: usize = 1 << 20;

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

impl Conversation {
    /// The row of table `kind` for the statistics `s` of one stream or address pair (`stream`:
    /// its number, None for IP rows; `ports`: false for IP rows); times are relative to `t0`, the
    /// capture's first timestamp (ns).
    pub fn from_stats(
        kind: ConvKind,
        stream: Option<u32>,
        s: &StreamStats,
        ports: bool,
        t0: i64,
    ) -> Self {
        Conversation {
            proto: kind,
            stream,
            addr_a: s.addr_a.to_string(),
            port_a: ports.then_some(s.port_a),
            addr_b: s.addr_b.to_string(),
            port_b: ports.then_some(s.port_b),
            frames_a_to_b: s.frames[0],
            bytes_a_to_b: s.bytes[0],
            frames_b_to_a: s.frames[1],
            bytes_b_to_a: s.bytes[1],
            frames: s.total_frames(),
            bytes: s.bytes[0].saturating_add(s.bytes[1]),
            rel_start: ns_to_secs(s.first_ts_ns.saturating_sub(t0)),
            duration: ns_to_secs(s.last_ts_ns.saturating_sub(s.first_ts_ns)),
            first_frame: s.first_frame,
            payload_a_to_b: s.payload[0],
            payload_b_to_a: s.payload[1],
        }
    }
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
    /// Why indexing stopped early although the input went on (a memory budget reached), with
    /// the packet and offset; what was indexed before stays usable.
    pub stopped: Option<String>,
    /// Bytes of index per packet.
    pub index_bytes_per_packet: f64,
    /// Bytes of the index's cold columns moved to the cold store because the index would have
    /// exceeded its budget (0: all in memory).
    pub index_spilled_bytes: u64,
}

/// Where one frame is in the capture and what the index knows of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FrameLocation {
    /// 1-based frame number.
    pub number: u32,
    /// Offset of the packet bytes in the (decompressed) capture stream.
    pub offset: u64,
    /// Captured length.
    pub caplen: u32,
    /// Wire length.
    pub wire_len: u32,
    /// Timestamp, epoch ns.
    pub ts_ns: i64,
    /// Link type of the frame's interface.
    pub linktype: u32,
    /// File-wide interface id.
    pub interface_id: u32,
}

/// One packet-list row, Wireshark style (decoded again from the frame's bytes).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketRow {
    /// 1-based frame number.
    pub number: u32,
    /// Timestamp, epoch ns.
    pub ts_ns: i64,
    /// Source column.
    pub source: String,
    /// Destination column.
    pub destination: String,
    /// Protocol column.
    pub protocol: String,
    /// Frame length.
    pub length: u32,
    /// Info column.
    pub info: String,
}

/// Everything known about one frame while the pipeline runs: what visitors (the indexer, `fields`,
/// matching) receive.
pub struct FrameContext<'a> {
    /// Container facts of the frame.
    pub meta: &'a FrameMeta,
    /// The decoded layers.
    pub frame: &'a DecodedFrame,
    /// The frame's captured bytes.
    pub data: &'a [u8],
    /// Stream ids per TCP/UDP layer.
    pub streams: &'a FrameStreams,
    /// When this frame completed an IP datagram: the reassembled payload the transport layers
    /// of `frame` point into.
    pub reassembled: Option<&'a [u8]>,
    /// Timestamp of the capture's first frame (for relative times).
    pub first_ts_ns: i64,
}

/// The streaming core shared by every front end: reader → decoder → flow tables, calling a visitor
/// per frame. Holds no packet bytes.
#[derive(Default)]
pub struct Pipeline {
    reader: CaptureReader,
    decoder: Decoder,
    flows: FlowTables,
    decoded: DecodedFrame,
    streams: FrameStreams,
    stats: RunStats,
}

/// Running totals of a pipeline.
#[derive(Clone, Debug, Default)]
struct RunStats {
    frames: u64,
    wire_bytes: u64,
    input_bytes: u64,
    first_ts_ns: Option<i64>,
    last_ts_ns: Option<i64>,
    linktypes: Vec<u32>,
    finished: bool,
    cancelled: bool,
    stopped: Option<String>,
    error: Option<CaptureError>,
}

impl Pipeline {
    /// A pipeline that detects the format from the first bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one chunk; `visit` is called for every complete frame.
    pub fn push<V: FnMut(&FrameContext)>(&mut self, chunk: &[u8], visit: &mut V) {
        self.push_until(chunk, &mut |ctx: &FrameContext| {
            visit(ctx);
            ControlFlow::Continue(())
        });
    }

    /// Feeds one chunk like [`Pipeline::push`]; when `visit` breaks with a reason, no later frame
    /// is decoded or counted, reading ends and the summary's `stopped` carries the reason.
    pub fn push_until<V: FnMut(&FrameContext) -> ControlFlow<String>>(
        &mut self,
        chunk: &[u8],
        visit: &mut V,
    ) {
        if self.stats.finished || self.stats.error.is_some() {
            return;
        }
        self.stats.input_bytes = self.stats.input_bytes.saturating_add(chunk.len() as u64);
        let Pipeline {
            reader,
            decoder,
            flows,
            decoded,
            streams,
            stats,
        } = self;
        let mut sink = |meta: &FrameMeta, data: &[u8]| {
            Self::frame(decoder, flows, decoded, streams, stats, meta, data, visit);
        };
        if let Err(e) = reader.push(chunk, &mut sink) {
            self.stats.error = Some(e);
        }
        if self.stats.stopped.is_some() {
            self.stats.finished = true;
        }
    }

    /// Feeds everything `reader` yields in [`RUN_CHUNK`] reads, then finishes; reading stops at
    /// the first capture error (kept in the pipeline). An I/O error of the reader is returned
    /// (interrupted reads are retried).
    pub fn run_reader<V: FnMut(&FrameContext)>(
        &mut self,
        reader: &mut dyn std::io::Read,
        visit: &mut V,
    ) -> std::io::Result<()> {
        let mut buf = vec![0u8; RUN_CHUNK];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.push(buf.get(..n).unwrap_or_default(), visit);
            if self.stats.error.is_some() {
                break;
            }
        }
        self.finish(visit);
        Ok(())
    }

    /// Feeds `source` from its first byte to its end in [`RUN_CHUNK`] reads, then finishes (see
    /// [`Pipeline::run_reader`]).
    pub fn run_source<V: FnMut(&FrameContext)>(
        &mut self,
        source: &mut dyn ByteSource,
        visit: &mut V,
    ) -> std::io::Result<()> {
        let mut buf = vec![0u8; RUN_CHUNK];
        let mut offset = 0u64;
        loop {
            let n = source.read_at(offset, &mut buf)?;
            let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                break;
            };
            self.push(chunk, visit);
            if self.stats.error.is_some() {
                break;
            }
            offset = offset.saturating_add(n as u64);
        }
        self.finish(visit);
        Ok(())
    }

    /// Ends the input; a record cut short becomes the pipeline's error.
    pub fn finish<V: FnMut(&FrameContext)>(&mut self, visit: &mut V) {
        self.finish_until(&mut |ctx: &FrameContext| {
            visit(ctx);
            ControlFlow::Continue(())
        });
    }

    /// Ends the input like [`Pipeline::finish`], with a visitor that may stop (see
    /// [`Pipeline::push_until`]).
    pub fn finish_until<V: FnMut(&FrameContext) -> ControlFlow<String>>(&mut self, visit: &mut V) {
        if self.stats.finished {
            return;
        }
        if self.stats.error.is_none() {
            let Pipeline {
                reader,
                decoder,
                flows,
                decoded,
                streams,
                stats,
            } = self;
            let mut sink = |meta: &FrameMeta, data: &[u8]| {
                Self::frame(decoder, flows, decoded, streams, stats, meta, data, visit);
            };
            if let Err(e) = reader.finish(&mut sink) {
                self.stats.error = Some(e);
            }
        }
        self.stats.finished = true;
    }

    /// Stops early, keeping what was read (the summary says `cancelled`).
    pub fn cancel(&mut self) {
        if !self.stats.finished {
            self.stats.cancelled = true;
            self.stats.finished = true;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn frame<V: FnMut(&FrameContext) -> ControlFlow<String>>(
        decoder: &mut Decoder,
        flows: &mut FlowTables,
        decoded: &mut DecodedFrame,
        streams: &mut FrameStreams,
        stats: &mut RunStats,
        meta: &FrameMeta,
        data: &[u8],
        visit: &mut V,
    ) {
        if stats.stopped.is_some() {
            return;
        }
        decoder.decode(meta, data, decoded);
        flows.observe(meta, decoded, streams);
        stats.frames += 1;
        stats.wire_bytes = stats.wire_bytes.saturating_add(u64::from(meta.wire_len));
        if meta.has_timestamp {
            if stats.first_ts_ns.is_none() {
                stats.first_ts_ns = Some(meta.ts_ns);
            }
            stats.last_ts_ns = Some(meta.ts_ns);
        }
        if !stats.linktypes.contains(&meta.linktype) {
            stats.linktypes.push(meta.linktype);
        }
        let ctx = FrameContext {
            meta,
            frame: decoded,
            data,
            streams,
            reassembled: decoder.reassembled_payload(),
            first_ts_ns: stats.first_ts_ns.unwrap_or(meta.ts_ns),
        };
        if let ControlFlow::Break(reason) = visit(&ctx) {
            stats.stopped = Some(reason);
        }
    }

    /// The flow tables built so far.
    pub fn flows(&self) -> &FlowTables {
        &self.flows
    }

    /// The capture reader (container facts, gzip index).
    pub fn reader(&self) -> &CaptureReader {
        &self.reader
    }

    /// The error that stopped reading, if any.
    pub fn error(&self) -> Option<&CaptureError> {
        self.stats.error.as_ref()
    }

    /// Frames read so far.
    pub fn frames(&self) -> u64 {
        self.stats.frames
    }

    /// Timestamp of the first frame.
    pub fn first_ts_ns(&self) -> Option<i64> {
        self.stats.first_ts_ns
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        Progress {
            bytes: self.stats.input_bytes,
            frames: self.stats.frames,
        }
    }

    /// The capture summary (index figure left at 0: the [`Indexer`] fills it).
    pub fn summary(&self) -> Summary {
        Summary {
            info: self.reader.info().clone(),
            frames: self.stats.frames,
            wire_bytes: self.stats.wire_bytes,
            first_ts_ns: self.stats.first_ts_ns,
            last_ts_ns: self.stats.last_ts_ns,
            linktypes: self.stats.linktypes.clone(),
            tcp_streams: self.flows.tcp.len() as u32,
            udp_streams: self.flows.udp.len() as u32,
            error: self.stats.error.as_ref().map(|e| e.to_string()),
            complete: self.stats.finished
                && !self.stats.cancelled
                && self.stats.stopped.is_none()
                && self.stats.error.is_none(),
            cancelled: self.stats.cancelled,
            stopped: self.stats.stopped.clone(),
            index_bytes_per_packet: 0.0,
            index_spilled_bytes: 0,
        }
    }

    /// A conversation table: TCP/UDP ordered by stream id, IP by first appearance. Streams that
    /// only ever appeared as an outer tunnel layer (never innermost) have no frames and are left out.
    pub fn conversations(&self, kind: ConvKind) -> Vec<Conversation> {
        let t0 = self.stats.first_ts_ns.unwrap_or(0);
        let row = |stream: Option<u32>, s: &StreamStats, ports: bool| {
            Conversation::from_stats(kind, stream, s, ports, t0)
        };
        match kind {
            ConvKind::Tcp => self
                .flows
                .tcp
                .streams()
                .iter()
                .enumerate()
                .filter(|(_, s)| s.stats.total_frames() > 0)
                .map(|(i, s)| row(Some(i as u32), &s.stats, true))
                .collect(),
            ConvKind::Udp => self
                .flows
                .udp
                .streams()
                .iter()
                .enumerate()
                .filter(|(_, s)| s.stats.total_frames() > 0)
                .map(|(i, s)| row(Some(i as u32), &s.stats, true))
                .collect(),
            ConvKind::Ip => self.flows.ip.rows().map(|s| row(None, s, false)).collect(),
        }
    }
}

/// The running totals of a finished, complete pipeline: what a saved index keeps of it
/// (`crate::index::persist`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SavedTotals {
    /// Frames read.
    pub frames: u64,
    /// Sum of wire lengths.
    pub wire_bytes: u64,
    /// Input bytes consumed.
    pub input_bytes: u64,
    /// First timestamp.
    pub first_ts_ns: Option<i64>,
    /// Last timestamp.
    pub last_ts_ns: Option<i64>,
    /// Distinct link types, in first-seen order.
    pub linktypes: Vec<u32>,
}

impl Pipeline {
    /// The totals, when the input was read whole without damage or cancellation (else None).
    pub(crate) fn saved_totals(&self) -> Option<SavedTotals> {
        let s = &self.stats;
        (s.finished && !s.cancelled && s.error.is_none() && s.stopped.is_none()).then(|| {
            SavedTotals {
                frames: s.frames,
                wire_bytes: s.wire_bytes,
                input_bytes: s.input_bytes,
                first_ts_ns: s.first_ts_ns,
                last_ts_ns: s.last_ts_ns,
                linktypes: s.linktypes.clone(),
            }
        })
    }

    /// A finished pipeline rebuilt from a saved index's parts.
    pub(crate) fn restored(reader: CaptureReader, flows: FlowTables, totals: SavedTotals) -> Self {
        Pipeline {
            reader,
            flows,
            stats: RunStats {
                frames: totals.frames,
                wire_bytes: totals.wire_bytes,
                input_bytes: totals.input_bytes,
                first_ts_ns: totals.first_ts_ns,
                last_ts_ns: totals.last_ts_ns,
                linktypes: totals.linktypes,
                finished: true,
                cancelled: false,
                error: None,
                stopped: None,
            },
            ..Pipeline::default()
        }
    }
}

fn ns_to_secs(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// Indexes a capture fed chunk by chunk. Contract for both front ends:
///
/// ```text
/// let mut ix = Indexer::new();
/// for chunk in file { ix.push(chunk) }   // progress() may be polled between pushes
/// ix.finish();                           // or ix.cancel() to stop early, keeping what was read
/// ix.summary(); ix.conversations(ConvKind::Tcp); ix.frames_of_stream(ConvKind::Tcp, 3);
/// ix.read_frame(7, &mut source)          // bytes of frame 7, read back from the file
/// ```
#[derive(Default)]
pub struct Indexer {
    pipeline: Pipeline,
    index: PacketIndex,
    /// Index budget, bytes (None: unbounded).
    budget: Option<u64>,
    /// Why no cold store could be set (said when the budget stops indexing).
    cold_unavailable: Option<String>,
    /// Highest TCP / UDP stream id and IP conversation row seen + 1 (flow table sizes).
    flow_rows: [u32; 3],
}

/// Estimated heap bytes per flow-table row (stream record, its hash-map entry at the map's load
/// factor, its statistics).
const FLOW_ROW_BYTES: u64 = 160;

/// Adds frame `ctx` to `index` and checks the budget: once the estimate of the index's resident
/// bytes + flow tables exceeds it, moves full chunks of the cold columns to the cold store (at most
/// once per chunk of packets), and breaks with the message when there is no store, its write
/// fails, or what must stay in memory exceeds the budget alone (the frame that crossed it is kept).
fn index_frame(
    index: &mut PacketIndex,
    flow_rows: &mut [u32; 3],
    budget: Option<u64>,
    cold_unavailable: Option<&str>,
    ctx: &FrameContext,
) -> ControlFlow<String> {
    index.push(ctx.meta, ctx.streams, innermost_tcp_flags(ctx.frame));
    let Some(budget) = budget else {
        return ControlFlow::Continue(());
    };
    let ids = [
        ctx.streams.tcp.iter().copied().max(),
        ctx.streams.udp.iter().copied().max(),
        ctx.streams.ip_conv,
    ];
    for (rows, id) in flow_rows.iter_mut().zip(ids) {
        if let Some(id) = id.filter(|&i| i != u32::MAX) {
            *rows = (*rows).max(id.saturating_add(1));
        }
    }
    let flows: u64 = flow_rows.iter().map(|&r| u64::from(r)).sum();
    let flow_bytes = flows.saturating_mul(FLOW_ROW_BYTES);
    let used = (index.resident_used_bytes() as u64).saturating_add(flow_bytes);
    if used <= budget {
        return ControlFlow::Continue(());
    }
    over_budget(index, flow_bytes, budget, cold_unavailable, ctx)
}

/// The index (with `flow_bytes` of flow tables) exceeds `budget`: spill or stop.
#[cold]
fn over_budget(
    index: &mut PacketIndex,
    flow_bytes: u64,
    budget: u64,
    cold_unavailable: Option<&str>,
    ctx: &FrameContext,
) -> ControlFlow<String> {
    let frame = u64::try_from(index.len()).unwrap_or(u64::MAX);
    let offset = ctx.meta.offset;
    if !index.has_cold_store() {
        return ControlFlow::Break(match cold_unavailable {
            Some(why) => index_budget_message_because(
                frame,
                offset,
                budget,
                &format!("and its cold columns could not move to local storage: {why}"),
            ),
            None => index_budget_message(frame, offset, budget),
        });
    }
    if index.spillable_chunks() > 0 {
        if let Err(e) = index.spill_cold_columns() {
            return ControlFlow::Break(index_budget_message_because(
                frame,
                offset,
                budget,
                &format!("and its cold columns could not move to local storage: {e}"),
            ));
        }
    }
    // What spilling cannot move: hot columns, side tables, flow tables (the cold columns' unfilled
    // last chunk moves once it is full).
    let pinned = (index.resident_used_bytes() as u64)
        .saturating_sub(index.cold_resident_bytes() as u64)
        .saturating_add(flow_bytes);
    if pinned > budget && index.spilled_bytes() == 0 {
        // Nothing could move yet (no full chunk): the budget is smaller than the flow tables.
        ControlFlow::Break(index_budget_message(frame, offset, budget))
    } else if pinned > budget {
        ControlFlow::Break(index_budget_message_because(
            frame,
            offset,
            budget,
            "with its cold columns already in local storage",
        ))
    } else {
        ControlFlow::Continue(())
    }
}

fn innermost_tcp_flags(frame: &DecodedFrame) -> u16 {
    frame
        .layers
        .iter()
        .rev()
        .find_map(|l| match l {
            Layer::Tcp(t) => Some(t.flags),
            _ => None,
        })
        .unwrap_or(0)
}

impl Indexer {
    /// An empty indexer; the format is detected from the first bytes pushed.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty indexer that stops cleanly when the index and flow tables reach
    /// `budget.index_bytes` (see [`Summary::stopped`]).
    pub fn with_budget(budget: &Budget) -> Self {
        Self {
            budget: Some(budget.index_bytes),
            ..Self::default()
        }
    }

    /// Past the budget, the index's cold columns (offsets, lengths, timestamps, interfaces) move
    /// to `store` instead of indexing stopping; they are read back through a cache of at most
    /// [`PacketIndex::COLD_CACHE_BYTES`]. Indexing then stops only when the store fails or what
    /// must stay in memory exceeds the budget alone. Set before the first push.
    pub fn set_cold_store(&mut self, store: Box<dyn ColdStore>) {
        self.index.set_cold_store(store);
        self.cold_unavailable = None;
    }

    /// No cold store can be had (e.g. `OPFS unavailable (file:// page)`): the message that stops
    /// indexing at the budget says so.
    pub fn set_cold_store_unavailable(&mut self, why: &str) {
        if !self.index.has_cold_store() {
            self.cold_unavailable = Some(why.to_string());
        }
    }

    /// Feeds the next chunk of the capture (any size). Damage stops reading; the error shows in
    /// [`Indexer::summary`] and later pushes are ignored.
    pub fn push(&mut self, chunk: &[u8]) {
        let (index, rows, budget) = (&mut self.index, &mut self.flow_rows, self.budget);
        let why = self.cold_unavailable.as_deref();
        self.pipeline.push_until(chunk, &mut |ctx: &FrameContext| {
            index_frame(index, rows, budget, why, ctx)
        });
    }

    /// Signals the end of input.
    pub fn finish(&mut self) {
        let (index, rows, budget) = (&mut self.index, &mut self.flow_rows, self.budget);
        let why = self.cold_unavailable.as_deref();
        self.pipeline
            .finish_until(&mut |ctx: &FrameContext| index_frame(index, rows, budget, why, ctx));
    }

    /// Stops early: what was indexed stays usable and the summary says `cancelled`.
    pub fn cancel(&mut self) {
        self.pipeline.cancel();
    }

    /// Bytes consumed and frames indexed so far.
    pub fn progress(&self) -> Progress {
        self.pipeline.progress()
    }

    /// The capture summary.
    pub fn summary(&self) -> Summary {
        let mut s = self.pipeline.summary();
        s.index_bytes_per_packet = self.index.bytes_per_packet();
        s.index_spilled_bytes = self.index.spilled_bytes() as u64;
        s
    }

    /// A conversation table, ordered by stream id (ip: by first frame).
    pub fn conversations(&self, kind: ConvKind) -> Vec<Conversation> {
        self.pipeline.conversations(kind)
    }

    /// Frame numbers of one TCP/UDP stream (for ip: the `n`-th row of the ip table), in order.
    pub fn frames_of_stream(&self, kind: ConvKind, stream: u32) -> Vec<u32> {
        match kind {
            ConvKind::Tcp => self.index.frames_of_stream(StreamKind::Tcp, stream),
            ConvKind::Udp => self.index.frames_of_stream(StreamKind::Udp, stream),
            ConvKind::Ip => self.index.frames_of_ip_conversation(stream),
        }
    }

    /// An indexer rebuilt from a saved index's parts (`crate::index::persist`).
    pub(crate) fn from_parts(pipeline: Pipeline, index: PacketIndex) -> Self {
        Indexer {
            pipeline,
            index,
            budget: None,
            cold_unavailable: None,
            flow_rows: [0; 3],
        }
    }

    /// The per-packet index.
    pub fn index(&self) -> &PacketIndex {
        &self.index
    }

    /// The underlying pipeline (flow tables, reader facts).
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Where frame `number` is.
    pub fn frame_location(&self, number: u32) -> Option<FrameLocation> {
        let e = self.index.get(number)?;
        let linktype = self
            .pipeline
            .reader()
            .info()
            .interfaces
            .get(e.interface_id as usize)
            .map(|i| i.linktype)
            .unwrap_or(0);
        Some(FrameLocation {
            number,
            offset: e.offset,
            caplen: e.caplen,
            wire_len: e.wire_len,
            ts_ns: e.ts_ns,
            linktype,
            interface_id: e.interface_id,
        })
    }

    /// Reads frame `number`'s bytes back from the capture (through gzip checkpoints if needed).
    pub fn read_frame(&self, number: u32, source: &mut dyn ByteSource) -> std::io::Result<Vec<u8>> {
        let loc = self.frame_location(number).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, format!("no frame {number}"))
        })?;
        crate::capture::random_access::read_packet(
            self.pipeline.reader(),
            loc.offset,
            loc.caplen,
            source,
        )
    }
}
