//! [`IndexedRun`]: runs an index-only or pre-selecting [`FilterPlan`] over an indexed capture,
//! reading back from the file only the frames it must decode, in batches the caller paces (for
//! progress and Cancel between them).
//!
//! - Index only: the matching frames come from the index at once; with tables wanted, the matching
//!   frames are read back and decoded to count the filtered conversation tables (they need each
//!   frame's TCP payload length and IP source, which the index does not keep).
//! - Pre-selection: the candidates come from the index; each is read back, decoded on its own and
//!   tested with the whole filter.
//!
//! Reads coalesce: candidates close together in the file are read as one span of at most
//! [`MAX_SPAN_BYTES`] (gaps up to [`MAX_GAP_BYTES`] are read through). A frame whose decoding
//! would depend on other frames (an IP fragment, or one completing a datagram), a record the
//! index cannot rebuild exactly (pcapng custom or journal blocks, a frame beyond the index's
//! addressable range, a capture where some frame may lack a timestamp) makes the run answer
//! [`RunState::NeedsFullPass`]: the caller then decodes the whole file in order instead.
//!
//! Memory bound: 4 bytes per candidate and per match, one read span (at most [`MAX_SPAN_BYTES`],
//! or one frame when a frame is larger), one decoded frame, one table row per conversation with
//! a match.

use std::io;

use super::plan::FilterPlan;
use super::{Filter, FrameView};
use crate::capture::random_access::{read_stream_exact, ByteSource};
use crate::capture::{CaptureFormat, FrameMeta};
use crate::decode::{DecodedFrame, Decoder, Layer};
use crate::fields::FieldContext;
use crate::flow::{udp_length_is_bogus, Direction, EndpointKey, FrameStreams, NO_STREAM};
use crate::index::{IndexEntry, StreamKind};
use crate::packet_view::{FilteredConversation, FilteredConversations};
use crate::pipeline::{ConvKind, FrameContext, Indexer};

/// Largest span read at once when candidates are close together.
pub const MAX_SPAN_BYTES: u64 = 16 << 20;
/// Largest gap between two candidates that is read through rather than skipped.
pub const MAX_GAP_BYTES: u64 = 256 << 10;

/// Where a run is after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Frames remain to be read back; call [`IndexedRun::step`] again.
    More,
    /// Finished: [`IndexedRun::matches`] and [`IndexedRun::conversations`] hold the answer.
    Done,
    /// This capture needs the full pass for this filter (see the module documentation).
    NeedsFullPass,
}

/// Why a run needs the full pass after all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FallbackReason {
    /// Some frame may lack a timestamp, or lies beyond the index's addressable range.
    NotRebuildable,
    /// A frame is not a packet of a known interface (pcapng custom or journal block).
    NotAPacket,
    /// A frame is an IP fragment or completes a datagram (its decoding needs the other
    /// fragments).
    IpFragment,
    /// The decoded layers disagree with the streams the index recorded (not expected).
    StreamMismatch,
    /// A read span did not hold a frame (not expected).
    ShortSpan,
}

/// One run of an index-only or pre-selecting plan.
pub struct IndexedRun {
    /// The filter tested on decoded candidates (None: index only, every candidate matches).
    full: Option<Filter>,
    /// Frames to read back, ascending.
    candidates: Vec<u32>,
    /// Candidates processed so far.
    next: usize,
    /// Matching frames, ascending.
    matches: Vec<u32>,
    /// Whether the filtered tables are wanted (index only without them reads nothing).
    with_tables: bool,
    tables: FilteredConversations,
    decoder: Decoder,
    decoded: DecodedFrame,
    streams: FrameStreams,
    decoded_frames: u64,
    /// Set once the run found it cannot answer.
    needs_full_pass: Option<FallbackReason>,
}

impl IndexedRun {
    /// Starts `plan` over `indexer`'s index; None for a full-pass plan. `with_tables`: also count
    /// the filtered conversation tables.
    pub fn new(plan: FilterPlan, indexer: &Indexer, with_tables: bool) -> Option<Self> {
        let index = indexer.index();
        let (full, candidates) = match plan {
            FilterPlan::IndexOnly(f) => (None, f.matching_frames(index)),
            FilterPlan::Preselect { candidates, full } => {
                (Some(full), candidates.matching_frames(index))
            }
            FilterPlan::FullPass { .. } => return None,
        };
        let matches = if full.is_none() {
            candidates.clone()
        } else {
            Vec::new()
        };
        let reads_back = full.is_some() || with_tables;
        let needs_full_pass = (reads_back && !candidates.is_empty() && !rebuilds_exactly(indexer))
            .then_some(FallbackReason::NotRebuildable);
        Some(IndexedRun {
            full,
            candidates,
            next: 0,
            matches,
            with_tables,
            tables: FilteredConversations::new(),
            decoder: Decoder::new(),
            decoded: DecodedFrame::default(),
            streams: FrameStreams::default(),
            decoded_frames: 0,
            needs_full_pass,
        })
    }

    /// "index" or "preselect".
    pub fn path(&self) -> &'static str {
        if self.full.is_some() {
            "preselect"
        } else {
            "index"
        }
    }

    /// Number of frames this run reads back (0 for index only without tables).
    pub fn to_read(&self) -> usize {
        if self.full.is_some() || self.with_tables {
            self.candidates.len()
        } else {
            0
        }
    }

    /// Frames read back so far.
    pub fn read(&self) -> usize {
        self.next.min(self.to_read())
    }

    /// Frames decoded so far.
    pub fn decoded_frames(&self) -> u64 {
        self.decoded_frames
    }

    /// Why the run needs the full pass, once it answered [`RunState::NeedsFullPass`].
    pub fn fallback(&self) -> Option<FallbackReason> {
        self.needs_full_pass
    }

    /// The matching frames, ascending (complete once [`RunState::Done`] was returned).
    pub fn matches(&self) -> &[u32] {
        &self.matches
    }

    /// Reads back and decodes up to `max_frames` more frames from `source` (the capture file
    /// `indexer` indexed).
    pub fn step(
        &mut self,
        indexer: &Indexer,
        source: &mut dyn ByteSource,
        max_frames: usize,
    ) -> io::Result<RunState> {
        if self.needs_full_pass.is_some() {
            return Ok(RunState::NeedsFullPass);
        }
        let total = self.to_read();
        let end = self.next.saturating_add(max_frames.max(1)).min(total);
        let gzip = indexer.pipeline().reader().gzip_index();
        let mut span: Vec<u8> = Vec::new();
        while self.next < end {
            // One span: the next candidate and those after it close enough to read through.
            let group = self.span_group(indexer, end);
            let first = group.first().map(|e| e.offset);
            let last_end = group
                .last()
                .map(|e| e.offset.saturating_add(e.caplen.into()));
            let (Some(start), Some(stop)) = (first, last_end) else {
                self.needs_full_pass = Some(FallbackReason::ShortSpan);
                return Ok(RunState::NeedsFullPass);
            };
            let len = usize::try_from(stop.saturating_sub(start)).unwrap_or(usize::MAX);
            span.clear();
            span.resize(len, 0);
            read_stream_exact(source, gzip, start, &mut span)?;
            for entry in &group {
                let from = entry
                    .offset
                    .checked_sub(start)
                    .and_then(|d| usize::try_from(d).ok())
                    .unwrap_or(usize::MAX);
                let to = from.saturating_add(entry.caplen as usize);
                let Some(data) = span.get(from..to) else {
                    self.needs_full_pass = Some(FallbackReason::ShortSpan);
                    return Ok(RunState::NeedsFullPass);
                };
                if let Err(reason) = self.visit(indexer, entry, data) {
                    self.needs_full_pass = Some(reason);
                    return Ok(RunState::NeedsFullPass);
                }
                self.next += 1;
            }
        }
        Ok(if self.next >= total {
            RunState::Done
        } else {
            RunState::More
        })
    }

    /// The index rows of the candidates from `self.next` (before `end`) that one read covers.
    fn span_group(&self, indexer: &Indexer, end: usize) -> Vec<IndexEntry> {
        let index = indexer.index();
        let mut group: Vec<IndexEntry> = Vec::new();
        let mut span_start = 0u64;
        let mut span_end = 0u64;
        for &number in self.candidates.get(self.next..end).unwrap_or(&[]) {
            let Some(e) = index.get(number) else { break };
            let e_end = e.offset.saturating_add(e.caplen.into());
            if group.is_empty() {
                span_start = e.offset;
                span_end = e_end;
                group.push(e);
                continue;
            }
            // Frames must follow in the file (never overlap or go back) and stay close.
            let close = e.offset >= span_end
                && e.offset - span_end <= MAX_GAP_BYTES
                && e_end.saturating_sub(span_start) <= MAX_SPAN_BYTES;
            if !close {
                break;
            }
            span_end = e_end;
            group.push(e);
        }
        group
    }

    /// Decodes one read-back frame, tests it and counts it; why not when it cannot be answered
    /// on its own.
    fn visit(
        &mut self,
        indexer: &Indexer,
        entry: &IndexEntry,
        data: &[u8],
    ) -> Result<(), FallbackReason> {
        let meta = rebuilt_meta(indexer, entry).ok_or(FallbackReason::NotAPacket)?;
        self.decoder.decode(&meta, data, &mut self.decoded);
        self.decoded_frames += 1;
        if self.decoder.pending_fragment_bytes() > 0 || self.decoder.reassembled_payload().is_some()
        {
            return Err(FallbackReason::IpFragment);
        }
        if !rebuild_streams(indexer, entry, &self.decoded, &mut self.streams) {
            return Err(FallbackReason::StreamMismatch);
        }
        let first_ts_ns = indexer.pipeline().first_ts_ns().unwrap_or(0);
        let matched = match &self.full {
            None => true,
            Some(filter) => {
                let view = FrameView {
                    fields: FieldContext {
                        meta: &meta,
                        frame: &self.decoded,
                        data,
                        tcp_streams: &self.streams.tcp,
                        udp_streams: &self.streams.udp,
                        first_ts_ns,
                        has_interfaces: meta.pcapng,
                    },
                    reassembled: None,
                    tcp_analysis: &[],
                };
                filter.matches(&view)
            }
        };
        if matched {
            if self.full.is_some() {
                self.matches.push(entry.number);
            }
            if self.with_tables {
                self.tables.observe(&FrameContext {
                    meta: &meta,
                    frame: &self.decoded,
                    data,
                    streams: &self.streams,
                    reassembled: None,
                    first_ts_ns,
                });
            }
        }
        Ok(())
    }

    /// The filtered conversation table of `kind` over the matching frames (empty without tables).
    pub fn conversations(&self, indexer: &Indexer, kind: ConvKind) -> Vec<FilteredConversation> {
        let full = match kind {
            ConvKind::Ip => indexer.conversations(ConvKind::Ip),
            _ => Vec::new(),
        };
        let first = indexer.pipeline().first_ts_ns().unwrap_or(0);
        self.tables.conversations(kind, &full, first)
    }
}

/// Whether frames read back can be rebuilt exactly as the indexing pass saw them: every frame is
/// addressable (and a compressed capture kept its inflate checkpoints) and has a timestamp (Simple Packet Blocks index as time 0, so a frame at time 0
/// counts as possibly untimed).
fn rebuilds_exactly(indexer: &Indexer) -> bool {
    let index = indexer.index();
    if index.unaddressable() > 0 {
        return false;
    }
    // A compressed capture is read through its inflate checkpoints; without them, not at all.
    let reader = indexer.pipeline().reader();
    if reader.info().gzip && reader.gzip_index().is_none() {
        return false;
    }
    every_frame_timestamped(indexer)
}

/// False when some indexed frame may lack a timestamp (its time is 0, as Simple Packet Blocks
/// index).
pub fn every_frame_timestamped(indexer: &Indexer) -> bool {
    let index = indexer.index();
    let count = u32::try_from(index.len()).unwrap_or(u32::MAX);
    (1..=count).all(|n| index.get(n).is_some_and(|e| e.ts_ns != 0))
}

/// Frame `entry`'s record facts as the indexing pass had them; None for a record that is not a
/// packet of a known interface (custom / journal blocks), which the index cannot rebuild.
fn rebuilt_meta(indexer: &Indexer, entry: &IndexEntry) -> Option<FrameMeta> {
    let info = indexer.pipeline().reader().info();
    let interface = info.interfaces.get(entry.interface_id as usize)?;
    // The id within its section: the file-wide id minus the section's first interface's id.
    let section_first = info
        .interfaces
        .iter()
        .find(|i| i.section == interface.section)
        .map_or(interface.id, |i| i.id);
    Some(FrameMeta {
        number: entry.number,
        ts_ns: entry.ts_ns,
        has_timestamp: true,
        ts_frac_ns: i32::try_from(entry.ts_ns.rem_euclid(1_000_000_000)).unwrap_or(0),
        caplen: entry.caplen,
        wire_len: entry.wire_len,
        offset: entry.offset,
        interface_id: entry.interface_id,
        section_interface_id: interface.id.saturating_sub(section_first),
        linktype: interface.linktype,
        pcapng: info.format == CaptureFormat::Pcapng,
        ..FrameMeta::default()
    })
}

/// The stream ids of a read-back frame's TCP/UDP layers as the flow tables assigned them (from
/// the index), with the innermost layers' directions; false when the index disagrees with the
/// decoded layers.
fn rebuild_streams(
    indexer: &Indexer,
    entry: &IndexEntry,
    frame: &DecodedFrame,
    out: &mut FrameStreams,
) -> bool {
    out.clear();
    let index = indexer.index();
    let tcp_ids = index.streams_of_frame(entry.number, StreamKind::Tcp);
    let udp_ids = index.streams_of_frame(entry.number, StreamKind::Udp);
    let (mut tcp_next, mut udp_next) = (tcp_ids.iter(), udp_ids.iter());
    let (last_tcp, last_udp) = frame.innermost_transport();
    for (i, layer) in frame.layers.iter().enumerate() {
        match layer {
            Layer::Tcp(_) => {
                let Some(&id) = tcp_next.next() else {
                    return false;
                };
                out.tcp.push(id);
                if Some(i) == last_tcp {
                    if entry.kind != StreamKind::Tcp || entry.stream != id {
                        return false;
                    }
                    out.tcp_dir = Some(entry.dir);
                }
            }
            Layer::Udp(u) if udp_length_is_bogus(u) => out.udp.push(NO_STREAM),
            Layer::Udp(u) => {
                let Some(&id) = udp_next.next() else {
                    return false;
                };
                out.udp.push(id);
                if Some(i) == last_udp {
                    let dir = if entry.kind == StreamKind::Udp && entry.stream == id {
                        Some(entry.dir)
                    } else {
                        udp_direction(indexer, id, u)
                    };
                    let Some(dir) = dir else {
                        return false;
                    };
                    out.udp_dir = Some(dir);
                }
            }
            _ => {}
        }
    }
    out.ip_conv = entry.ip_conv;
    tcp_next.next().is_none() && udp_next.next().is_none()
}

/// The direction of UDP layer `u` within stream `id`, as the UDP stream table decides it.
fn udp_direction(indexer: &Indexer, id: u32, u: &crate::decode::UdpLayer) -> Option<Direction> {
    let stream = indexer.pipeline().flows().udp.streams().get(id as usize)?;
    let (_, lo_to_hi) = EndpointKey::new(u.src, u.src_port, u.dst, u.dst_port);
    Some(if lo_to_hi == stream.a_is_lo {
        Direction::AtoB
    } else {
        Direction::BtoA
    })
}
