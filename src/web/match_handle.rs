//! [`MatchHandle`]: cross-capture matching for the page's match worker.
//!
//! The worker opens one capture at a time with `begin(path, label)`, feeds its `File` in slices
//! with `push`, closes it with `endCapture`, and after two or more captures calls `run`, which
//! returns the same JSON object as `tracematch match --json --flow` (`captures`, `matches`, `clock`,
//! `missing_syn`, `lost`, `unmatched_a`, `unmatched_b`, `flow`; `pairs` for more captures). After a
//! run, `packetDiff(pair, proto, aStream, bStream)` returns one match's per-packet diff (the
//! `streams` entry `tracematch match --packet-diff --json` prints for it).
//! Every step forwards to [`crate::matching`]; nothing is decided here.

use wasm_bindgen::prelude::*;

use super::js_value::{to_js, to_js_error};
use crate::matching::input::Proto;
use crate::matching::packet_diff::diff_of_streams;
use crate::matching::{
    match_inputs_detailed, CaptureRef, MatchInput, MatchInputFeeder, MatchOptions, PairDetail,
};

/// Captures one handle accepts; the match pairs grow with this, and the page offers a handful.
pub const MAX_CAPTURES: usize = 16;

/// The captures of one match run. Created by the match worker; dropped with it.
#[wasm_bindgen]
pub struct MatchHandle {
    /// The capture being fed, with its reference.
    current: Option<(CaptureRef, MatchInputFeeder)>,
    /// Finished captures, in the order given.
    inputs: Vec<MatchInput>,
    captures: Vec<CaptureRef>,
    /// Each compared pair's full result, after `run` (in the report's pair order).
    details: Vec<PairDetail>,
}

impl Default for MatchHandle {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl MatchHandle {
    /// No captures yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> MatchHandle {
        super::panic_report::install();
        MatchHandle {
            current: None,
            inputs: Vec::new(),
            captures: Vec::new(),
            details: Vec::new(),
        }
    }

    /// Starts the next capture (`path` is what the report shows as its path: the file name).
    pub fn begin(&mut self, path: &str, label: &str) -> Result<(), JsError> {
        if self.current.is_some() {
            return Err(to_js_error("the previous capture was not ended"));
        }
        if self.captures.len() >= MAX_CAPTURES {
            return Err(to_js_error(format!(
                "at most {MAX_CAPTURES} captures can be matched at once"
            )));
        }
        let reference = CaptureRef {
            index: self.captures.len(),
            path: path.to_string(),
            label: label.to_string(),
        };
        self.current = Some((reference, MatchInputFeeder::new()));
        Ok(())
    }

    /// Feeds the next slice of the current capture (any size).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        match &mut self.current {
            Some((_, feeder)) => {
                feeder.push(chunk);
                Ok(())
            }
            None => Err(to_js_error("no capture begun")),
        }
    }

    /// Ends the current capture.
    #[wasm_bindgen(js_name = endCapture)]
    pub fn end_capture(&mut self) -> Result<(), JsError> {
        let Some((reference, feeder)) = self.current.take() else {
            return Err(to_js_error("no capture begun"));
        };
        self.inputs.push(feeder.finish());
        self.captures.push(reference);
        Ok(())
    }

    /// Matches the ended captures (at least two) and returns the report as JSON data, with the
    /// multi-hop flow table also for two captures.
    pub fn run(&mut self) -> Result<JsValue, JsError> {
        if self.inputs.len() < 2 {
            return Err(to_js_error("matching needs at least two captures"));
        }
        let options = MatchOptions {
            flow_for_two: true,
            packet_diff: false,
        };
        let (report, details) =
            match_inputs_detailed(&self.inputs, self.captures.clone(), &options);
        self.details = details;
        to_js(&report.to_json())
    }

    /// The per-packet diff of the match between A stream `a_stream` and B stream `b_stream` of
    /// pair `pair` (the report's pair order; 0 for two captures), or null when that match is not
    /// packet level (through a proxy) or does not exist.
    #[wasm_bindgen(js_name = packetDiff)]
    pub fn packet_diff(
        &self,
        pair: usize,
        proto: &str,
        a_stream: u32,
        b_stream: u32,
    ) -> Result<JsValue, JsError> {
        let proto = match proto {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            other => return Err(to_js_error(format!("unknown protocol {other:?}"))),
        };
        let Some(detail) = self.details.get(pair) else {
            return Err(to_js_error("no such capture pair (run the match first)"));
        };
        let (Some(a), Some(b)) = (self.inputs.get(detail.a), self.inputs.get(detail.b)) else {
            return Err(to_js_error("no such capture pair"));
        };
        to_js(&diff_of_streams(
            a,
            b,
            &detail.result,
            proto,
            a_stream,
            b_stream,
        ))
    }
}
