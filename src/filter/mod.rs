//! Display filters compatible with Wireshark's (tshark 4.0) for the fields tracematch decodes.
//!
//! [`Filter::compile`] parses a filter once (winnow tokenizer in `lexer`, grammar in `syntax`),
//! resolves names and converts literals for the field types (`compile`, `literal`, `names`) into a
//! typed tree; [`Filter::matches`] evaluates it per frame (`eval`). Errors carry the character
//! position of the offending token ([`FilterError`]), rendered as tshark does with
//! [`FilterError::render`]. [`FrameFilter`] runs a filter over the pipeline's frames, feeding the
//! TCP analyzer when the filter reads `tcp.analysis.*`.
//!
//! # Language
//! Field and protocol existence (`tcp`, `tcp.analysis.retransmission`); `== != === ~= < <= > >=`
//! and `eq ne any_eq all_ne all_eq any_ne lt le gt ge`; `contains`; `matches` / `~`;
//! `and or not` / `&& || !`; `xor` / `^^` (Wireshark 4.2; tshark 4.0 rejects them); parentheses;
//! `in {a, b, 1..5}` and `not in`; `field & mask`; IPv4/IPv6 subnets (`ip.addr == 10.0.0.0/8`);
//! either-side fields (`ip.addr`, `ipv6.addr`, `eth.addr`, `tcp.port`, `udp.port`); field-to-field
//! comparisons (`tcp.srcport == tcp.dstport`); `frame.time` ("2024-01-02 03:04:05", "Jan  2, 2024
//! 03:04:05"), `frame.time_epoch` / `frame.time_relative` (seconds); integers (decimal, `0x`,
//! `0b`, leading-0 octal, `'c'`), byte strings `aa:bb:cc`, MAC and IP literals, strings with
//! escapes and raw strings `r"..."`.
//!
//! Multi-valued fields follow tshark 4.0: `a == b` holds when some value equals, `a != b` when the
//! field is present and no value equals (so `ip.addr != 10.0.0.1` excludes traffic to *and* from
//! 10.0.0.1), `a ~= b` when some value differs. An absent field makes a relation false.
//!
//! # Differences from Wireshark
//! - `matches` uses the `regex` crate, not PCRE2: no look-around or backreferences (such patterns
//!   are rejected at compile time), `\d`/`\w` are Unicode-aware by default (use `(?-u:\d)` for
//!   ASCII). As in Wireshark, matching is case-insensitive unless the pattern starts with `(?-i)`.
//! - `frame.time` literals are read as UTC; tshark reads them in the local time zone (equal on a
//!   UTC host).
//! - Slices (`frame[0:2]`), functions (`len()`), arithmetic and macros are not implemented and
//!   are reported as errors at the bracket. `contains` / `matches` on a protocol work for
//!   `frame`, `tcp` and `udp` only.
//! - Only the fields of [`crate::fields::Field`], `eth.addr`, `tcp.flags.*`, relative
//!   `tcp.seq`/`tcp.ack`/`tcp.nxtseq`/`tcp.window_size` and `tcp.analysis.*` are known; other
//!   Wireshark fields are rejected as unknown rather than silently never matching.
//!
//! # What a filter needs
//! [`Filter::requirement`] tells a front end how much work a frame needs: [`Requirement::Index`]
//! when the filter reads only `frame.number`, `frame.len`, `frame.cap_len`, `frame.time*`,
//! `frame.interface_id`, `tcp.stream` and `udp.stream` (answerable from the packet index without
//! decoding; the web worker can use this), [`Requirement::Decode`] for anything else, and
//! [`Requirement::TcpAnalysis`] when `tcp.analysis.*` or relative sequence numbers are read
//! (every frame must then pass through the TCP analyzer in file order, as in tshark's single pass).
//! The CLI always takes the decode path, which is correct for every filter.
//!
//! # Running over an indexed capture
//! [`plan`] decides whether a filter runs from the index alone, by pre-selecting candidate frames
//! with its index-answerable `and` parts and decoding only those, or as a full pass;
//! [`IndexedRun`] runs the first two over an [`crate::pipeline::Indexer`] and a byte source,
//! answering [`RunState::NeedsFullPass`] when a frame's decoding depends on other frames.

mod compile;
mod error;
mod eval;
mod frame_filter;
mod index_filter;
mod indexed_run;
mod lexer;
mod literal;
mod names;
mod plan;
mod syntax;
#[cfg(test)]
mod tests;

pub use error::FilterError;
pub use eval::FrameView;
pub use frame_filter::FrameFilter;
pub use index_filter::IndexFilter;
pub use indexed_run::{
    every_frame_timestamped, FallbackReason, IndexedRun, RunState, MAX_GAP_BYTES, MAX_SPAN_BYTES,
};
pub use plan::{plan, FilterPlan, FullPassReason, PlanFacts};

use compile::{Node, Rhs, Source};
use names::FieldRef;

/// How much of a frame a filter needs (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Requirement {
    /// Answerable from the packet index (frame facts and stream numbers).
    Index,
    /// Needs the decoded frame.
    Decode,
    /// Needs the decoded frame and the TCP analysis of every earlier frame.
    TcpAnalysis,
}

/// A compiled display filter.
#[derive(Clone, Debug)]
pub struct Filter {
    text: String,
    root: Node,
}

impl Filter {
    /// Compiles `text`; an empty (or all-blank) filter matches every frame.
    pub fn compile(text: &str) -> Result<Filter, FilterError> {
        let tokens = lexer::tokenize(text)?;
        let root = if tokens.is_empty() {
            Node::Exists(Source::Protocol("frame"))
        } else {
            let expr = syntax::parse(text, &tokens)?;
            compile::compile(text, &expr)?
        };
        Ok(Filter {
            text: text.to_owned(),
            root,
        })
    }

    /// The filter text as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the frame passes the filter.
    pub fn matches(&self, frame: &FrameView) -> bool {
        eval::eval(&self.root, frame)
    }

    /// How much of a frame evaluating this filter needs.
    pub fn requirement(&self) -> Requirement {
        requirement(&self.root)
    }
}

/// The requirement of a subtree.
fn requirement(n: &Node) -> Requirement {
    match n {
        Node::Or(a, b) | Node::Xor(a, b) | Node::And(a, b) => requirement(a).max(requirement(b)),
        Node::Not(a) => requirement(a),
        Node::Exists(s) | Node::In { lhs: s, .. } => source_requirement(s),
        // Searching bytes needs the packet, even for `frame`.
        Node::Contains { lhs: s, .. } | Node::Matches { lhs: s, .. } => {
            source_requirement(s).max(Requirement::Decode)
        }
        Node::Compare { lhs, rhs, .. } => {
            let r = match rhs {
                Rhs::Literal(_) => Requirement::Index,
                Rhs::Field(s) => source_requirement(s),
            };
            source_requirement(lhs).max(r)
        }
    }
}

/// The requirement of reading one source.
fn source_requirement(s: &Source) -> Requirement {
    use crate::fields::Field as F;
    match s {
        Source::Protocol("frame") => Requirement::Index,
        Source::Protocol(_) => Requirement::Decode,
        Source::Field { field, .. } if field.needs_tcp_analysis() => Requirement::TcpAnalysis,
        Source::Field {
            field: FieldRef::FrameTime,
            ..
        } => Requirement::Index,
        Source::Field {
            field:
                FieldRef::Plain(
                    F::FrameNumber
                    | F::FrameLen
                    | F::FrameCapLen
                    | F::FrameTimeEpoch
                    | F::FrameTimeRelative
                    | F::FrameInterfaceId
                    | F::TcpStream
                    | F::UdpStream,
                ),
            ..
        } => Requirement::Index,
        Source::Field { .. } => Requirement::Decode,
    }
}
