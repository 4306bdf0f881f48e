//! Evaluates a compiled filter on one frame: reads the values of each field the tree names
//! (typed values from [`crate::fields`], `tcp.analysis.*` from [`crate::session`]) and applies
//! tshark 4.0's multi-value semantics: `==`, `~=`, `<`, `contains`, `matches`, `in` hold when
//! *some* value does; `!=` when the field is present and *no* value equals; `===` when every value
//! equals. An absent field makes every relation false (and `not in` true).

use std::cmp::Ordering;

use super::compile::{Node, Rhs, Source};
use super::literal::{mask128, mask32, Literal};
use super::names::FieldRef;
use super::syntax::RelOp;
use crate::decode::Layer;
use crate::fields::{Field, FieldContext, FieldValue};
use crate::session::{format_field, LayerAnalysis};

/// One frame as the evaluator sees it.
#[derive(Clone, Copy, Debug)]
pub struct FrameView<'a> {
    /// Field values of the frame.
    pub fields: FieldContext<'a>,
    /// The reassembled IP payload the transport layers point into, when the frame completed a
    /// fragmented datagram.
    pub reassembled: Option<&'a [u8]>,
    /// The TCP analysis of the frame's TCP layers (empty when the filter does not need it).
    pub tcp_analysis: &'a [LayerAnalysis],
}

/// What the evaluator reads from a frame: field values, protocol presence and byte views. A
/// decoded frame ([`FrameView`]) answers everything; the packet index answers index fields only
/// (see [`super::index_filter`]).
pub(super) trait FrameValues {
    /// The values of a field source (empty for protocols).
    fn values(&self, s: &Source) -> Vec<FieldValue>;
    /// Whether protocol `p` is present.
    fn protocol_present(&self, p: &str) -> bool;
    /// The byte views `contains` / `matches` search.
    fn byte_views(&self, s: &Source) -> Vec<std::borrow::Cow<'_, [u8]>>;
}

impl FrameValues for FrameView<'_> {
    fn values(&self, s: &Source) -> Vec<FieldValue> {
        values(s, self)
    }

    fn protocol_present(&self, p: &str) -> bool {
        protocol_present(p, self)
    }

    fn byte_views(&self, s: &Source) -> Vec<std::borrow::Cow<'_, [u8]>> {
        byte_views(s, self)
    }
}

/// Evaluates `node` on `frame`.
pub fn eval(node: &Node, frame: &impl FrameValues) -> bool {
    match node {
        Node::Or(a, b) => eval(a, frame) || eval(b, frame),
        Node::Xor(a, b) => eval(a, frame) != eval(b, frame),
        Node::And(a, b) => eval(a, frame) && eval(b, frame),
        Node::Not(a) => !eval(a, frame),
        Node::Exists(Source::Protocol(p)) => frame.protocol_present(p),
        Node::Exists(s) => !frame.values(s).is_empty(),
        Node::Compare { lhs, op, rhs } => {
            let left = frame.values(lhs);
            match rhs {
                Rhs::Literal(lit) => relation(&left, *op, |v| compare_literal(v, lit)),
                Rhs::Field(src) => {
                    let right = frame.values(src);
                    if right.is_empty() {
                        return false;
                    }
                    relation(&left, *op, |v| {
                        let mut rel = Rel::default();
                        for r in &right {
                            rel.merge(compare_values(v, r));
                        }
                        rel
                    })
                }
            }
        }
        Node::Contains { lhs, needle } => frame
            .byte_views(lhs)
            .iter()
            .any(|hay| contains_bytes(hay, needle)),
        Node::Matches { lhs, regex } => frame.byte_views(lhs).iter().any(|h| regex.is_match(h)),
        Node::In { lhs, negated, set } => {
            let left = frame.values(lhs);
            let hit = left.iter().any(|v| {
                set.iter().any(|(lo, hi)| match hi {
                    None => compare_literal(v, lo).eq,
                    Some(hi) => {
                        let a = compare_literal(v, lo);
                        let b = compare_literal(v, hi);
                        (a.eq || a.gt) && (b.eq || b.lt)
                    }
                })
            });
            hit != *negated
        }
    }
}

/// How one value relates to the other side (several flags for subnets and multi-valued sides).
#[derive(Clone, Copy, Debug, Default)]
struct Rel {
    /// Some right value equals.
    eq: bool,
    /// Some right value differs.
    ne: bool,
    /// The value is less than some right value.
    lt: bool,
    /// The value is greater than some right value.
    gt: bool,
}

impl Rel {
    fn from_ordering(o: Option<Ordering>) -> Self {
        let mut r = Rel::default();
        r.merge(o);
        r
    }

    fn merge(&mut self, o: Option<Ordering>) {
        match o {
            Some(Ordering::Equal) => self.eq = true,
            Some(Ordering::Less) => {
                self.ne = true;
                self.lt = true
            }
            Some(Ordering::Greater) => {
                self.ne = true;
                self.gt = true
            }
            None => self.ne = true,
        }
    }
}

/// Applies a relational operator over the left values.
fn relation(left: &[FieldValue], op: RelOp, rel: impl Fn(&FieldValue) -> Rel) -> bool {
    if left.is_empty() {
        return false;
    }
    let mut rels = left.iter().map(rel);
    match op {
        RelOp::AnyEq => rels.any(|r| r.eq),
        RelOp::AllNe => rels.all(|r| !r.eq),
        RelOp::AllEq => rels.all(|r| r.eq && !r.ne),
        RelOp::AnyNe => rels.any(|r| r.ne),
        RelOp::Lt => rels.any(|r| r.lt),
        RelOp::Le => rels.any(|r| r.lt || r.eq),
        RelOp::Gt => rels.any(|r| r.gt),
        RelOp::Ge => rels.any(|r| r.gt || r.eq),
        RelOp::Contains | RelOp::Matches => false,
    }
}

/// A value against a literal of the matching type.
fn compare_literal(v: &FieldValue, lit: &Literal) -> Rel {
    match (v, lit) {
        (FieldValue::Unsigned(u), Literal::Integer(i)) => {
            Rel::from_ordering(Some(i128::from(*u).cmp(i)))
        }
        (FieldValue::Boolean(b), Literal::Integer(i)) => {
            Rel::from_ordering(Some(i128::from(*b).cmp(&i128::from(*i != 0))))
        }
        (FieldValue::Ipv4(a), Literal::Ipv4 { addr, prefix }) => {
            let a = u32::from_be_bytes(*a);
            if a & mask32(*prefix) == *addr {
                Rel::from_ordering(Some(Ordering::Equal))
            } else {
                Rel::from_ordering(Some(a.cmp(addr)))
            }
        }
        (FieldValue::Ipv6(a), Literal::Ipv6 { addr, prefix }) => {
            let a = u128::from_be_bytes(*a);
            if a & mask128(*prefix) == *addr {
                Rel::from_ordering(Some(Ordering::Equal))
            } else {
                Rel::from_ordering(Some(a.cmp(addr)))
            }
        }
        (FieldValue::Ether(a), Literal::Ether(b)) => Rel::from_ordering(Some(a.cmp(b))),
        (FieldValue::Time(a), Literal::Time(b)) => Rel::from_ordering(Some(a.cmp(b))),
        (FieldValue::String(s), Literal::Bytes(b)) => {
            Rel::from_ordering(Some(s.as_bytes().cmp(b.as_slice())))
        }
        _ => Rel::from_ordering(None),
    }
}

/// Two field values (compatible types were checked at compile time).
fn compare_values(a: &FieldValue, b: &FieldValue) -> Option<Ordering> {
    match (a, b) {
        (FieldValue::Unsigned(x), FieldValue::Unsigned(y)) => Some(x.cmp(y)),
        (FieldValue::Boolean(x), FieldValue::Boolean(y)) => Some(x.cmp(y)),
        (FieldValue::Ipv4(x), FieldValue::Ipv4(y)) => Some(x.cmp(y)),
        (FieldValue::Ipv6(x), FieldValue::Ipv6(y)) => Some(x.cmp(y)),
        (FieldValue::Ether(x), FieldValue::Ether(y)) => Some(x.cmp(y)),
        (FieldValue::Time(x), FieldValue::Time(y)) => Some(x.cmp(y)),
        (FieldValue::String(x), FieldValue::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The values of a field source in the frame (empty for protocols).
fn values(s: &Source, frame: &FrameView) -> Vec<FieldValue> {
    let Source::Field { field, mask } = s else {
        return Vec::new();
    };
    let mut out = Vec::new();
    field_values(*field, frame, &mut out);
    apply_mask(&mut out, *mask);
    out
}

/// Applies a `field & mask` mask to unsigned values.
pub(super) fn apply_mask(values: &mut [FieldValue], mask: Option<u64>) {
    if let Some(m) = mask {
        for v in values {
            if let FieldValue::Unsigned(u) = v {
                *u &= m;
            }
        }
    }
}

/// Appends the values of `field`.
fn field_values(field: FieldRef, frame: &FrameView, out: &mut Vec<FieldValue>) {
    match field {
        FieldRef::Plain(f) => f.values(&frame.fields, out),
        FieldRef::EthAddr => {
            // Per Ethernet layer: destination then source, as tshark adds them.
            let mut dst = Vec::new();
            let mut src = Vec::new();
            Field::EthDst.values(&frame.fields, &mut dst);
            Field::EthSrc.values(&frame.fields, &mut src);
            for (i, d) in dst.into_iter().enumerate() {
                out.push(d);
                if let Some(s) = src.get(i) {
                    out.push(s.clone());
                }
            }
        }
        FieldRef::FrameTime => {
            if frame.fields.meta.has_timestamp {
                out.push(FieldValue::Time(frame.fields.meta.ts_ns));
            }
        }
        FieldRef::TcpFlag(bit) => {
            let mut flags = Vec::new();
            Field::TcpFlags.values(&frame.fields, &mut flags);
            out.extend(flags.into_iter().filter_map(|v| match v {
                FieldValue::Unsigned(f) => Some(FieldValue::Boolean(f & u64::from(bit) != 0)),
                _ => None,
            }));
        }
        FieldRef::AnalysisLabel(name) => {
            if format_field(name, frame.tcp_analysis, None).is_some_and(|s| !s.is_empty()) {
                out.push(FieldValue::Boolean(true));
            }
        }
        FieldRef::AnalysisValue("tcp.nxtseq", _) => {
            // tshark's single pass adds `tcp.nxtseq` to every analyzed segment, also without
            // payload (then equal to `tcp.seq`); the session formatter prints it only for
            // segments with payload, as the two-pass `-T fields` oracle does.
            out.extend(frame.tcp_analysis.iter().filter_map(|l| {
                l.analysis.as_ref().map(|a| {
                    let next = a
                        .rel_nxtseq
                        .unwrap_or_else(|| a.rel_seq.wrapping_add(l.payload_len));
                    FieldValue::Unsigned(next.into())
                })
            }));
        }
        FieldRef::AnalysisValue(name, kind) => {
            let Some(s) = format_field(name, frame.tcp_analysis, None) else {
                return;
            };
            for piece in s.split(',').filter(|p| !p.is_empty()) {
                let v = match kind {
                    crate::fields::FieldKind::RelativeTime => {
                        super::literal::seconds(piece).map(FieldValue::Time)
                    }
                    _ => piece.parse::<u64>().ok().map(FieldValue::Unsigned),
                };
                out.extend(v);
            }
        }
    }
}

/// Whether protocol `p` is in the frame (as `frame.protocols` lists it; `frame` always is).
fn protocol_present(p: &str, frame: &FrameView) -> bool {
    if p == "frame" {
        return true;
    }
    // Layers `frame.protocols` leaves out (VXLAN-GPE) are still present for a filter.
    if frame
        .fields
        .frame
        .layers
        .iter()
        .any(|l| l.filter_name().split(':').any(|x| x == p))
    {
        return true;
    }
    let mut protocols = String::new();
    Field::FrameProtocols.write(&frame.fields, &mut protocols);
    protocols.split(':').any(|x| x == p)
}

/// The byte views `contains` / `matches` search: a string field's values, a MAC address's bytes,
/// or a protocol's bytes (`frame`: the captured bytes; `tcp` / `udp`: each layer's header and
/// captured payload).
fn byte_views<'a>(s: &Source, frame: &FrameView<'a>) -> Vec<std::borrow::Cow<'a, [u8]>> {
    use std::borrow::Cow;
    match s {
        Source::Protocol("frame") => vec![Cow::Borrowed(frame.fields.data)],
        Source::Protocol(p) => {
            let buf = frame.reassembled.unwrap_or(frame.fields.data);
            let mut out = Vec::new();
            for layer in &frame.fields.frame.layers {
                let (start, end) = match (layer, *p) {
                    (Layer::Tcp(t), "tcp") => (
                        t.payload_offset.saturating_sub(u32::from(t.header_len)),
                        t.payload_offset.saturating_add(t.payload_captured),
                    ),
                    (Layer::Udp(u), "udp") => (
                        u.payload_offset.saturating_sub(8),
                        u.payload_offset.saturating_add(u.payload_captured),
                    ),
                    _ => continue,
                };
                let (start, end) = (start as usize, end as usize);
                let end = end.min(buf.len());
                if let Some(bytes) = buf.get(start.min(end)..end) {
                    out.push(Cow::Borrowed(bytes));
                }
            }
            out
        }
        Source::Field { .. } => values(s, frame)
            .into_iter()
            .filter_map(|v| match v {
                FieldValue::String(s) => Some(Cow::Owned(s.into_bytes())),
                FieldValue::Ether(m) => Some(Cow::Owned(m.to_vec())),
                _ => None,
            })
            .collect(),
    }
}

/// Whether `needle` occurs in `hay` (an empty needle always does).
fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}
