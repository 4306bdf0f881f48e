//! Display filtering for the page: [`check_filter`] reports a filter's error with its position
//! (for the red filter bar), and [`FilterHandle`] runs a compiled filter over the capture,
//! collecting the numbers of the matching frames and the conversation tables over them.
//!
//! Over a completely indexed capture the worker first asks [`FilterHandle::plan_over`]: the index
//! answers the filter alone, or pre-selects the candidate frames that the worker then has read
//! back and decoded in batches ([`FilterHandle::read_back`], through the core's
//! [`IndexedRun`]). Otherwise, or when the run finds a frame it cannot decode on its own, the
//! worker feeds the whole file again chunk by chunk ([`FilterHandle::push`], the full pass).
//! Memory bound: 4 bytes per candidate and per matching frame, one read span of the run, plus one
//! row per conversation with a match.

use wasm_bindgen::prelude::*;

use super::capture_handle::CaptureHandle;
use super::file_source::FileSource;
use super::js_value::{to_js, to_js_error};
use crate::filter::{
    every_frame_timestamped, plan, Filter, FrameFilter, IndexedRun, PlanFacts, RunState,
};
use crate::packet_view::{FilteredConversation, FilteredConversations};
use crate::pipeline::{ConvKind, FrameContext, Pipeline};

/// A filter's compile error for the page.
#[derive(serde::Serialize)]
struct FilterProblem {
    /// tshark-like message.
    message: String,
    /// Character index of the offending token.
    position: usize,
    /// Its length in characters.
    length: usize,
}

/// `null` when `text` compiles, else `{ message, position, length }` (character positions).
#[wasm_bindgen(js_name = checkFilter)]
pub fn check_filter(text: &str) -> Result<JsValue, JsError> {
    match Filter::compile(text) {
        Ok(_) => Ok(JsValue::NULL),
        Err(e) => to_js(&FilterProblem {
            message: e.message,
            position: e.position,
            length: e.length,
        }),
    }
}

/// Wireshark's "Bad TCP" colouring filter (the page runs it once per capture to paint rows).
#[wasm_bindgen(js_name = badTcpFilter)]
pub fn bad_tcp_filter() -> String {
    crate::packet_view::BAD_TCP_FILTER.to_string()
}

/// One run of a display filter over a capture.
#[wasm_bindgen]
pub struct FilterHandle {
    pipeline: Pipeline,
    filter: FrameFilter,
    matches: Vec<u32>,
    conversations: FilteredConversations,
    /// The index-only or pre-selecting run, while it is the chosen path.
    indexed: Option<IndexedRun>,
    /// The tcp, udp and ip tables of a finished indexed run.
    indexed_tables: Option<[Vec<FilteredConversation>; 3]>,
}

/// Where a read-back run is, for the page's progress line.
#[derive(serde::Serialize)]
struct ReadBackProgress {
    /// Frames read back so far.
    read: usize,
    /// Frames the run reads back in all.
    total: usize,
    /// Frames decoded so far.
    decoded: f64,
    /// Frames of the capture's index.
    frames: f64,
}

#[wasm_bindgen]
impl FilterHandle {
    /// Compiles `text` (an error carries the message; use [`check_filter`] for the position).
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str) -> Result<FilterHandle, JsError> {
        super::panic_report::install();
        let filter = Filter::compile(text).map_err(|e| to_js_error(e.message))?;
        Ok(FilterHandle {
            pipeline: Pipeline::new(),
            filter: FrameFilter::new(filter),
            matches: Vec::new(),
            conversations: FilteredConversations::new(),
            indexed: None,
            indexed_tables: None,
        })
    }

    /// Chooses the path over `capture`'s index: "index" (the index answers the filter; with
    /// `with_tables`, the matching frames are read back for the conversation tables),
    /// "preselect" (the index selects candidates, which are read back and decoded) or "full"
    /// (feed the whole file with `push`). Only a completely indexed capture (not cancelled, not
    /// stopped, not damaged) takes the first two.
    #[wasm_bindgen(js_name = planOver)]
    pub fn plan_over(&mut self, capture: &CaptureHandle, with_tables: bool) -> String {
        let indexer = &capture.indexer;
        self.indexed = None;
        if indexer.pipeline().saved_totals().is_none() {
            return "full".to_string();
        }
        let facts = PlanFacts {
            first_ts_ns: indexer.pipeline().first_ts_ns().unwrap_or(0),
            every_frame_timestamped: every_frame_timestamped(indexer),
        };
        let chosen = plan(self.filter.filter().clone(), &facts);
        match IndexedRun::new(chosen, indexer, with_tables) {
            Some(run) => {
                let path = run.path().to_string();
                self.indexed = Some(run);
                path
            }
            None => "full".to_string(),
        }
    }

    /// Reads back and decodes up to `max_frames` more frames of the planned run from `file`:
    /// "more", "done", or "full" when this capture needs the full pass after all (feed the file
    /// with `push` then).
    #[wasm_bindgen(js_name = readBack)]
    pub fn read_back(
        &mut self,
        capture: &CaptureHandle,
        file: web_sys::File,
        max_frames: usize,
    ) -> Result<String, JsError> {
        let Some(run) = self.indexed.as_mut() else {
            return Ok("full".to_string());
        };
        let mut source = FileSource::new(file)
            .map_err(|_| to_js_error("reading the file needs a worker".to_string()))?;
        let state = run
            .step(&capture.indexer, &mut source, max_frames)
            .map_err(|e| to_js_error(e.to_string()))?;
        Ok(match state {
            RunState::More => "more",
            RunState::Done => {
                let table = |kind| run.conversations(&capture.indexer, kind);
                self.indexed_tables = Some([
                    table(ConvKind::Tcp),
                    table(ConvKind::Udp),
                    table(ConvKind::Ip),
                ]);
                self.matches = run.matches().to_vec();
                "done"
            }
            RunState::NeedsFullPass => {
                self.indexed = None;
                "full"
            }
        }
        .to_string())
    }

    /// `{ read, total, decoded, frames }` of the planned run (frames read back, to read,
    /// decoded; frames of the capture).
    #[wasm_bindgen(js_name = readBackProgress)]
    pub fn read_back_progress(&self, capture: &CaptureHandle) -> Result<JsValue, JsError> {
        let (read, total, decoded) = self
            .indexed
            .as_ref()
            .map_or((0, 0, 0), |r| (r.read(), r.to_read(), r.decoded_frames()));
        to_js(&ReadBackProgress {
            read,
            total,
            decoded: decoded as f64,
            frames: capture.indexer.index().len() as f64,
        })
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        let (filter, matches, conversations) =
            (&mut self.filter, &mut self.matches, &mut self.conversations);
        let mut visit = |c: &FrameContext| {
            if filter.matches(c) {
                matches.push(c.meta.number);
                conversations.observe(c);
            }
        };
        self.pipeline.push(chunk, &mut visit);
    }

    /// Signals the end of the file.
    pub fn finish(&mut self) {
        let (filter, matches, conversations) =
            (&mut self.filter, &mut self.matches, &mut self.conversations);
        let mut visit = |c: &FrameContext| {
            if filter.matches(c) {
                matches.push(c.meta.number);
                conversations.observe(c);
            }
        };
        self.pipeline.finish(&mut visit);
    }

    /// Frames read so far.
    #[wasm_bindgen(js_name = framesRead)]
    pub fn frames_read(&self) -> f64 {
        self.pipeline.frames() as f64
    }

    /// The conversation table of `kind` ("tcp", "udp", "ip") over the matching frames only; IP
    /// rows carry `ip_row`, their row in the unfiltered table.
    pub fn conversations(&self, kind: &str) -> Result<JsValue, JsError> {
        let (kind, slot) = match kind {
            "tcp" => (ConvKind::Tcp, 0),
            "udp" => (ConvKind::Udp, 1),
            "ip" => (ConvKind::Ip, 2),
            other => return Err(to_js_error(format!("unknown conversation kind {other:?}"))),
        };
        if let Some(tables) = &self.indexed_tables {
            return to_js(&tables[slot]);
        }
        let full = match kind {
            ConvKind::Ip => self.pipeline.conversations(ConvKind::Ip),
            _ => Vec::new(),
        };
        let first = self.pipeline.first_ts_ns().unwrap_or(0);
        to_js(&self.conversations.conversations(kind, &full, first))
    }

    /// The matching frame numbers, ascending.
    pub fn matches(&self) -> Vec<u32> {
        self.matches.clone()
    }
}
