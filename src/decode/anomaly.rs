//! Findings on a frame (expert-info style): a truncated header, an unknown link type, a bad length.

use serde::Serialize;

/// A problem found while decoding one frame. Decoding keeps what it parsed before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    /// Offset in the frame's bytes where the problem was found.
    pub offset: u32,
    /// Short machine-friendly kind, e.g. `"truncated"`, `"unknown_linktype"`, `"bad_length"`.
    pub kind: &'static str,
    /// Human-readable explanation naming the layer.
    pub message: String,
}
