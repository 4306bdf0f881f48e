//! tshark 4.0's TCP sequence-number analysis (`tcp.analysis.*`), frame by frame.
//!
//! This follows `tcp_analyze_sequence_number()` in Wireshark's `epan/dissectors/packet-tcp.c`
//! (4.0 branch) step by step, with the same state per conversation direction (next expected
//! sequence number, highest contiguous sequence to be acked, last ACK and window, duplicate-ACK
//! counter, the list of unacknowledged segments) and the same order of tests, including its `goto`s:
//! zero-window probe, zero window, lost segment, keep-alive, window update, window full,
//! keep-alive ACK, zero-window-probe ACK, duplicate ACK, ACKed unseen segment, then
//! fast retransmission / out-of-order / spurious retransmission / retransmission, then the ACK
//! bookkeeping (ACK RTT, bytes in flight). Window-scale options and the handshake RTT are taken
//! into account after the analysis of the frame that carries them, as tshark does.
//!
//! Like `tshark -2`, a frame's result depends only on the frames before it (the analysis runs in the
//! first pass), so the analyzer streams. tshark does not analyze TCP headers quoted inside ICMP
//! errors; neither does this.
//!
//! Memory: per stream two small direction states plus at most [`MAX_UNACKED_SEGMENTS`]
//! unacknowledged segments per direction (tshark's `TCP_MAX_UNACKED_SEGMENTS`).

use rustc_hash::FxHashMap;

use super::analysis_flags::AnalysisFlags;
use super::tcp_layers::tcp_layers;
use crate::decode::TcpLayer;
use crate::flow::{EndpointKey, NO_STREAM};
use crate::pipeline::FrameContext;

const TH_FIN: u16 = 0x001;
const TH_SYN: u16 = 0x002;
const TH_RST: u16 = 0x004;
const TH_ACK: u16 = 0x010;

/// Unacknowledged segments kept per direction (tshark's `TCP_MAX_UNACKED_SEGMENTS`).
pub const MAX_UNACKED_SEGMENTS: usize = 10_000;

/// Out-of-order threshold before the handshake RTT is known (tshark: 3 ms).
const DEFAULT_OOO_THRESHOLD_NS: u64 = 3_000_000;
/// A fast retransmission must follow the duplicate ACKs within 20 ms.
const FAST_RETRANSMISSION_WINDOW_NS: u64 = 20_000_000;

/// `GT_SEQ(a, b)`: a is after b in sequence space.
fn gt_seq(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) < 0
}

/// `LT_SEQ(a, b)`.
fn lt_seq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// `LE_SEQ(a, b)`.
fn le_seq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) <= 0
}

/// Elapsed time as tshark computes it for its thresholds: an unsigned difference, so a clock that
/// went backwards (or a time never set) gives a huge value.
fn elapsed_ns(now: i64, then: i64) -> u64 {
    now.wrapping_sub(then) as u64
}

/// The analysis result of one TCP layer of one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpAnalysis {
    /// `tcp.stream` of the layer.
    pub stream: u32,
    /// Expert flags.
    pub flags: AnalysisFlags,
    /// Relative sequence number (`tcp.seq`).
    pub rel_seq: u32,
    /// Relative acknowledgement number (`tcp.ack`) when the ACK flag is set.
    pub rel_ack: Option<u32>,
    /// Relative sequence number of the next byte (`tcp.nxtseq`), when the segment has a length.
    pub rel_nxtseq: Option<u32>,
    /// The frame this segment acknowledges (`tcp.analysis.acks_frame`).
    pub acks_frame: Option<u32>,
    /// Time since the acknowledged segment (`tcp.analysis.ack_rtt`), ns; tshark shows it only when
    /// non-zero.
    pub ack_rtt_ns: Option<i64>,
    /// Unacknowledged bytes after this segment (`tcp.analysis.bytes_in_flight`).
    pub bytes_in_flight: Option<u32>,
    /// Duplicate-ACK number (`tcp.analysis.duplicate_ack_num`), 0 when not a duplicate ACK.
    pub dup_ack_num: u32,
    /// The last non-duplicate ACK frame (`tcp.analysis.duplicate_ack_frame`).
    pub dup_ack_frame: u32,
    /// For a plain retransmission: time since the original (`tcp.analysis.rto`), ns.
    pub rto_ns: Option<i64>,
    /// For a plain retransmission: the frame of the original (`tcp.analysis.rto_frame`).
    pub rto_frame: Option<u32>,
    /// Window size after scaling (`tcp.window_size`).
    pub window_size: u32,
    /// tshark created its per-segment analysis record (a flag, an acknowledged frame or bytes in
    /// flight): only then does it show the stream's `tcp.analysis.initial_rtt` on the frame.
    pub has_record: bool,
    /// The segment's direction in tshark's orientation of the conversation (0 or 1).
    pub flow: u8,
}

/// The analysis of one TCP layer of a frame: `None` when tshark does not analyze it (a TCP
/// header quoted in an ICMP error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerAnalysis {
    /// The layer's raw header values (for fields printed raw when unanalyzed).
    pub raw_seq: u32,
    /// Raw acknowledgement number.
    pub raw_ack: u32,
    /// TCP flags.
    pub tcp_flags: u16,
    /// Raw window field.
    pub raw_window: u16,
    /// Payload length (`tcp.len`).
    pub payload_len: u32,
    /// The analysis, when the layer was analyzed.
    pub analysis: Option<TcpAnalysis>,
}

/// One not-yet-acknowledged segment (`tcp_unacked_t`).
#[derive(Clone, Copy, Debug)]
struct Unacked {
    frame: u32,
    seq: u32,
    nextseq: u32,
    ts_ns: i64,
}

/// Window-scale knowledge of one direction (tshark's `win_scale`: -1 unknown, -2 not used).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WindowScale {
    Unknown,
    NotUsed,
    Shift(u8),
}

/// One direction of a conversation (`tcp_flow_t` plus its `tcp_analyze_seq_info`).
#[derive(Clone, Debug)]
struct FlowState {
    base_seq: Option<u32>,
    nextseq: u32,
    nextseq_frame: u32,
    nextseq_ts: i64,
    maxseqtobeacked: u32,
    lastack: u32,
    lastack_ts: i64,
    lastnondupack: u32,
    /// Duplicate-ACK counter; -1 after an "ACKed unseen segment" was reported for the other side.
    dupacknum: i32,
    window: u32,
    /// The stored window came from a SYN segment (never scaled).
    window_from_syn: bool,
    win_scale: WindowScale,
    lastsegmentflags: AnalysisFlags,
    valid_bif: bool,
    /// Oldest first (tshark keeps a list newest first).
    segments: Vec<Unacked>,
    /// SACK blocks of this direction's latest segment (see [`SackBlocks`]).
    sack: SackBlocks,
}

impl Default for FlowState {
    fn default() -> Self {
        FlowState {
            base_seq: None,
            nextseq: 0,
            nextseq_frame: 0,
            nextseq_ts: 0,
            maxseqtobeacked: 0,
            lastack: 0,
            lastack_ts: 0,
            lastnondupack: 0,
            dupacknum: 0,
            window: u32::MAX,
            window_from_syn: false,
            win_scale: WindowScale::Unknown,
            lastsegmentflags: AnalysisFlags::empty(),
            valid_bif: true,
            segments: Vec::new(),
            sack: SackBlocks::default(),
        }
    }
}

impl FlowState {
    fn scale_shift(&self) -> u32 {
        match self.win_scale {
            WindowScale::Shift(s) => u32::from(s),
            _ => 0,
        }
    }
}

/// Analysis state of one TCP stream (`struct tcp_analysis`).
#[derive(Clone, Debug, Default)]
struct StreamState {
    /// [flow1, flow2] in tshark's orientation (flow1: packets whose source sorts higher).
    flows: [FlowState; 2],
    /// Time of the most recent pure SYN (0 = none).
    ts_mru_syn: i64,
    /// Handshake RTT (SYN → first pure ACK), 0 while unknown.
    ts_first_rtt: i64,
}

/// One TCP segment as the analysis sees it.
#[derive(Clone, Copy, Debug)]
pub struct SegmentInput<'a> {
    /// Frame number.
    pub frame: u32,
    /// Frame timestamp, epoch ns.
    pub ts_ns: i64,
    /// `tcp.stream`.
    pub stream: u32,
    /// The TCP header and payload length.
    pub tcp: TcpLayer,
    /// The SACK blocks of the header's SACK option, if any (raw edges, option order).
    pub sack: &'a [(u32, u32)],
}

/// The streaming TCP analyzer of one capture: feed every frame in order.
#[derive(Default)]
pub struct TcpAnalyzer {
    /// Keyed by `tcp.stream` (a map, so that any id a caller passes costs one entry).
    streams: FxHashMap<u32, Box<StreamState>>,
    latest_stream_of_key: FxHashMap<EndpointKey, u32>,
}

/// Index of the direction of a packet from `src:sport` to `dst:dport` (tshark's
/// `get_tcp_conversation_data`: flow1 when the source address sorts after the destination, or the
/// addresses are equal and the source port is greater).
fn flow_index(t: &TcpLayer) -> usize {
    let (_, lo_to_hi) = EndpointKey::new(t.src, t.src_port, t.dst, t.dst_port);
    usize::from(lo_to_hi)
}

impl TcpAnalyzer {
    /// An analyzer with no streams.
    pub fn new() -> Self {
        Self::default()
    }

    /// Analyzes every TCP layer of a frame (outermost first), appending one entry per TCP layer to
    /// `out` (cleared first). The layers' stream ids come from `ctx.streams.tcp`.
    pub fn analyze_frame(&mut self, ctx: &FrameContext, out: &mut Vec<LayerAnalysis>) {
        out.clear();
        let mut sack = Vec::new();
        for layer in tcp_layers(ctx) {
            let t = layer.tcp;
            let stream = Some(layer.stream).filter(|&s| s != NO_STREAM);
            let analysis = match stream {
                Some(stream) if !t.in_error => {
                    layer.sack_blocks(&mut sack);
                    Some(self.analyze(&SegmentInput {
                        frame: ctx.meta.number,
                        ts_ns: ctx.meta.ts_ns,
                        stream,
                        tcp: *t,
                        sack: &sack,
                    }))
                }
                Some(stream) => {
                    self.note_stream(stream, t);
                    None
                }
                None => None,
            };
            out.push(LayerAnalysis {
                raw_seq: t.seq,
                raw_ack: t.ack,
                raw_window: t.window,
                payload_len: t.payload_len,
                tcp_flags: t.flags,
                analysis,
            });
        }
    }

    /// Records which stream an address/port pair maps to now, and whether `stream` is new for it
    /// (then a pure SYN started a new conversation on reused ports).
    fn note_stream(&mut self, stream: u32, t: &TcpLayer) -> bool {
        let (key, _) = EndpointKey::new(t.src, t.src_port, t.dst, t.dst_port);
        let previous = self.latest_stream_of_key.insert(key, stream);
        matches!(previous, Some(p) if p != stream)
    }

    fn state(&mut self, stream: u32) -> &mut StreamState {
        self.streams.entry(stream).or_default()
    }

    /// A snapshot of the final per-stream base sequence numbers and window scales, to redo the
    /// relative numbers and scaled windows of a second pass as `tshark -2` prints them: see
    /// [`TcpDisplayPass`].
    pub fn display_pass(&self) -> TcpDisplayPass {
        TcpDisplayPass {
            streams: self
                .streams
                .iter()
                .map(|(&id, s)| {
                    (
                        id,
                        DisplayState {
                            base: [s.flows[0].base_seq, s.flows[1].base_seq],
                            scale: [s.flows[0].win_scale, s.flows[1].win_scale],
                        },
                    )
                })
                .collect(),
        }
    }

    /// Handshake RTT of `stream` (tshark's `tcp.analysis.initial_rtt`), once known.
    pub fn initial_rtt_ns(&self, stream: u32) -> Option<i64> {
        self.streams
            .get(&stream)
            .map(|s| s.ts_first_rtt)
            .filter(|&t| t != 0)
    }

    /// Analyzes one TCP segment (not quoted in an ICMP error) of stream `seg.stream`.
    pub fn analyze(&mut self, seg: &SegmentInput<'_>) -> TcpAnalysis {
        let t = &seg.tcp;
        let flags = t.flags;
        let pure_syn = flags & (TH_SYN | TH_ACK) == TH_SYN;
        let new_conversation = self.note_stream(seg.stream, t);
        let fwd_i = flow_index(t);
        let rev_i = 1 - fwd_i;
        let st = self.state(seg.stream);
        let mut ta = TcpAnalysis {
            stream: seg.stream,
            flow: fwd_i as u8,
            ..TcpAnalysis::default()
        };

        // Ports reused (dissect_tcp, before the analysis): a pure SYN that opened a new
        // conversation for an existing address/port pair, or a SYN/ACK whose ISN differs from the
        // base sequence already recorded for its direction (which then takes the new ISN).
        // dissect_tcp's port-reuse test on a pure SYN whose direction already has a base sequence
        // number creates the analysis record even when the ISN matches (a retransmitted SYN, or a
        // SYN captured after its SYN/ACK): the frame then shows `initial_rtt`.
        if pure_syn && st.flows[fwd_i].base_seq.is_some() {
            ta.has_record = true;
        }
        if pure_syn && new_conversation {
            ta.flags.insert(AnalysisFlags::REUSED_PORTS);
        }
        if flags & (TH_SYN | TH_ACK) == (TH_SYN | TH_ACK) {
            if let Some(base) = st.flows[fwd_i].base_seq {
                if base != t.seq {
                    // The SYN/ACK of a new session: its ISN becomes the direction's base.
                    ta.flags.insert(AnalysisFlags::REUSED_PORTS);
                    st.flows[fwd_i].base_seq = Some(t.seq);
                }
            }
        }

        analyze_sequence_number(st, fwd_i, rev_i, seg, &mut ta);
        ta.has_record |= !ta.flags.is_empty();

        // Relative numbers (after the analysis set the bases).
        let fwd_base = st.flows[fwd_i].base_seq.unwrap_or(0);
        ta.rel_seq = t.seq.wrapping_sub(fwd_base);
        if flags & TH_ACK != 0 {
            ta.rel_ack = Some(t.ack.wrapping_sub(st.flows[rev_i].base_seq.unwrap_or(0)));
        }
        if t.payload_len != 0 {
            ta.rel_nxtseq = Some(ta.rel_seq.wrapping_add(t.payload_len));
        }

        // Window scaling applies to every non-SYN segment of a direction whose shift is known.
        ta.window_size = u32::from(t.window);
        if flags & TH_SYN == 0 {
            if let WindowScale::Shift(s) = st.flows[fwd_i].win_scale {
                ta.window_size = ta.window_size.wrapping_shl(u32::from(s));
            }
        }

        st.flows[fwd_i].sack = SackBlocks::default();
        st.flows[fwd_i].sack.store(seg.sack);
        // SYN bookkeeping after the analysis (option dissection, verify_tcp_window_scaling, the
        // SYN timestamp and the handshake RTT), in tshark's order.
        if let Some(shift) = t.options.window_scale {
            st.flows[fwd_i].win_scale = WindowScale::Shift(shift.min(14));
        }
        if flags & TH_SYN != 0 {
            if st.flows[fwd_i].win_scale == WindowScale::Unknown {
                st.flows[fwd_i].win_scale = WindowScale::NotUsed;
                st.flows[rev_i].win_scale = WindowScale::NotUsed;
            } else if flags & TH_ACK != 0 && st.flows[rev_i].win_scale == WindowScale::NotUsed {
                st.flows[fwd_i].win_scale = WindowScale::NotUsed;
            }
            if flags & TH_ACK == 0 {
                st.ts_mru_syn = seg.ts_ns;
            }
        }
        if flags & (TH_SYN | TH_ACK) == TH_ACK && st.ts_mru_syn != 0 && st.ts_first_rtt == 0 {
            st.ts_first_rtt = seg.ts_ns.wrapping_sub(st.ts_mru_syn);
        }
        ta
    }
}

/// The body of `tcp_analyze_sequence_number()` for one segment.
fn analyze_sequence_number(
    st: &mut StreamState,
    fwd_i: usize,
    rev_i: usize,
    seg: &SegmentInput,
    ta: &mut TcpAnalysis,
) {
    let t = &seg.tcp;
    let (seq, ack, seglen, flags) = (t.seq, t.ack, t.payload_len, t.flags);
    let window = u32::from(t.window);
    let now = seg.ts_ns;
    let ooo_threshold = if st.ts_first_rtt == 0 {
        DEFAULT_OOO_THRESHOLD_NS
    } else {
        st.ts_first_rtt as u64
    };
    let [f0, f1] = &mut st.flows;
    let (fwd, rev) = if fwd_i == 0 { (f0, f1) } else { (f1, f0) };
    debug_assert_eq!(rev_i, 1 - fwd_i);

    if fwd.base_seq.is_none() {
        fwd.base_seq = Some(if flags & TH_SYN != 0 {
            seq
        } else {
            seq.wrapping_sub(1)
        });
    }
    if rev.base_seq.is_none() && flags & TH_ACK != 0 {
        rev.base_seq = Some(ack.wrapping_sub(1));
    }
    if flags & TH_ACK != 0 {
        rev.valid_bif = true;
    }
    let no_syn_fin_rst = flags & (TH_SYN | TH_FIN | TH_RST) == 0;

    // The tests up to tshark's `finished_fwd` label; a `goto finished_fwd` is a `break`.
    #[allow(clippy::never_loop)]
    loop {
        // ZERO WINDOW PROBE: exactly one byte at the next expected sequence number while the
        // other side advertises a zero window.
        if seglen == 1 && seq == fwd.nextseq && rev.window == 0 {
            ta.flags.insert(AnalysisFlags::ZERO_WINDOW_PROBE);
            break;
        }
        // ZERO WINDOW.
        if window == 0 && flags & (TH_RST | TH_FIN | TH_SYN) == 0 {
            ta.flags.insert(AnalysisFlags::ZERO_WINDOW);
        }
        // LOST PACKET: beyond the highest sequence number seen (not for RST).
        if fwd.nextseq != 0 && gt_seq(seq, fwd.nextseq) && flags & TH_RST == 0 {
            ta.flags.insert(AnalysisFlags::LOST_SEGMENT);
            fwd.valid_bif = false;
        }
        // KEEP ALIVE: 0 or 1 byte starting one byte before the next expected sequence number.
        if seglen <= 1 && seq == fwd.nextseq.wrapping_sub(1) && no_syn_fin_rst {
            ta.flags.insert(AnalysisFlags::KEEP_ALIVE);
        }
        // WINDOW UPDATE: no data, same SEQ/ACK as before, a new non-zero window.
        if seglen == 0
            && window != 0
            && window != fwd.window
            && seq == fwd.nextseq
            && ack == fwd.lastack
            && no_syn_fin_rst
        {
            ta.flags.insert(AnalysisFlags::WINDOW_UPDATE);
        }
        // WINDOW FULL: data reaching exactly the edge of the other side's advertised window.
        if seglen > 0 && rev.win_scale != WindowScale::Unknown && no_syn_fin_rst {
            let shift = if rev.window_from_syn {
                0
            } else {
                rev.scale_shift()
            };
            let edge = rev.lastack.wrapping_add(rev.window.wrapping_shl(shift));
            if seq.wrapping_add(seglen) == edge {
                ta.flags.insert(AnalysisFlags::WINDOW_FULL);
            }
        }
        let repeats_last =
            seglen == 0 && window == fwd.window && seq == fwd.nextseq && no_syn_fin_rst;
        // KEEP ALIVE ACK: repeats the previous ACK after a keep-alive from the other side.
        if repeats_last
            && window != 0
            && ack == fwd.lastack
            && rev.lastsegmentflags.contains(AnalysisFlags::KEEP_ALIVE)
        {
            ta.flags.insert(AnalysisFlags::KEEP_ALIVE_ACK);
            break;
        }
        // ZERO WINDOW PROBE ACK: repeats the zero window after a probe; the receiver may have
        // consumed the probe's byte (ack one higher), which then advances the other side.
        if repeats_last
            && window == 0
            && (ack == fwd.lastack || ack == fwd.lastack.wrapping_add(1))
            && rev
                .lastsegmentflags
                .contains(AnalysisFlags::ZERO_WINDOW_PROBE)
        {
            ta.flags.insert(AnalysisFlags::ZERO_WINDOW_PROBE_ACK);
            if ack == fwd.lastack.wrapping_add(1) {
                rev.nextseq = rev.nextseq.wrapping_add(1);
            }
            break;
        }
        // DUPLICATE ACK: no data, same window/SEQ/ACK as the previous segment.
        if repeats_last && window != 0 && ack == fwd.lastack {
            fwd.dupacknum = if fwd.dupacknum == -1 {
                1
            } else {
                fwd.dupacknum.saturating_add(1)
            };
            ta.flags.insert(AnalysisFlags::DUPLICATE_ACK);
            ta.dup_ack_num = fwd.dupacknum.unsigned_abs();
            ta.dup_ack_frame = fwd.lastnondupack;
        }
        break;
    }

    // finished_fwd: a new ACK number resets the duplicate-ACK counter.
    if ack != fwd.lastack {
        fwd.lastnondupack = seg.frame;
        fwd.dupacknum = 0;
    }

    // ACKED LOST PACKET: acknowledges beyond what the other side was seen sending. When the other
    // side's contiguous boundary lags behind its highest sequence (a hole), the boundary jumps
    // there and the segment is flagged; otherwise only the first of a run is flagged until the
    // other side acknowledges something new (its dup-ACK counter is parked at -1).
    if rev.maxseqtobeacked != 0 && gt_seq(ack, rev.maxseqtobeacked) && flags & TH_ACK != 0 {
        // tshark creates the record before deciding whether to flag.
        ta.has_record = true;
        if lt_seq(rev.maxseqtobeacked, rev.nextseq) {
            rev.maxseqtobeacked = rev.nextseq;
            ta.flags.insert(AnalysisFlags::ACK_LOST_SEGMENT);
        } else {
            if rev.dupacknum == 0 {
                ta.flags.insert(AnalysisFlags::ACK_LOST_SEGMENT);
            }
            rev.dupacknum = -1;
        }
    }

    // RETRANSMISSION / FAST RETRANSMISSION / OUT-OF-ORDER / SPURIOUS.
    if (seglen > 0 || flags & (TH_SYN | TH_FIN) != 0)
        && !ta.flags.contains(AnalysisFlags::KEEP_ALIVE)
    {
        let mut seq_not_advanced = fwd.nextseq != 0 && lt_seq(seq, fwd.nextseq);
        // More than one new byte right after a possible zero-window probe is new data.
        if seglen > 1 && fwd.nextseq.wrapping_sub(1) == seq {
            seq_not_advanced = false;
        }
        classify_retransmission(fwd, rev, seg, seq_not_advanced, ooo_threshold, ta);
    }

    // Remember the segment (unless too many are unacknowledged) and the highest sequence.
    let mut nextseq = seq.wrapping_add(seglen);
    if (seglen != 0 || flags & (TH_SYN | TH_FIN) != 0) && fwd.segments.len() < MAX_UNACKED_SEGMENTS
    {
        if flags & (TH_SYN | TH_FIN) != 0 {
            nextseq = nextseq.wrapping_add(1);
        }
        fwd.segments.push(Unacked {
            frame: seg.frame,
            seq,
            nextseq,
            ts_ns: now,
        });
    }
    let probe = ta.flags.contains(AnalysisFlags::ZERO_WINDOW_PROBE);
    if (gt_seq(nextseq, fwd.nextseq) || fwd.nextseq == 0) && !probe && flags & TH_RST == 0 {
        fwd.nextseq = nextseq;
        fwd.nextseq_frame = seg.frame;
        fwd.nextseq_ts = now;
    }
    if (seq == fwd.maxseqtobeacked || fwd.maxseqtobeacked == 0) && !probe {
        fwd.maxseqtobeacked = fwd.nextseq;
    }

    fwd.window = window;
    fwd.window_from_syn = flags & TH_SYN != 0;
    fwd.lastack = ack;
    fwd.lastack_ts = now;
    fwd.lastsegmentflags = ta.flags;

    // Remove what this ACKs from the other direction's list; the oldest exact match gives the
    // ACK RTT (tshark walks its newest-first list and the last match wins).
    let mut acked: Option<Unacked> = None;
    rev.segments.retain_mut(|u| {
        if ack == u.nextseq {
            if acked.is_none() {
                acked = Some(*u);
            }
            false
        } else if gt_seq(ack, u.seq) && le_seq(ack, u.nextseq) {
            u.seq = ack;
            true
        } else {
            gt_seq(u.nextseq, ack)
        }
    });
    if rev.segments.is_empty() && rev.segments.capacity() > 64 {
        rev.segments = Vec::new();
    }
    if let Some(u) = acked {
        ta.has_record = true;
        ta.acks_frame = Some(u.frame);
        ta.ack_rtt_ns = Some(now.wrapping_sub(u.ts_ns));
    }
    if ta.ack_rtt_ns == Some(0) {
        ta.ack_rtt_ns = None;
    }

    // Bytes in flight after this segment.
    if seglen != 0 && !fwd.segments.is_empty() && fwd.valid_bif {
        let base = fwd.base_seq.unwrap_or(0);
        let mut first = u32::MAX;
        let mut last = 0u32;
        for u in &fwd.segments {
            first = first.min(u.seq.wrapping_sub(base));
            last = last.max(u.nextseq.wrapping_sub(base));
        }
        // tshark starts from the newest segment; min/max over all of them is the same.
        let in_flight = last.wrapping_sub(first).wrapping_sub(rev.sack.delivered());
        ta.has_record = true;
        if in_flight > 0 && in_flight < 2_000_000_000 {
            let virtual_byte = u32::from(flags & (TH_SYN | TH_FIN) != 0);
            ta.bytes_in_flight = Some(in_flight - virtual_byte).filter(|&b| b != 0);
        }
    }
}

/// Which kind of retransmission a segment that carries data, SYN or FIN is: spurious first, then
/// fast retransmission, then out-of-order (tshark's default precedence), then plain.
fn classify_retransmission(
    fwd: &FlowState,
    rev: &FlowState,
    seg: &SegmentInput,
    seq_not_advanced: bool,
    ooo_threshold: u64,
    ta: &mut TcpAnalysis,
) {
    let t = &seg.tcp;
    let (seq, seglen) = (t.seq, t.payload_len);
    let now = seg.ts_ns;
    // Spurious: the data was already acknowledged by the other side.
    if seglen > 0 && rev.lastack != 0 && le_seq(seq.wrapping_add(seglen), rev.lastack) {
        ta.flags.insert(AnalysisFlags::SPURIOUS_RETRANSMISSION);
        return;
    }
    // Fast retransmission: at least two duplicate ACKs for this sequence number from the other
    // side, the last one less than 20 ms ago.
    if seq_not_advanced
        && rev.dupacknum >= 2
        && rev.lastack == seq
        && elapsed_ns(now, rev.lastack_ts) < FAST_RETRANSMISSION_WINDOW_NS
    {
        ta.flags.insert(AnalysisFlags::FAST_RETRANSMISSION);
        return;
    }
    // Out-of-order: soon after the highest sequence number was seen, and not an exact resend of
    // the segment just before it.
    let syn_fin = u32::from(t.flags & (TH_SYN | TH_FIN) != 0);
    if seq_not_advanced
        && elapsed_ns(now, fwd.nextseq_ts) < ooo_threshold
        && fwd.nextseq != seq.wrapping_add(seglen).wrapping_add(syn_fin)
    {
        ta.flags.insert(AnalysisFlags::OUT_OF_ORDER);
        return;
    }
    if seq_not_advanced {
        ta.flags.insert(AnalysisFlags::RETRANSMISSION);
        // The eldest unacknowledged segment is the likely original; else the highest one.
        let (ts, frame) = fwd
            .segments
            .first()
            .map_or((fwd.nextseq_ts, fwd.nextseq_frame), |u| (u.ts_ns, u.frame));
        ta.rto_ns = Some(now.wrapping_sub(ts));
        ta.rto_frame = Some(frame);
    }
}

/// SACK blocks of a direction's latest segment, as tshark uses them for bytes in flight: a SACK
/// option's blocks 1..=3 are kept (a fourth is not), and the bytes they cover are subtracted from
/// the other direction's bytes in flight. A segment without a SACK option clears them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SackBlocks {
    count: u8,
    left: [u32; 4],
    right: [u32; 4],
}

impl SackBlocks {
    /// Records the blocks of one SACK option, as (left edge, right edge) pairs in option order.
    pub fn store(&mut self, blocks: &[(u32, u32)]) {
        for (i, &(l, r)) in blocks.iter().enumerate() {
            let n = i + 1;
            if n >= 4 {
                break;
            }
            self.count = n as u8;
            self.left[n] = l;
            self.right[n] = r;
        }
    }

    /// Bytes the blocks cover, summed as tshark does (wrapping).
    fn delivered(&self) -> u32 {
        (1..=usize::from(self.count).min(3)).fold(0u32, |acc, i| {
            acc.wrapping_add(self.right[i].wrapping_sub(self.left[i]))
        })
    }
}

/// The SACK blocks of a TCP header's options, read from the header bytes (`header` starts at the
/// TCP header). At most 4 blocks; stops at the first malformed option.
pub fn parse_sack_blocks(header: &[u8], out: &mut Vec<(u32, u32)>) {
    out.clear();
    let hlen = header
        .get(12)
        .map_or(0, |b| usize::from(b >> 4) * 4)
        .min(header.len());
    let opts = header.get(20..hlen).unwrap_or(&[]);
    let mut i = 0usize;
    while let Some(&kind) = opts.get(i) {
        match kind {
            0 => break,
            1 => i += 1,
            _ => {
                let Some(&len) = opts.get(i + 1) else { break };
                let len = usize::from(len);
                if len < 2 {
                    break;
                }
                let Some(body) = opts.get(i + 2..i + len) else {
                    break;
                };
                if kind == 5 {
                    for block in body.chunks_exact(8).take(4) {
                        let l = u32::from_be_bytes([block[0], block[1], block[2], block[3]]);
                        let r = u32::from_be_bytes([block[4], block[5], block[6], block[7]]);
                        out.push((l, r));
                    }
                }
                i += len;
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct DisplayState {
    base: [Option<u32>; 2],
    scale: [WindowScale; 2],
}

/// tshark's second pass for display values. With `-2`, tshark prints relative sequence numbers
/// and scaled windows from the conversation's state at the end of the first pass: a direction's
/// base sequence number is the final one until the direction's next SYN/ACK (which sets it again),
/// and the window scale is the final one throughout. Feed the same frames again, in order, to
/// [`TcpDisplayPass::apply`] (either stored [`LayerAnalysis`] lists or a second read of the file).
#[derive(Clone, Debug)]
pub struct TcpDisplayPass {
    streams: FxHashMap<u32, DisplayState>,
}

impl TcpDisplayPass {
    /// Rewrites `rel_seq`, `rel_ack`, `rel_nxtseq` and `window_size` of one frame's layers.
    pub fn apply(&mut self, layers: &mut [LayerAnalysis]) {
        for l in layers.iter_mut() {
            let Some(a) = l.analysis.as_mut() else {
                continue;
            };
            let Some(st) = self.streams.get_mut(&a.stream) else {
                continue;
            };
            let fwd = usize::from(a.flow & 1);
            let rev = 1 - fwd;
            if l.tcp_flags & (TH_SYN | TH_ACK) == (TH_SYN | TH_ACK) {
                st.base[fwd] = Some(l.raw_seq);
            }
            a.rel_seq = l.raw_seq.wrapping_sub(st.base[fwd].unwrap_or(0));
            if l.tcp_flags & TH_ACK != 0 {
                a.rel_ack = Some(l.raw_ack.wrapping_sub(st.base[rev].unwrap_or(0)));
            }
            if l.payload_len != 0 {
                a.rel_nxtseq = Some(a.rel_seq.wrapping_add(l.payload_len));
            }
            a.window_size = u32::from(l.raw_window);
            if l.tcp_flags & TH_SYN == 0 {
                if let WindowScale::Shift(sh) = st.scale[fwd] {
                    a.window_size = a.window_size.wrapping_shl(u32::from(sh));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::TcpOptionsSummary;
    use std::net::{IpAddr, Ipv4Addr};

    const SYN: u16 = TH_SYN;
    const SYNACK: u16 = TH_SYN | TH_ACK;
    const ACK: u16 = TH_ACK;
    const FINACK: u16 = TH_FIN | TH_ACK;
    const RST: u16 = TH_RST;
    const MS: i64 = 1_000_000;

    /// A hand-built conversation: client 10.0.0.1:40000 ↔ server 10.0.0.2:80, stream 0.
    struct Conv {
        az: TcpAnalyzer,
        frame: u32,
    }

    impl Conv {
        fn new() -> Self {
            Conv {
                az: TcpAnalyzer::new(),
                frame: 0,
            }
        }

        #[allow(clippy::too_many_arguments)]
        fn seg_full(
            &mut self,
            from_client: bool,
            flags: u16,
            seq: u32,
            ack: u32,
            len: u32,
            window: u16,
            ts_ms: i64,
            sack: &[(u32, u32)],
            wscale: Option<u8>,
            stream: u32,
        ) -> TcpAnalysis {
            let c = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
            let s = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
            let (src, dst, sp, dp) = if from_client {
                (c, s, 40000, 80)
            } else {
                (s, c, 80, 40000)
            };
            self.frame += 1;
            let tcp = TcpLayer {
                src,
                dst,
                src_port: sp,
                dst_port: dp,
                seq,
                ack,
                flags,
                window,
                header_len: 20,
                payload_len: len,
                payload_offset: 0,
                payload_captured: 0,
                options: TcpOptionsSummary {
                    window_scale: wscale,
                    ..TcpOptionsSummary::default()
                },
                in_error: false,
            };
            self.az.analyze(&SegmentInput {
                frame: self.frame,
                // tshark treats a zero time as "unset": keep test times away from the epoch.
                ts_ns: (1_000_000 + ts_ms) * MS,
                stream,
                tcp,
                sack,
            })
        }

        fn seg(
            &mut self,
            c: bool,
            flags: u16,
            seq: u32,
            ack: u32,
            len: u32,
            ts_ms: i64,
        ) -> TcpAnalysis {
            self.seg_full(c, flags, seq, ack, len, 1000, ts_ms, &[], None, 0)
        }

        /// SYN 1000 / SYN-ACK 5000 / ACK, 10 ms apart: client next byte 1001, server 5001.
        fn handshake(&mut self) {
            self.seg(true, SYN, 1000, 0, 0, 0);
            self.seg(false, SYNACK, 5000, 1001, 0, 10);
            self.seg(true, ACK, 1001, 5001, 0, 20);
        }
    }

    fn only(flags: AnalysisFlags) -> Vec<&'static str> {
        flags.names().collect()
    }

    #[test]
    fn handshake_relative_numbers_and_ack_rtt() {
        let mut c = Conv::new();
        let syn = c.seg(true, SYN, 1000, 0, 0, 0);
        assert_eq!((syn.rel_seq, syn.rel_ack), (0, None));
        let synack = c.seg(false, SYNACK, 5000, 1001, 0, 10);
        assert_eq!((synack.rel_seq, synack.rel_ack), (0, Some(1)));
        assert_eq!(
            (synack.acks_frame, synack.ack_rtt_ns),
            (Some(1), Some(10 * MS))
        );
        let ack = c.seg(true, ACK, 1001, 5001, 0, 25);
        assert_eq!(
            (ack.rel_seq, ack.rel_ack, ack.acks_frame),
            (1, Some(1), Some(2))
        );
        assert_eq!(c.az.initial_rtt_ns(0), Some(25 * MS));
        let data = c.seg(true, ACK, 1001, 5001, 100, 30);
        assert_eq!(
            (data.rel_nxtseq, data.bytes_in_flight),
            (Some(101), Some(100))
        );
        assert!(data.flags.is_empty());
    }

    #[test]
    fn lost_segment_and_acked_unseen_reported_once_per_run() {
        let mut c = Conv::new();
        c.handshake();
        c.seg(true, ACK, 1001, 5001, 100, 30);
        // 100 bytes from 1101 never captured.
        let gap = c.seg(true, ACK, 1201, 5001, 100, 31);
        assert_eq!(only(gap.flags), vec!["lost_segment"]);
        // Server acknowledges everything: first report, then suppressed until it acks anew.
        let a1 = c.seg(false, ACK, 5001, 1301, 0, 40);
        assert!(a1.flags.contains(AnalysisFlags::ACK_LOST_SEGMENT));
        let a2 = c.seg(false, ACK, 5001, 1301, 0, 41);
        assert!(!a2.flags.contains(AnalysisFlags::ACK_LOST_SEGMENT));
        assert!(a2.flags.contains(AnalysisFlags::DUPLICATE_ACK));
    }

    #[test]
    fn retransmission_kinds() {
        // Plain retransmission: same segment again long after (beyond the 3 ms / RTT threshold).
        let mut c = Conv::new();
        c.handshake();
        c.seg(true, ACK, 1001, 5001, 100, 30);
        let r = c.seg(true, ACK, 1001, 5001, 100, 500);
        assert_eq!(only(r.flags), vec!["retransmission"]);
        assert_eq!((r.rto_frame, r.rto_ns), (Some(4), Some(470 * MS)));

        // Out-of-order: an earlier hole filled right after a later segment.
        let mut c = Conv::new();
        c.handshake();
        c.seg(true, ACK, 1101, 5001, 100, 30); // lost 1001..1101
        let o = c.seg(true, ACK, 1001, 5001, 100, 31);
        assert_eq!(only(o.flags), vec!["out_of_order"]);

        // Spurious: resent although the server already acknowledged it.
        let mut c = Conv::new();
        c.handshake();
        c.seg(true, ACK, 1001, 5001, 100, 30);
        c.seg(false, ACK, 5001, 1101, 0, 40);
        let s = c.seg(true, ACK, 1001, 5001, 100, 500);
        assert!(s.flags.reports("retransmission"));
        assert_eq!(only(s.flags), vec!["spurious_retransmission"]);

        // Fast retransmission: two duplicate ACKs, resend within 20 ms.
        let mut c = Conv::new();
        c.handshake();
        c.seg(true, ACK, 1001, 5001, 100, 30);
        c.seg(true, ACK, 1101, 5001, 100, 31);
        c.seg(true, ACK, 1201, 5001, 100, 32);
        c.seg(false, ACK, 5001, 1101, 0, 40);
        let d1 = c.seg(false, ACK, 5001, 1101, 0, 41);
        let d2 = c.seg(false, ACK, 5001, 1101, 0, 42);
        assert_eq!((d1.dup_ack_num, d2.dup_ack_num), (1, 2));
        assert_eq!(d2.dup_ack_frame, 7);
        assert_eq!(only(d2.flags), vec!["duplicate_ack"]);
        let f = c.seg(true, ACK, 1101, 5001, 100, 50);
        assert_eq!(only(f.flags), vec!["fast_retransmission"]);
    }

    #[test]
    fn windows_zero_probe_update_full() {
        let mut c = Conv::new();
        c.handshake();
        let z = c.seg_full(false, ACK, 5001, 1001, 0, 0, 30, &[], None, 0);
        assert_eq!(only(z.flags), vec!["zero_window"]);
        let probe = c.seg(true, ACK, 1001, 5001, 1, 40);
        assert_eq!(only(probe.flags), vec!["zero_window_probe"]);
        let pack = c.seg_full(false, ACK, 5001, 1001, 0, 0, 41, &[], None, 0);
        assert_eq!(
            only(pack.flags),
            vec!["zero_window", "zero_window_probe_ack"]
        );
        let upd = c.seg_full(false, ACK, 5001, 1001, 0, 500, 50, &[], None, 0);
        assert_eq!(only(upd.flags), vec!["window_update"]);
        // 500 bytes fill the advertised window exactly (no scaling: no WS option in handshake).
        let full = c.seg(true, ACK, 1001, 5001, 500, 60);
        assert_eq!(only(full.flags), vec!["window_full"]);
    }

    #[test]
    fn keep_alive_and_its_ack() {
        let mut c = Conv::new();
        c.handshake();
        c.seg(true, ACK, 1001, 5001, 10, 30);
        c.seg(false, ACK, 5001, 1011, 0, 40);
        let ka = c.seg(true, ACK, 1010, 5001, 0, 5000);
        assert_eq!(only(ka.flags), vec!["keep_alive"]);
        let kaa = c.seg(false, ACK, 5001, 1011, 0, 5001);
        assert_eq!(only(kaa.flags), vec!["keep_alive_ack"]);
    }

    #[test]
    fn reused_ports_syn_ack_rebases_and_new_stream_syn_is_flagged() {
        let mut c = Conv::new();
        c.handshake();
        // Another SYN/ACK with a new ISN on the same stream: flagged and becomes the base.
        let sa = c.seg(false, SYNACK, 9000, 1001, 0, 30);
        assert!(sa.flags.contains(AnalysisFlags::REUSED_PORTS));
        assert_eq!(sa.rel_seq, 0);
        // A pure SYN the flow table put in a new stream for the same ports.
        let syn = c.seg_full(true, SYN, 77, 0, 0, 1000, 40, &[], None, 1);
        assert_eq!(only(syn.flags), vec!["reused_ports"]);
        let again = c.seg_full(true, SYN, 77, 0, 0, 1000, 41, &[], None, 1);
        assert!(!again.flags.contains(AnalysisFlags::REUSED_PORTS));
    }

    #[test]
    fn window_scale_from_handshake_and_sack_in_bytes_in_flight() {
        let mut c = Conv::new();
        c.seg_full(true, SYN, 1000, 0, 0, 1000, 0, &[], Some(2), 0);
        c.seg_full(false, SYNACK, 5000, 1001, 0, 1000, 10, &[], Some(3), 0);
        let ack = c.seg(true, ACK, 1001, 5001, 0, 20);
        assert_eq!(ack.window_size, 4000);
        c.seg(false, ACK, 5001, 1001, 100, 30);
        c.seg(false, ACK, 5101, 1001, 100, 31);
        // Client SACKs the second segment: 100 bytes no longer in flight for the next send.
        c.seg_full(true, ACK, 1001, 5001, 0, 1000, 40, &[(5101, 5201)], None, 0);
        let next = c.seg(false, ACK, 5201, 1001, 100, 41);
        assert_eq!(next.bytes_in_flight, Some(200));
        assert_eq!(next.window_size, 8000);
    }

    #[test]
    fn rst_does_not_advance_next_sequence() {
        let mut c = Conv::new();
        c.handshake();
        c.seg(true, RST, 900_000, 0, 0, 30);
        let data = c.seg(true, ACK, 1001, 5001, 100, 40);
        assert!(data.flags.is_empty());
        let fin = c.seg(true, FINACK, 1101, 5001, 0, 50);
        assert!(fin.flags.is_empty());
    }

    #[test]
    fn sack_blocks_parse_from_header_bytes() {
        let mut h = vec![0u8; 20];
        h[12] = 8 << 4; // 32-byte header
        h.extend_from_slice(&[1, 1, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20]);
        let mut out = Vec::new();
        parse_sack_blocks(&h, &mut out);
        assert_eq!(out, vec![(10, 20)]);
        // Truncated option: nothing, no panic.
        parse_sack_blocks(&h[..25], &mut out);
        assert!(out.is_empty());
        parse_sack_blocks(&[], &mut out);
        assert!(out.is_empty());
    }
}

#[cfg(test)]
mod never_panics {
    use super::*;
    use crate::decode::TcpOptionsSummary;
    use proptest::prelude::*;
    use std::net::{IpAddr, Ipv4Addr};

    proptest! {
        /// Arbitrary segment sequences (wrapping numbers, clocks going backwards, odd flags,
        /// SACK blocks, several streams on the same ports) never panic, and the derived flags
        /// stay consistent.
        #[test]
        fn arbitrary_segments(segs in proptest::collection::vec(
            (any::<bool>(), any::<u16>(), any::<u32>(), any::<u32>(), 0u32..3000, any::<u16>(),
             -5_000_000_000i64..5_000_000_000, 0u32..3, proptest::option::of(0u8..20),
             proptest::collection::vec((any::<u32>(), any::<u32>()), 0..5)),
            1..60))
        {
            let mut az = TcpAnalyzer::new();
            let mut ts = 1_000_000_000_000i64;
            for (i, (from_a, flags, seq, ack, len, window, dt, stream, ws, sack)) in segs.into_iter().enumerate() {
                ts = ts.saturating_add(dt);
                let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
                let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
                let (src, dst) = if from_a { (a, b) } else { (b, a) };
                let tcp = TcpLayer {
                    src, dst, src_port: if from_a { 1 } else { 2 }, dst_port: if from_a { 2 } else { 1 },
                    seq, ack, flags: flags & 0x0fff, window, header_len: 20, payload_len: len,
                    payload_offset: 0, payload_captured: 0,
                    options: TcpOptionsSummary { window_scale: ws, ..TcpOptionsSummary::default() },
                    in_error: false,
                };
                let r = az.analyze(&SegmentInput { frame: i as u32 + 1, ts_ns: ts, stream, tcp, sack: &sack });
                prop_assert!(!(r.flags.contains(AnalysisFlags::FAST_RETRANSMISSION) && r.flags.contains(AnalysisFlags::OUT_OF_ORDER)));
                prop_assert_eq!(r.dup_ack_num != 0, r.flags.contains(AnalysisFlags::DUPLICATE_ACK));
                if let Some(b) = r.bytes_in_flight { prop_assert!(b > 0 && b < 2_000_000_000); }
            }
            let mut display = az.display_pass();
            let mut layers = vec![LayerAnalysis { raw_seq: 1, raw_ack: 2, tcp_flags: 0x12, raw_window: 3, payload_len: 4, analysis: Some(TcpAnalysis { stream: 2, ..TcpAnalysis::default() }) }];
            display.apply(&mut layers);
        }
    }
}
