//! Display filtering for the page: [`check_filter`] reports a filter's error with its position
//! (for the red filter bar), and [`FilterHandle`] runs a compiled filter over the whole capture,
//! fed the file again chunk by chunk by the worker (the index keeps no packet bytes), collecting
//! the numbers of the matching frames and the conversation tables over them. Memory bound: 4 bytes
//! per matching frame plus one row per conversation with a match.

use wasm_bindgen::prelude::*;

use super::js_value::{to_js, to_js_error};
use crate::filter::{Filter, FrameFilter};
use crate::packet_view::FilteredConversations;
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
        let kind = match kind {
            "tcp" => ConvKind::Tcp,
            "udp" => ConvKind::Udp,
            "ip" => ConvKind::Ip,
            other => return Err(to_js_error(format!("unknown conversation kind {other:?}"))),
        };
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
