//! Cross-capture matching: which stream in one capture is which stream in another, what was lost
//! between the points, how their clocks differ, and what the path changed.
//!
//! Pipeline, one file per concept:
//! 1. [`input`]: one pass over a capture's frames → [`input::MatchInput`] (48 B per TCP/UDP packet
//!    plus a per-stream summary with content fingerprints from [`fingerprint`]).
//! 2. Evidence per candidate stream pair ([`candidates`], scored in [`evidence`]): [`direct`]
//!    (tuple + ISN), [`nat`] (IP ID runs, translation), [`seq_offset`] (payload hashes, offsets per
//!    direction), [`content`] (first bytes, HTTP request line + Host, TLS randoms, turn pattern),
//!    [`udp`] (DNS id + question, DHCP xid).
//! 3. [`assign`]: greedy one-to-one by score, plus a proxy's many-to-one links; [`orientation`]
//!    turns a side whose flow was seen without its first packet (reply first) the right way.
//! 4. [`pair`]: per matched pair, [`packet_pairing`] (loss), [`clock`] (offset, drift, delay),
//!    [`missing_syn`], [`changes`]; [`flow_table`] follows packets through N captures;
//!    [`packet_diff`] lists each matched stream's packets side by side with what differs.
//! 5. [`report`]: the JSON / TSV shapes; [`driver`]: files → report through the pipeline.
//!
//! Everything is deterministic: candidate tables are sorted before use and ties are broken by
//! time, then stream index.

pub mod assign;
pub mod candidates;
pub mod changes;
pub mod clock;
pub mod content;
pub mod direct;
pub mod driver;
pub mod evidence;
pub mod export_pair;
pub mod fingerprint;
pub mod flow_table;
pub mod input;
pub mod missing_syn;
pub mod nat;
pub mod orientation;
pub mod packet_diff;
pub mod packet_pairing;
pub mod pair;
pub mod report;
pub mod seq_offset;
pub mod udp;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use driver::{
    match_files, match_files_with, FrameVisitor, MatchError, MatchInputFeeder, PipelineVisitor,
};
pub use input::{MatchInput, MatchInputBuilder};
pub use pair::{match_pair, PairResult};
pub use report::{CaptureRef, MatchReport, View};

/// Options of a match run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchOptions {
    /// Build the multi-hop flow table also for two captures (always built for more).
    pub flow_for_two: bool,
    /// Fill [`MatchReport::packet_diff`] with the per-packet diff of every packet-level match.
    pub packet_diff: bool,
}

/// One compared pair of captures with its full result (the packet pairing behind the report).
#[derive(Clone, Debug)]
pub struct PairDetail {
    /// Capture index of A.
    pub a: usize,
    /// Capture index of B.
    pub b: usize,
    /// Everything matched between them.
    pub result: PairResult,
}

/// The capture pairs compared for `n` captures: each consecutive pair, plus first-to-last when
/// there are more than two.
pub fn capture_pairs(n: usize) -> Vec<(usize, usize)> {
    let mut v: Vec<(usize, usize)> = (1..n).map(|i| (i - 1, i)).collect();
    if n > 2 {
        v.push((0, n - 1));
    }
    v
}

/// Matches already-built inputs (one per capture, in `captures` order).
pub fn match_inputs(
    inputs: &[MatchInput],
    captures: Vec<CaptureRef>,
    options: &MatchOptions,
) -> MatchReport {
    match_inputs_detailed(inputs, captures, options).0
}

/// [`match_inputs`], also returning each pair's full result (for per-packet diffs on demand:
/// [`packet_diff::diff_of_streams`]).
pub fn match_inputs_detailed(
    inputs: &[MatchInput],
    captures: Vec<CaptureRef>,
    options: &MatchOptions,
) -> (MatchReport, Vec<PairDetail>) {
    let mut results = Vec::new();
    for (a, b) in capture_pairs(inputs.len()) {
        if let (Some(x), Some(y)) = (inputs.get(a), inputs.get(b)) {
            results.push(PairDetail {
                a,
                b,
                result: match_pair(x, y),
            });
        }
    }
    let pairs = results
        .iter()
        .filter_map(|d| {
            Some(report::PairReport::new(
                d.a,
                d.b,
                inputs.get(d.a)?,
                inputs.get(d.b)?,
                &d.result,
            ))
        })
        .collect();
    let flow = if inputs.len() > 2 || options.flow_for_two {
        let consecutive: Vec<&PairResult> = results
            .iter()
            .filter(|d| d.b == d.a + 1)
            .map(|d| &d.result)
            .collect();
        flow_table::flow_table(inputs, &consecutive)
    } else {
        Vec::new()
    };
    let packet_diff = if options.packet_diff {
        results
            .iter()
            .filter_map(|d| {
                Some(report::PairPacketDiff {
                    a: d.a,
                    b: d.b,
                    streams: packet_diff::diffs_of_pair(
                        inputs.get(d.a)?,
                        inputs.get(d.b)?,
                        &d.result,
                    ),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let report = MatchReport {
        captures,
        pairs,
        flow,
        packet_diff,
    };
    (report, results)
}
