//! Choosing how a display filter runs over an indexed capture ([`plan`]): from the index alone
//! ([`FilterPlan::IndexOnly`]), by pre-selecting candidate frames with the index-answerable part of
//! a conjunction and decoding only those ([`FilterPlan::Preselect`]), or by decoding every frame
//! in file order ([`FilterPlan::FullPass`]). Pure: it looks at the compiled filter and a few facts
//! about the capture, never at packet bytes.
//!
//! # Why pre-selection is exact
//! The full filter is `p and rest`, where `p` (the index-answerable conjuncts) is evaluated on the
//! index with the same evaluator as the decode path (`IndexFilter`); a frame outside `p`'s matches
//! cannot match the whole filter. The candidates are then decoded one by one and the *whole*
//! filter is evaluated on them, which gives the decode path's answer as long as a frame's values
//! do not depend on other frames. Two things do:
//! - `tcp.analysis.*` and relative sequence numbers need every earlier frame of the capture fed to
//!   the TCP analyzer in file order: such filters ([`Requirement::TcpAnalysis`]) always take the
//!   full pass here.
//! - IP reassembly: a frame that is a fragment of a datagram (or completes one) needs the other
//!   fragments, which belong to no stream and are usually not candidates. The plan cannot see
//!   that; the run over the candidates (`IndexedRun`) stops with "needs a full pass" on the first
//!   such frame, and the caller runs the full pass instead.
//!
//! The filter engine knows no field built from TCP reassembly (`http.*`, `tcp.segments`,
//! reassembled PDUs are rejected as unknown names), so nothing else reads another frame; a field
//! added later that does must raise [`Filter::requirement`] to [`Requirement::TcpAnalysis`] or be
//! excluded here.

use super::compile::Node;
use super::{Filter, IndexFilter, Requirement};

/// Facts about the indexed capture that decide what the index can answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanFacts {
    /// Timestamp of the capture's first frame (the origin of `frame.time_relative`).
    pub first_ts_ns: i64,
    /// False when some frame may lack a timestamp (pcapng Simple Packet Blocks): frame times
    /// are then not answered from the index.
    pub every_frame_timestamped: bool,
}

/// How a filter runs over an indexed capture.
#[derive(Clone, Debug)]
pub enum FilterPlan {
    /// The index answers the whole filter: no frame is decoded to select frames.
    IndexOnly(IndexFilter),
    /// Decode only the frames `candidates` selects from the index, and evaluate `full` on them.
    Preselect {
        /// The index-answerable conjuncts of `full`.
        candidates: IndexFilter,
        /// The whole filter.
        full: Filter,
    },
    /// Decode every frame in file order (the reason says why, for the page and tests).
    FullPass {
        /// The filter.
        filter: Filter,
        /// Why neither faster path applies.
        reason: FullPassReason,
    },
}

/// Why a filter takes the full pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FullPassReason {
    /// It reads `tcp.analysis.*` or relative sequence numbers, which need every earlier frame.
    ReadsTcpAnalysis,
    /// No top-level `and` part of it can be answered from the index.
    NoIndexedPart,
}

impl FilterPlan {
    /// A short name of the path: "index", "preselect" or "full".
    pub fn name(&self) -> &'static str {
        match self {
            FilterPlan::IndexOnly(_) => "index",
            FilterPlan::Preselect { .. } => "preselect",
            FilterPlan::FullPass { .. } => "full",
        }
    }
}

/// Decides how `filter` runs over a capture described by `facts` (see the module documentation).
pub fn plan(filter: Filter, facts: &PlanFacts) -> FilterPlan {
    let (first, timed) = (facts.first_ts_ns, facts.every_frame_timestamped);
    if let Some(whole) = IndexFilter::new(filter.clone(), first, timed) {
        return FilterPlan::IndexOnly(whole);
    }
    if filter.requirement() == Requirement::TcpAnalysis {
        return FilterPlan::FullPass {
            filter,
            reason: FullPassReason::ReadsTcpAnalysis,
        };
    }
    let mut parts = Vec::new();
    conjuncts(&filter.root, &mut parts);
    let indexed: Vec<&Node> = parts
        .into_iter()
        .filter(|part| {
            let one = Filter {
                text: String::new(),
                root: (*part).clone(),
            };
            IndexFilter::new(one, first, timed).is_some()
        })
        .collect();
    let Some(root) = indexed
        .iter()
        .map(|n| (*n).clone())
        .reduce(|a, b| Node::And(Box::new(a), Box::new(b)))
    else {
        return FilterPlan::FullPass {
            filter,
            reason: FullPassReason::NoIndexedPart,
        };
    };
    let part = Filter {
        text: format!("index part of {}", filter.text),
        root,
    };
    match IndexFilter::new(part, first, timed) {
        Some(candidates) => FilterPlan::Preselect {
            candidates,
            full: filter,
        },
        // Each part was accepted alone, so their conjunction is too; kept total all the same.
        None => FilterPlan::FullPass {
            filter,
            reason: FullPassReason::NoIndexedPart,
        },
    }
}

/// The operands of the top-level `and` chain of `n` (just `n` when it is not an `and`).
fn conjuncts<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
    // An explicit stack keeps deep chains (`a and b and c …`) off the call stack.
    let mut stack = vec![n];
    while let Some(node) = stack.pop() {
        match node {
            Node::And(a, b) => {
                stack.push(b);
                stack.push(a);
            }
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACTS: PlanFacts = PlanFacts {
        first_ts_ns: 0,
        every_frame_timestamped: true,
    };

    fn plan_of(text: &str) -> FilterPlan {
        plan(Filter::compile(text).expect("compiles"), &FACTS)
    }

    /// The index part of a pre-selection, as the filter it would be written as.
    fn candidates_equal(text: &str, written: &str) {
        let FilterPlan::Preselect { candidates, full } = plan_of(text) else {
            panic!(
                "{text}: expected a pre-selection, got {:?}",
                plan_of(text).name()
            );
        };
        assert_eq!(full.text(), text);
        let want = Filter::compile(written).expect("compiles");
        assert_eq!(
            format!("{:?}", candidates.filter().root),
            format!("{:?}", want.root),
            "{text}"
        );
    }

    #[test]
    fn index_only_filters_need_no_decoding() {
        for text in [
            "tcp.stream == 3",
            "frame.number >= 1000 and udp.stream in {1, 2}",
            "not tcp.stream or frame.len > 100",
            "",
        ] {
            assert_eq!(plan_of(text).name(), "index", "{text}");
        }
    }

    #[test]
    fn the_indexed_conjuncts_preselect_the_candidates() {
        candidates_equal("tcp.stream == 3 and tcp.len > 0", "tcp.stream == 3");
        candidates_equal(
            "frame.number >= 1000 and tcp.port == 80",
            "frame.number >= 1000",
        );
        candidates_equal(
            "frame.len > 60 and dns and (udp.stream == 1 or udp.stream == 2)",
            "frame.len > 60 and (udp.stream == 1 or udp.stream == 2)",
        );
        candidates_equal("dns and (tcp.stream == 3)", "tcp.stream == 3");
    }

    #[test]
    fn parts_under_or_and_not_do_not_preselect() {
        for text in [
            "tcp.stream == 3 or dns",
            "not (tcp.stream == 3 and dns)",
            "tcp.stream == 3 xor dns",
            "dns",
            "tcp.stream == 3 and frame contains \"GET\"  or dns",
        ] {
            match plan_of(text) {
                FilterPlan::FullPass { reason, .. } => {
                    assert_eq!(reason, FullPassReason::NoIndexedPart, "{text}")
                }
                other => panic!("{text}: expected the full pass, got {}", other.name()),
            }
        }
    }

    #[test]
    fn context_dependent_tcp_fields_take_the_full_pass() {
        for text in [
            "tcp.stream == 3 and tcp.analysis.retransmission",
            "frame.number > 10 and tcp.seq == 1",
            "tcp.stream == 0 and tcp.analysis.ack_rtt > 0.1",
        ] {
            match plan_of(text) {
                FilterPlan::FullPass { reason, .. } => {
                    assert_eq!(reason, FullPassReason::ReadsTcpAnalysis, "{text}")
                }
                other => panic!("{text}: expected the full pass, got {}", other.name()),
            }
        }
    }

    #[test]
    fn frame_times_are_not_indexed_when_a_frame_may_lack_one() {
        let untimed = PlanFacts {
            every_frame_timestamped: false,
            ..FACTS
        };
        let f = |t: &str| Filter::compile(t).expect("compiles");
        assert_eq!(plan(f("frame.time_relative > 1"), &FACTS).name(), "index");
        assert_eq!(plan(f("frame.time_relative > 1"), &untimed).name(), "full");
        let mixed = plan(
            f("frame.time_relative > 1 and tcp.stream == 2 and dns"),
            &untimed,
        );
        let FilterPlan::Preselect { candidates, .. } = mixed else {
            panic!("expected a pre-selection");
        };
        let want = f("tcp.stream == 2");
        assert_eq!(
            format!("{:?}", candidates.filter().root),
            format!("{:?}", want.root)
        );
    }
}
