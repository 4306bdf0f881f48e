//! What to export: criteria on frames (a TCP/UDP stream, a packet lot of a TCP stream, an IP address
//! pair, a time range, frame numbers, a display filter), all of which a frame must meet, and the
//! [`SelectionMatcher`] that applies them to the pipeline's frames in file order and remembers where
//! the selected frames are in the capture.
//!
//! Memory: one [`FrameLocation`] (40 bytes) per selected frame; nothing else grows with the capture.

use std::net::IpAddr;

use super::frame_ranges::FrameRanges;
use super::lot_frames::LotFrames;
use crate::capture::RecordKind;
use crate::decode::Layer;
use crate::filter::{Filter, FrameFilter};
use crate::pipeline::{FrameContext, FrameLocation};

/// A TCP or UDP stream, as tshark numbers them (`tcp.stream`, `udp.stream`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamRef {
    /// `tcp.stream == N`.
    Tcp(u32),
    /// `udp.stream == N`.
    Udp(u32),
}

impl StreamRef {
    /// Parses `tcp:N` or `udp:N`.
    pub fn parse(text: &str) -> Result<StreamRef, SelectionError> {
        let bad = || SelectionError(format!("stream '{text}' is not tcp:N or udp:N"));
        let (kind, number) = text.split_once(':').ok_or_else(bad)?;
        let number: u32 = number.trim().parse().map_err(|_| bad())?;
        match kind.trim().to_ascii_lowercase().as_str() {
            "tcp" => Ok(StreamRef::Tcp(number)),
            "udp" => Ok(StreamRef::Udp(number)),
            _ => Err(bad()),
        }
    }
}

/// A time range relative to the capture's first frame, in ns, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    /// First instant, ns after the first frame.
    pub start_ns: i64,
    /// Last instant, ns after the first frame.
    pub end_ns: i64,
}

impl TimeRange {
    /// Parses `START..END` in seconds relative to the first frame (`START..` / `..END` leave an
    /// end open), e.g. `1.5..3`.
    pub fn parse(text: &str) -> Result<TimeRange, SelectionError> {
        let bad = |why: &str| SelectionError(format!("time range '{text}': {why}"));
        let (a, b) = text
            .split_once("..")
            .ok_or_else(|| bad("expected START..END in seconds"))?;
        let secs = |s: &str, open: i64| -> Result<i64, SelectionError> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(open);
            }
            let v: f64 = s.parse().map_err(|_| bad("not a number of seconds"))?;
            if !v.is_finite() {
                return Err(bad("not a finite number"));
            }
            Ok((v * 1e9).round().clamp(i64::MIN as f64, i64::MAX as f64) as i64)
        };
        let range = TimeRange {
            start_ns: secs(a, i64::MIN)?,
            end_ns: secs(b, i64::MAX)?,
        };
        if range.start_ns > range.end_ns {
            return Err(bad("ends before it starts"));
        }
        Ok(range)
    }

    /// Whether `rel_ns` (ns after the first frame) is inside.
    pub fn contains(&self, rel_ns: i64) -> bool {
        self.start_ns <= rel_ns && rel_ns <= self.end_ns
    }
}

/// Why a selection cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectionError(pub String);

impl std::fmt::Display for SelectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SelectionError {}

/// The criteria of an export; a frame is selected when it meets every criterion given. With none,
/// every packet is selected.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Frames with a TCP/UDP layer of this stream (any layer, tunnels included).
    pub stream: Option<StreamRef>,
    /// With a TCP `stream`: only the data packets of this packet lot (1-based).
    pub lot: Option<u32>,
    /// Frames whose outermost IP layer is between these two addresses (either direction), as the
    /// IP conversation table counts them.
    pub ip_pair: Option<(IpAddr, IpAddr)>,
    /// Frames whose time relative to the first frame is in this range (frames without a
    /// timestamp are not).
    pub time: Option<TimeRange>,
    /// Frames with these numbers.
    pub frames: Option<FrameRanges>,
    /// Frames matching this display filter.
    pub filter: Option<Filter>,
}

/// Applies a [`Selection`] to frames in file order and keeps the selected frames' locations.
pub struct SelectionMatcher {
    stream: Option<StreamRef>,
    lot: Option<LotFrames>,
    ip_pair: Option<(IpAddr, IpAddr)>,
    time: Option<TimeRange>,
    frames: Option<FrameRanges>,
    filter: Option<FrameFilter>,
    selected: Vec<FrameLocation>,
    records_skipped: u64,
}

impl SelectionMatcher {
    /// A matcher for `selection`; a lot without a TCP stream is an error.
    pub fn new(selection: Selection) -> Result<SelectionMatcher, SelectionError> {
        let lot = match (selection.lot, selection.stream) {
            (None, _) => None,
            (Some(0), _) => return Err(SelectionError("lot numbers start at 1".into())),
            (Some(lot), Some(StreamRef::Tcp(stream))) => Some(LotFrames::new(stream, lot)),
            (Some(_), _) => {
                return Err(SelectionError(
                    "a packet lot needs its TCP stream (--stream tcp:N)".into(),
                ))
            }
        };
        Ok(SelectionMatcher {
            stream: selection.stream,
            lot,
            ip_pair: selection.ip_pair,
            time: selection.time,
            frames: selection.frames,
            filter: selection.filter.map(FrameFilter::new),
            selected: Vec::new(),
            records_skipped: 0,
        })
    }

    /// Feeds one frame (every frame, in file order: the filter and the lot tracker keep state).
    pub fn observe(&mut self, ctx: &FrameContext) {
        // Stateful criteria see every frame whatever the others decide.
        let in_lot = self.lot.as_mut().is_none_or(|l| l.observe(ctx));
        let in_filter = self.filter.as_mut().is_none_or(|f| f.matches(ctx));
        let meta = ctx.meta;
        let selected = in_lot
            && in_filter
            && self.frames.as_ref().is_none_or(|r| r.contains(meta.number))
            && self.stream.is_none_or(|s| in_stream(ctx, s))
            && self.ip_pair.is_none_or(|p| in_ip_pair(ctx, p))
            && self.time.is_none_or(|t| {
                meta.has_timestamp && t.contains(meta.ts_ns.saturating_sub(ctx.first_ts_ns))
            });
        if !selected {
            return;
        }
        if meta.kind != RecordKind::Packet {
            // Custom and journal blocks are frames for tshark but not packets of an interface.
            self.records_skipped += 1;
            return;
        }
        self.selected.push(FrameLocation {
            number: meta.number,
            offset: meta.offset,
            caplen: meta.caplen,
            wire_len: meta.wire_len,
            ts_ns: meta.ts_ns,
            linktype: meta.linktype,
            interface_id: meta.interface_id,
        });
    }

    /// True when no later frame can be selected (a frame list that has ended), so reading may stop.
    pub fn is_done(&self, last_number: u32) -> bool {
        self.frames
            .as_ref()
            .is_some_and(|r| last_number >= r.last() && self.filter.is_none())
    }

    /// Selected frames so far, in file order.
    pub fn frames(&self) -> &[FrameLocation] {
        &self.selected
    }

    /// Selected records that are not packets (pcapng custom / journal blocks), left out.
    pub fn records_skipped(&self) -> u64 {
        self.records_skipped
    }

    /// Lots seen in the tracked stream (None without a lot criterion).
    pub fn lots_seen(&self) -> Option<u32> {
        self.lot.as_ref().map(LotFrames::lots_seen)
    }

    /// The selected frames.
    pub fn into_frames(self) -> Vec<FrameLocation> {
        self.selected
    }
}

fn in_stream(ctx: &FrameContext, stream: StreamRef) -> bool {
    match stream {
        StreamRef::Tcp(n) => ctx.streams.tcp.contains(&n),
        StreamRef::Udp(n) => ctx.streams.udp.contains(&n),
    }
}

/// The outermost IP layer not quoted in an ICMP error, as the IP conversation table uses.
fn in_ip_pair(ctx: &FrameContext, (a, b): (IpAddr, IpAddr)) -> bool {
    let ends = ctx.frame.layers.iter().find_map(|l| match l {
        Layer::Ipv4(ip) if !ip.in_error => Some((IpAddr::from(ip.src), IpAddr::from(ip.dst))),
        Layer::Ipv6(ip) if !ip.in_error => Some((IpAddr::from(ip.src), IpAddr::from(ip.dst))),
        _ => None,
    });
    ends.is_some_and(|(s, d)| (s == a && d == b) || (s == b && d == a))
}
