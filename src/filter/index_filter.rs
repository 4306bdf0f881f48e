//! The index-only fast path: [`IndexFilter`] evaluates a filter that reads only what the packet
//! index stores (`frame.number`, `frame.len`, `frame.cap_len`, `frame.time`,
//! `frame.time_epoch`, `frame.time_relative`, `tcp.stream`, `udp.stream`, existence of `frame`)
//! from the index columns, without reading or decoding the packets again. It runs the same
//! evaluator as the decode path ([`super::eval`]) over values taken from [`PacketIndex`], so both
//! paths give the same frames (checked over the filter corpus by `tests/filter_fast_path.rs`).

use super::compile::{Node, Rhs, Source};
use super::eval::{apply_mask, eval, FrameValues};
use super::names::FieldRef;
use super::Filter;
use crate::fields::{Field, FieldValue};
use crate::flow::NO_STREAM;
use crate::index::{IndexEntry, PacketIndex, StreamKind};

/// A filter answerable from the packet index alone.
#[derive(Clone, Debug)]
pub struct IndexFilter {
    filter: Filter,
    first_ts_ns: i64,
}

impl IndexFilter {
    /// Wraps `filter` when the index can answer it: `None` when it reads a field the index does
    /// not store, searches bytes (`contains`, `matches`), or reads frame times while
    /// `every_frame_timestamped` is false (Simple Packet Blocks carry no time, and the index does
    /// not record which frames lack one). `first_ts_ns` is the capture's first timestamp, the
    /// origin of `frame.time_relative`.
    pub fn new(filter: Filter, first_ts_ns: i64, every_frame_timestamped: bool) -> Option<Self> {
        let mut reads_time = false;
        if !node_is_indexed(&filter.root, &mut reads_time) {
            return None;
        }
        if reads_time && !every_frame_timestamped {
            return None;
        }
        Some(Self {
            filter,
            first_ts_ns,
        })
    }

    /// The filter.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Whether frame `number` (1-based) passes; false for a number outside the index.
    pub fn matches(&self, index: &PacketIndex, number: u32) -> bool {
        let Some(entry) = index.get(number) else {
            return false;
        };
        let view = IndexFrame {
            index,
            entry,
            first_ts_ns: self.first_ts_ns,
        };
        eval(&self.filter.root, &view)
    }

    /// The numbers of every matching frame of `index`, ascending (4 bytes per match).
    pub fn matching_frames(&self, index: &PacketIndex) -> Vec<u32> {
        let count = u32::try_from(index.len()).unwrap_or(u32::MAX);
        (1..=count).filter(|&n| self.matches(index, n)).collect()
    }
}

/// Whether every test of the tree reads indexed values only; sets `reads_time` when a frame time
/// is read.
fn node_is_indexed(n: &Node, reads_time: &mut bool) -> bool {
    match n {
        Node::Or(a, b) | Node::Xor(a, b) | Node::And(a, b) => {
            // Evaluate both sides so `reads_time` sees every test.
            let left = node_is_indexed(a, reads_time);
            node_is_indexed(b, reads_time) && left
        }
        Node::Not(a) => node_is_indexed(a, reads_time),
        Node::Exists(s) | Node::In { lhs: s, .. } => source_is_indexed(s, reads_time),
        Node::Compare { lhs, rhs, .. } => {
            let right = match rhs {
                Rhs::Literal(_) => true,
                Rhs::Field(s) => source_is_indexed(s, reads_time),
            };
            source_is_indexed(lhs, reads_time) && right
        }
        Node::Contains { .. } | Node::Matches { .. } => false,
    }
}

/// Whether the index stores the values of `s`.
fn source_is_indexed(s: &Source, reads_time: &mut bool) -> bool {
    match s {
        Source::Protocol(p) => *p == "frame",
        Source::Field { field, .. } => match field {
            FieldRef::FrameTime
            | FieldRef::Plain(Field::FrameTimeEpoch | Field::FrameTimeRelative) => {
                *reads_time = true;
                true
            }
            FieldRef::Plain(
                Field::FrameNumber
                | Field::FrameLen
                | Field::FrameCapLen
                | Field::TcpStream
                | Field::UdpStream,
            ) => true,
            _ => false,
        },
    }
}

/// One frame as the index sees it.
struct IndexFrame<'a> {
    index: &'a PacketIndex,
    entry: IndexEntry,
    first_ts_ns: i64,
}

impl IndexFrame<'_> {
    /// The stream ids of `kind` of this frame, outermost first, without unassigned ones.
    fn streams(&self, kind: StreamKind, out: &mut Vec<FieldValue>) {
        out.extend(
            self.index
                .streams_of_frame(self.entry.number, kind)
                .into_iter()
                .filter(|&s| s != NO_STREAM)
                .map(|s| FieldValue::Unsigned(s.into())),
        );
    }
}

impl FrameValues for IndexFrame<'_> {
    fn values(&self, s: &Source) -> Vec<FieldValue> {
        let Source::Field { field, mask } = s else {
            return Vec::new();
        };
        let e = &self.entry;
        let mut out = Vec::new();
        match field {
            FieldRef::Plain(Field::FrameNumber) => out.push(FieldValue::Unsigned(e.number.into())),
            FieldRef::Plain(Field::FrameLen) => out.push(FieldValue::Unsigned(e.wire_len.into())),
            FieldRef::Plain(Field::FrameCapLen) => out.push(FieldValue::Unsigned(e.caplen.into())),
            FieldRef::FrameTime | FieldRef::Plain(Field::FrameTimeEpoch) => {
                out.push(FieldValue::Time(e.ts_ns))
            }
            FieldRef::Plain(Field::FrameTimeRelative) => {
                out.push(FieldValue::Time(e.ts_ns.wrapping_sub(self.first_ts_ns)))
            }
            FieldRef::Plain(Field::TcpStream) => self.streams(StreamKind::Tcp, &mut out),
            FieldRef::Plain(Field::UdpStream) => self.streams(StreamKind::Udp, &mut out),
            // `IndexFilter::new` admits no other field.
            _ => {}
        }
        apply_mask(&mut out, *mask);
        out
    }

    fn protocol_present(&self, p: &str) -> bool {
        p == "frame"
    }

    fn byte_views(&self, _s: &Source) -> Vec<std::borrow::Cow<'_, [u8]>> {
        Vec::new()
    }
}
